"""A brand's review queue: renders the check held at review, decided by the brand's reviewers.

States of a review item (see docs/decisions/0005):

    open ──approve──▶ approved            (the render is released: downloadable)
    open ──reject───▶ rejected            (the brand's choice: not downloadable, no refund)
    open ──edit─────▶ open                (re-checked; stored and re-rendered unless blocked)
    open ──escalate─▶ escalated ──staff──▶ approved | rejected
    rejected by staff ──appeal (once)──▶ appealed ──another moderator──▶ approved | rejected

Every service takes the brand first and the acting member (`user`, None for an API key, which
is named by `api_key` instead), checks DECIDE_REVIEWS for members, and writes its decision row
and audit row in the transaction that changes the item and the render, under the render's row
lock. Retrying a request that succeeded returns the same result and writes nothing more.
"""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from generation import jobs
from generation.backends.text.base import Copy
from generation.models import Render
from tenants.audit import audit_record
from tenants.models import ApiKey, Tenant
from tenants.roles import Permission
from tenants.services import require_permission

from . import pipeline
from .exceptions import CopyStillBlocked, ReviewStateError
from .models import ComplianceDecision, ModerationCase, ReviewItem
from .moderation import MAX_NOTE_CHARS, Locked, decision_record, lock_render, sla_due
from .reason_codes import REASON_CODES, reason_code_get
from .selectors import brand_context
from .types import Verdict


def _locked_item(*, tenant: Tenant, user: User | None, item_id: int) -> tuple[Locked, ReviewItem]:
    if user is not None:
        require_permission(tenant=tenant, user=user, permission=Permission.DECIDE_REVIEWS)
    render_id = ReviewItem.objects.values_list("render_id", flat=True).get(
        tenant=tenant, pk=item_id
    )
    locked = lock_render(tenant_id=tenant.pk, render_id=render_id)
    assert locked.item is not None
    return locked, locked.item


def _refuse(item: ReviewItem, doing: str) -> ReviewStateError:
    return ReviewStateError(
        _("This item is %(state)s; only an item at review can be %(doing)s.")
        % {"state": item.get_state_display().lower(), "doing": doing}
    )


def _decided(
    item: ReviewItem, state: str, *, user: User | None, reason_code: str = "", note: str = ""
) -> None:
    item.state = state
    item.decided_by = user
    item.decided_by_staff = False
    item.decided_at = timezone.now()
    item.reason_code = reason_code
    item.note = note
    item.save()


def _render_state(render: Render, state: str) -> None:
    render.compliance_state = state
    render.save(update_fields=["compliance_state"])


def _audit(
    *, tenant: Tenant, user: User | None, api_key: ApiKey | None, action: str, item: ReviewItem,
    data: dict[str, object] | None = None,
) -> None:  # fmt: skip
    audit_record(
        tenant=tenant,
        actor=user,
        api_key=api_key,
        action=f"compliance.review_{action}",
        target=item,
        data={"render_id": item.render_id, "job_id": item.job_id, **(data or {})},
    )


@transaction.atomic
def review_approve(
    *,
    tenant: Tenant,
    user: User | None,
    item_id: int,
    note: str = "",
    api_key: ApiKey | None = None,
) -> ReviewItem:
    """Approve an item at review: its render is released (downloadable). Approving an approved
    item returns it unchanged. Raises ReviewItem.DoesNotExist (another brand's id),
    PermissionDenied, ReviewStateError (rejected, escalated or appealed items)."""
    locked, item = _locked_item(tenant=tenant, user=user, item_id=item_id)
    if item.state == ReviewItem.State.APPROVED:
        return item
    if item.state != ReviewItem.State.OPEN:
        raise _refuse(item, _("approved"))
    note = _clean_note(note)
    _decided(item, ReviewItem.State.APPROVED, user=user, note=note)
    _render_state(locked.render, Render.ComplianceState.APPROVED)
    decision_record(
        render=locked.render, action=ComplianceDecision.Action.APPROVE, actor=user,
        api_key=api_key, by_staff=False, item=item, note=note,
    )  # fmt: skip
    _audit(tenant=tenant, user=user, api_key=api_key, action="approved", item=item)
    return item


