import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import LedgerEntry
from compliance import moderation, review
from compliance.exceptions import CopyStillBlocked, ReviewStateError
from compliance.models import ComplianceDecision, ModerationCase, ReviewItem
from generation.backends.text.base import Copy
from generation.models import Render
from tenants.context import tenant_scope
from tenants.models import AuditEvent
from tenants.roles import Role
from tests.tenants.factories import TenantFactory, UserFactory, member, rows

from .factories import HELD_SCRIPT, fresh, render_again, rendered, review_items

pytestmark = pytest.mark.django_db

CLEAN_COPY = Copy(
    headline="温和清洁好帮手",
    subheadline="早晚都能用",
    bullets=("温和配方", "清爽不黏", "日常好物"),
    cta="马上下单",
    host_line="家人们，温和清洁，早晚都能用！",
    social_post="分享一个温和的好物 #好物",
)


class Brand:
    """A brand with one held render (rendered and charged) and its reviewer."""

    def __init__(self, script: str = HELD_SCRIPT) -> None:
        self.tenant = TenantFactory()
        self.reviewer = member(self.tenant, Role.REVIEWER).user
        self.job = rendered(self.tenant, script, variants=1)
        [self.item] = review_items(self.tenant, self.job)

    def do(self, action, **kwargs):
        with tenant_scope(self.tenant.pk, user_id=self.reviewer.pk):
            return action(tenant=self.tenant, user=self.reviewer, item_id=self.item.pk, **kwargs)

    def render(self) -> Render:
        return fresh(self.tenant, Render, self.item.render_id)

    def item_now(self) -> ReviewItem:
        return fresh(self.tenant, ReviewItem, self.item.pk)

    def decisions(self) -> list[ComplianceDecision]:
        return rows(ComplianceDecision, self.tenant)

    def audits(self, action: str) -> list[AuditEvent]:
        return rows(AuditEvent, self.tenant, action=action)


@pytest.fixture
def brand() -> Brand:
    return Brand()


def test_approving_releases_the_render_and_approving_again_changes_nothing(brand):
    assert brand.render().compliance_state == Render.ComplianceState.HELD

    first = brand.do(review.review_approve, note="检测报告已补")
    again = brand.do(review.review_approve)

    assert (first.state, again.state) == ("approved", "approved")
    render = brand.render()
    assert (render.compliance_state, render.is_released) == ("approved", True)
    [decision] = brand.decisions()
    assert (decision.action, decision.actor_id, decision.note) == (
        "approve", brand.reviewer.pk, "检测报告已补",
    )  # fmt: skip
    assert decision.ruleset_version == render.ruleset_version != ""
    assert len(brand.audits("compliance.review_approved")) == 1


def test_rejecting_withholds_the_render_and_refunds_nothing(brand):
    charged = rows(LedgerEntry, brand.tenant, kind="capture")

    item = brand.do(review.review_reject, reason_code="medical_claim", note="抑菌需检测报告")

    assert (item.state, item.reason_code, item.decided_by_staff) == (
        "rejected", "medical_claim", False,
    )  # fmt: skip
    assert brand.render().compliance_state == "rejected"
    assert rows(LedgerEntry, brand.tenant, kind="refund") == []
    assert rows(LedgerEntry, brand.tenant, kind="capture") == charged


def test_an_unknown_reason_code_is_refused_and_nothing_changes(brand):
    with pytest.raises(ValidationError) as refused:
        brand.do(review.review_reject, reason_code="because")

    assert "reason_code" in refused.value.message_dict
    assert (brand.item_now().state, brand.render().compliance_state) == ("open", "held")
    assert brand.decisions() == []


@pytest.mark.parametrize(
    ("first", "then"),
    [
        (lambda b: b.do(review.review_reject, reason_code="brand_policy"), review.review_approve),
        (lambda b: b.do(review.review_approve), review.review_escalate),
        (lambda b: b.do(review.review_escalate), review.review_approve),
    ],
    ids=["approve-rejected", "escalate-approved", "approve-escalated"],
)
def test_a_decided_item_refuses_another_decision(brand, first, then):
    first(brand)
    state, render_state = brand.item_now().state, brand.render().compliance_state

    with pytest.raises(ReviewStateError):
        brand.do(then)

    assert (brand.item_now().state, brand.render().compliance_state) == (state, render_state)
    assert len(brand.decisions()) == 1


@pytest.mark.parametrize("role", [Role.EDITOR, Role.VIEWER])
def test_roles_without_review_decisions_cannot_approve(brand, role):
    someone = member(brand.tenant, role).user

    with tenant_scope(brand.tenant.pk), pytest.raises(PermissionDenied):
        review.review_approve(tenant=brand.tenant, user=someone, item_id=brand.item.pk)

    assert brand.item_now().state == "open"


