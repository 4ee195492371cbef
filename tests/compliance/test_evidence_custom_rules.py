import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.exceptions import PlanLimit
from compliance import custom_rules, selectors
from compliance.models import CustomRule
from generation import brand_kits
from tenants.context import tenant_scope
from tenants.roles import Role
from tests.billing.factories import on_plan
from tests.tenants.factories import TenantFactory, member, rows

from .factories import custom_rule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("plan", ["free", "pro"])
def test_plans_without_custom_rules_cannot_add_one(plan):
    tenant = TenantFactory()
    on_plan(tenant, plan)

    with pytest.raises(PlanLimit, match="Team plan"):
        custom_rule(tenant, "allowed", "国家级非遗工艺")

    assert rows(CustomRule, tenant) == []


def test_after_a_downgrade_banned_words_still_apply_and_allowed_phrases_do_not():
    tenant = TenantFactory()
    custom_rule(tenant, "banned", "秒杀")
    custom_rule(tenant, "allowed", "国家级非遗工艺")
    with tenant_scope(tenant.pk):
        brand_kits.brand_kit_update(
            tenant=tenant, user=None, changes=brand_kits.BrandKitChanges(banned_words=["爆款"])
        )
        on_team = selectors.brand_context(tenant=tenant)
    on_plan(tenant, "pro")

    with tenant_scope(tenant.pk):
        on_pro = selectors.brand_context(tenant=tenant)
        rule = CustomRule.objects.get(tenant=tenant, kind="banned")
        custom_rules.custom_rule_delete(tenant=tenant, user=None, rule_id=rule.pk)

    assert (on_team.banned_words, on_team.allowed_phrases) == (
        ("爆款", "秒杀"),
        ("国家级非遗工艺",),
    )
    assert (on_pro.banned_words, on_pro.allowed_phrases) == (("爆款", "秒杀"), ())
    assert [r.phrase for r in rows(CustomRule, tenant)] == ["国家级非遗工艺"]  # deleting is free


def test_a_duplicate_phrase_is_refused_with_a_field_error():
    tenant = TenantFactory()
    custom_rule(tenant, "banned", "秒杀")

    with pytest.raises(ValidationError) as refused:
        custom_rule(tenant, "banned", "  秒杀 ")

    assert list(refused.value.message_dict) == ["phrase"]
    assert len(rows(CustomRule, tenant)) == 1


@pytest.mark.parametrize(
    ("kind", "phrase", "field"),
    [("banned", "", "phrase"), ("banned", "x" * 101, "phrase"), ("maybe", "秒杀", "kind")],
)
def test_bad_rules_are_refused(kind, phrase, field):
    tenant = TenantFactory()

    with pytest.raises(ValidationError) as refused:
        custom_rule(tenant, kind, phrase)

    assert field in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.EDITOR, Role.REVIEWER])
def test_only_owners_and_admins_write_rules(role):
    tenant = TenantFactory()
    user = member(tenant, role).user

    with tenant_scope(tenant.pk), pytest.raises(PermissionDenied):
        custom_rules.custom_rule_create(tenant=tenant, user=user, kind="banned", phrase="秒杀")

    assert rows(CustomRule, tenant) == []


def test_an_update_to_another_brands_rule_is_not_found():
    mine, theirs = TenantFactory(), TenantFactory()
    their_rule = custom_rule(theirs, "banned", "秒杀")

    with tenant_scope(mine.pk), pytest.raises(CustomRule.DoesNotExist):
        custom_rules.custom_rule_update(tenant=mine, user=None, rule_id=their_rule.pk, phrase="x")

    assert [r.phrase for r in rows(CustomRule, theirs)] == ["秒杀"]