def _clean_note(note: str) -> str:
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError({"note": [_("The note is longer than 2,000 characters.")]})
    return note


@transaction.atomic
def review_reject(
    *,
    tenant: Tenant,
    user: User | None,
    item_id: int,
    reason_code: str,
    note: str = "",
    api_key: ApiKey | None = None,
) -> ReviewItem:
    """Reject an item at review with a reason code (compliance.reason_codes) and a note: its
    render is not downloadable. The brand's own rejection refunds nothing (it chose not to use
    what it was given). Rejecting again with the same reason returns the item unchanged."""
    locked, item = _locked_item(tenant=tenant, user=user, item_id=item_id)
    if (
        item.state == ReviewItem.State.REJECTED
        and not item.decided_by_staff
        and (item.reason_code == reason_code)
    ):
        return item
    if item.state != ReviewItem.State.OPEN:
        raise _refuse(item, _("rejected"))
    try:
        reason_code_get(reason_code, staff=False)
    except KeyError:
        raise ValidationError(
            {"reason_code": [_("Use one of %(codes)s.") % {"codes": ", ".join(REASON_CODES)}]}
        ) from None
    note = _clean_note(note)
    if reason_code == "other_law" and not note:
        raise ValidationError({"note": [_("Name the provision in the note.")]})
    _decided(item, ReviewItem.State.REJECTED, user=user, reason_code=reason_code, note=note)
    _render_state(locked.render, Render.ComplianceState.REJECTED)
    decision_record(
        render=locked.render, action=ComplianceDecision.Action.REJECT, actor=user,
        api_key=api_key, by_staff=False, item=item, reason_code=reason_code, note=note,
    )  # fmt: skip
    _audit(
        tenant=tenant, user=user, api_key=api_key, action="rejected", item=item,
        data={"reason_code": reason_code},
    )  # fmt: skip
    return item


@transaction.atomic
def review_edit(
    *, tenant: Tenant, user: User | None, item_id: int, copy: Copy, api_key: ApiKey | None = None
) -> ReviewItem:
    """Replace an item's copy and check it again (the brand's current rules, evidence and the
    product's prices). Still blocked → CopyStillBlocked, nothing stored. Otherwise the copy is
    stored on the render, which renders again after commit (so the poster shows the approved
    text, and the old poster cannot be taken meanwhile); the item stays at review with the new
    verdict, for a reviewer to approve. The same copy again changes nothing.

    The re-render is not charged again: the job's charge counts each render once.
    """
    locked, item = _locked_item(tenant=tenant, user=user, item_id=item_id)
    render = locked.render
    if item.state != ReviewItem.State.OPEN:
        raise _refuse(item, _("edited"))
    if copy.as_json() == render.copy:
        return item
    if render.status in (Render.Status.FAILED, Render.Status.CANCELLED):
        # Rendering it now would deliver a poster nobody was charged for.
        raise ReviewStateError(
            _("This render %(status)s; retry the job's failed renders (or clone the job) first.")
            % {"status": render.get_status_display().lower()}
        )
    kit = render.job.brand_kit
    context = brand_context(tenant=tenant, product=render.product)
    check = pipeline.copy_check(
        copy,
        context=context,
        lang=kit.language,
        category=render.product.category if render.product is not None else None,
    )
    if check.verdict == Verdict.BLOCK:
        raise CopyStillBlocked(
            _("The edited copy is still blocked by the ad-law check; nothing was saved."),
            result=check.as_json(),
        )
    previous = render.copy
    record = check.as_json()
    record["rewrites"] = 0
    record["first_verdict"] = str(check.verdict)
    record["edited"] = True
    render.compliance = record
    render.compliance_verdict = str(check.verdict)
    render.ruleset_version = check.result.ruleset_version
    render.compliance_state = Render.ComplianceState.HELD
    render.save(
        update_fields=["compliance", "compliance_verdict", "ruleset_version", "compliance_state"]
    )
    jobs.render_recopy(render=render, copy=copy.as_json())
    item.save(update_fields=["updated_at"])
    decision_record(
        render=render, action=ComplianceDecision.Action.EDIT, actor=user, api_key=api_key,
        by_staff=False, item=item,
        data={"verdict": str(check.verdict), "previous_copy": previous, "copy": copy.as_json()},
    )  # fmt: skip
    _audit(
        tenant=tenant, user=user, api_key=api_key, action="edited", item=item,
        data={"verdict": str(check.verdict)},
    )  # fmt: skip
    return item