def test_another_brands_item_is_not_found_and_unchanged(brand):
    other = TenantFactory()
    owner = member(other, Role.OWNER).user

    with tenant_scope(other.pk), pytest.raises(ReviewItem.DoesNotExist):
        review.review_approve(tenant=other, user=owner, item_id=brand.item.pk)

    assert brand.item_now().state == "open"


def test_an_edit_still_blocked_is_refused_with_its_findings_and_stores_nothing(brand):
    copy_before = brand.render().copy
    blocked = Copy(
        **{**CLEAN_COPY.as_json(), "headline": "三天祛痘，效果最好", "bullets": ("温和",)}
    )

    with pytest.raises(CopyStillBlocked) as refused:
        brand.do(review.review_edit, copy=blocked)

    assert refused.value.result["verdict"] == "block"
    assert {f["field"] for f in refused.value.result["findings"]} == {"headline"}
    render = brand.render()
    assert (render.copy, render.status, render.asset_id is not None) == (copy_before, "done", True)
    assert brand.decisions() == []


def test_an_edit_that_passes_is_stored_re_rendered_and_then_approvable(brand):
    old_asset = brand.render().asset_id
    captures = rows(LedgerEntry, brand.tenant, kind="capture")

    brand.do(review.review_edit, copy=CLEAN_COPY)
    brand.do(review.review_edit, copy=CLEAN_COPY)  # a retried request

    waiting = brand.render()
    assert (waiting.status, waiting.asset_id, waiting.copy) == (
        "pending",
        None,
        CLEAN_COPY.as_json(),
    )
    assert (waiting.compliance_verdict, waiting.compliance_state) == ("pass", "held")
    [edit] = brand.decisions()
    assert edit.action == "edit" and edit.data["verdict"] == "pass"

    render_again(brand.tenant, waiting.pk)
    brand.do(review.review_approve)

    render = brand.render()
    assert (render.status, render.compliance_state) == ("done", "approved")
    assert render.asset_id not in (None, old_asset)
    with tenant_scope(brand.tenant.pk):
        receipt = Render.objects.select_related("asset").get(pk=render.pk).asset.receipt
    assert receipt["copy"] == CLEAN_COPY.as_json()
    assert receipt["compliance"]["verdict"] == "pass"
    assert rows(LedgerEntry, brand.tenant, kind="capture") == captures  # not charged again


def test_escalating_opens_one_platform_case_due_sooner_and_keeps_the_render_held(brand):
    item = brand.do(review.review_escalate, note="拿不准")
    brand.do(review.review_escalate)

    [case] = rows(ModerationCase, brand.tenant)
    assert (item.state, case.reason, case.state) == ("escalated", "escalation", "open")
    hours = (case.due_at - case.created_at).total_seconds() / 3600
    assert 3.99 < hours <= 4.0
    assert brand.render().compliance_state == "held"
    assert [d.action for d in brand.decisions()] == ["escalate"]


def _staff(name: str):
    return UserFactory(username=f"{name}@platform.test", is_staff=True)


def test_only_a_moderators_rejection_can_be_appealed_and_only_once(brand):
    first, second = _staff("first"), _staff("second")
    brand.do(review.review_reject, reason_code="brand_policy")
    with pytest.raises(ReviewStateError):
        brand.do(review.review_appeal, message="请复核")

    other = Brand()
    other.do(review.review_escalate)
    [case] = rows(ModerationCase, other.tenant)
    moderation.moderation_decide(staff=first, case_id=case.pk, decision="reject",
                                 reason_code="medical_claim", note="抑菌属医疗用语")  # fmt: skip
    appealed = other.do(review.review_appeal, message="我们有检测报告")
    other.do(review.review_appeal, message="我们有检测报告")  # a retried request
    moderation.moderation_decide(staff=second, case_id=case.pk, decision="reject",
                                 reason_code="medical_claim")  # fmt: skip

    assert appealed.state == "appealed"
    with pytest.raises(ReviewStateError, match="upheld on appeal"):
        other.do(review.review_appeal, message="再看看")
    assert [d.action for d in other.decisions()] == ["escalate", "reject", "appeal", "reject"]
    assert other.item_now().state == "rejected"


def test_an_empty_appeal_message_is_refused(brand):
    with pytest.raises(ValidationError) as refused:
        brand.do(review.review_appeal, message="  ")

    assert "message" in refused.value.message_dict


def test_a_failed_render_cannot_be_edited_into_a_free_render(brand):
    with tenant_scope(brand.tenant.pk):
        Render.objects.filter(pk=brand.item.render_id).update(status=Render.Status.FAILED)

    with pytest.raises(ReviewStateError, match="failed"):
        brand.do(review.review_edit, copy=CLEAN_COPY)

    assert brand.render().status == "failed"
    assert brand.decisions() == []
