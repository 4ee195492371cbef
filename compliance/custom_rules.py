"""A brand's own banned words and allowed phrases: a plan feature (billing's `Plan.custom_rules`).

Creating or changing a rule needs the feature (PlanLimit → 403 `plan_limit` otherwise);
listing and deleting do not, so a brand that downgraded can still see and clean up its rules.
What the checker receives after a downgrade is decided in `selectors.brand_context`.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from billing.exceptions import PlanLimit
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant
from tenants.roles import Permission
from tenants.services import require_permission

from .models import CustomRule
from .selectors import custom_rules_enabled

MAX_PHRASE_CHARS = 100
MAX_RULES = 500


def _allowed(*, tenant: Tenant, user: User | None, writes_rule: bool) -> None:
    if user is not None:
        require_permission(tenant=tenant, user=user, permission=Permission.MANAGE_COMPLIANCE)
    if writes_rule and not custom_rules_enabled(tenant=tenant):
        raise PlanLimit(
            _(
                "Custom banned words and allowed phrases are part of the Team plan; upgrade to "
                "add or change them. (The brand kit's banned words are checked on every plan.)"
            )
        )


def _clean(*, kind: str, phrase: str, note: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    if kind not in CustomRule.Kind.values:
        errors["kind"] = [_("The kind must be 'banned' or 'allowed'.")]
    phrase = " ".join(phrase.split())
    if not phrase:
        errors["phrase"] = [_("The phrase is empty.")]
    elif len(phrase) > MAX_PHRASE_CHARS:
        errors["phrase"] = [
            _("The phrase has %(n)s characters; the limit is %(max)s.")
            % {"n": len(phrase), "max": MAX_PHRASE_CHARS}
        ]
    if len(note) > 300:
        errors["note"] = [_("The note is longer than 300 characters.")]
    if errors:
        raise ValidationError(errors)
    return kind, phrase, note.strip()


def _duplicate(kind: str, phrase: str) -> ValidationError:
    return ValidationError({"phrase": [_("The brand already has this %(kind)s.") % {"kind": kind}]})


@transaction.atomic
def custom_rule_create(
    *,
    tenant: Tenant,
    user: User | None,
    kind: str,
    phrase: str,
    note: str = "",
    api_key: ApiKey | None = None,
) -> CustomRule:
    """Add a banned word or an allowed phrase. Raises PlanLimit without the Team feature,
    PermissionDenied without MANAGE_COMPLIANCE, ValidationError (also for a duplicate)."""
    _allowed(tenant=tenant, user=user, writes_rule=True)
    kind, phrase, note = _clean(kind=kind, phrase=phrase, note=note)
    if CustomRule.objects.filter(tenant=tenant).count() >= MAX_RULES:
        raise ValidationError(_("A brand has at most %(max)s custom rules.") % {"max": MAX_RULES})
    try:
        with transaction.atomic():
            rule = CustomRule.objects.create(
                tenant=tenant, kind=kind, phrase=phrase, note=note, created_by=user
            )
    except IntegrityError:
        raise _duplicate(kind, phrase) from None
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action="compliance.rule_added",
        target=rule,
        data={"kind": kind, "phrase": phrase},
    )
    return rule


@transaction.atomic
def custom_rule_update(
    *,
    tenant: Tenant,
    user: User | None,
    rule_id: int,
    kind: str | None = None,
    phrase: str | None = None,
    note: str | None = None,
    api_key: ApiKey | None = None,
) -> CustomRule:
    """Change a rule (None leaves a field as it is). Raises CustomRule.DoesNotExist for another
    brand's id, PlanLimit, PermissionDenied, ValidationError."""
    rule = CustomRule.objects.select_for_update().get(tenant=tenant, pk=rule_id)
    _allowed(tenant=tenant, user=user, writes_rule=True)
    before = {"kind": rule.kind, "phrase": rule.phrase, "note": rule.note}
    rule.kind, rule.phrase, rule.note = _clean(
        kind=rule.kind if kind is None else kind,
        phrase=rule.phrase if phrase is None else phrase,
        note=rule.note if note is None else note,
    )
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:
        raise _duplicate(rule.kind, rule.phrase) from None
    after = {"kind": rule.kind, "phrase": rule.phrase, "note": rule.note}
    if after != before:
        audit_record(
            tenant=tenant,
            actor=user,
            api_key=api_key,
            action="compliance.rule_changed",
            target=rule,
            data={"from": before, "to": after},
        )
    return rule


@transaction.atomic
def custom_rule_delete(
    *, tenant: Tenant, user: User | None, rule_id: int, api_key: ApiKey | None = None
) -> None:
    """Remove a rule (allowed on every plan). Raises CustomRule.DoesNotExist, PermissionDenied."""
    rule = CustomRule.objects.select_for_update().get(tenant=tenant, pk=rule_id)
    _allowed(tenant=tenant, user=user, writes_rule=False)
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action="compliance.rule_removed",
        target=rule,
        data={"kind": rule.kind, "phrase": rule.phrase},
    )
    rule.delete()