@transaction.atomic
def review_escalate(
    *,
    tenant: Tenant,
    user: User | None,
    item_id: int,
    note: str = "",
    api_key: ApiKey | None = None,
) -> ReviewItem:
    """Hand an item at review to the platform's moderators (due within
    APP_COMPLIANCE_ESCALATION_SLA_HOURS); the render stays held until they decide. Escalating an
    escalated item returns it unchanged."""
    locked, item = _locked_item(tenant=tenant, user=user, item_id=item_id)
    if item.state == ReviewItem.State.ESCALATED:
        return item
    if item.state != ReviewItem.State.OPEN:
        raise _refuse(item, _("escalated"))
    note = _clean_note(note)
    now = timezone.now()
    case = locked.case
    due = sla_due(reason=ModerationCase.Reason.ESCALATION, now=now)
    if case is None:
        case = ModerationCase.objects.create(
            tenant=tenant, render=locked.render, reason=ModerationCase.Reason.ESCALATION,
            due_at=due, note="",
        )  # fmt: skip
    elif case.state in ModerationCase.OPEN_STATES:
        # The render was on the queue already (its copy was blocked before the rewrite): it
        # becomes an escalation, due as soon as either deadline says.
        case.reason = ModerationCase.Reason.ESCALATION
        case.due_at = min(case.due_at, due)
        case.save(update_fields=["reason", "due_at"])
    else:
        raise ReviewStateError(_("The platform has decided this render already."))
    item.state = ReviewItem.State.ESCALATED
    item.note = note
    item.save(update_fields=["state", "note", "updated_at"])
    decision_record(
        render=locked.render, action=ComplianceDecision.Action.ESCALATE, actor=user,
        api_key=api_key, by_staff=False, item=item, case=case, note=note,
    )  # fmt: skip
    _audit(tenant=tenant, user=user, api_key=api_key, action="escalated", item=item)
    return item


@transaction.atomic
def review_appeal(
    *, tenant: Tenant, user: User | None, item_id: int, message: str, api_key: ApiKey | None = None
) -> ReviewItem:
    """Appeal a moderator's rejection, once: the case goes back on the platform queue (due
    within APP_COMPLIANCE_SLA_HOURS) for a different moderator. Appealing an appealed item
    returns it unchanged; a second appeal after the appeal was decided is refused."""
    locked, item = _locked_item(tenant=tenant, user=user, item_id=item_id)
    if item.state == ReviewItem.State.APPEALED:
        return item
    message = message.strip()
    if not message:
        raise ValidationError({"message": [_("Say why the rejection is wrong.")]})
    if len(message) > MAX_NOTE_CHARS:
        raise ValidationError({"message": [_("The message is longer than 2,000 characters.")]})
    case = locked.case
    if (
        item.state != ReviewItem.State.REJECTED
        or not item.decided_by_staff
        or case is None
        or case.state != ModerationCase.State.REJECTED
    ):
        raise ReviewStateError(_("Only a rejection by the platform's moderators can be appealed."))
    if case.stage == ModerationCase.Stage.APPEAL:
        raise ReviewStateError(
            _("This rejection was upheld on appeal; it cannot be appealed again.")
        )
    now = timezone.now()
    case.stage = ModerationCase.Stage.APPEAL
    case.state = ModerationCase.State.OPEN
    case.appeal_message = message
    case.appealed_at = now
    case.due_at = sla_due(reason=ModerationCase.Reason.SAMPLE, now=now)  # the standard SLA
    case.claimed_by = None
    case.claimed_at = None
    case.save()
    item.state = ReviewItem.State.APPEALED
    item.save(update_fields=["state", "updated_at"])
    decision_record(
        render=locked.render, action=ComplianceDecision.Action.APPEAL, actor=user,
        api_key=api_key, by_staff=False, item=item, case=case, note=message,
    )  # fmt: skip
    _audit(tenant=tenant, user=user, api_key=api_key, action="appealed", item=item)
    return item
