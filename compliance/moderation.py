"""The platform moderation queue: cases opened by the pipeline (blocked-then-rewritten copy, a
random sample of passed copy) and by brands (escalations), worked by staff across brands.

Flow of a case: open → claimed (one moderator, `APP_COMPLIANCE_CLAIM_MINUTES`) → approved |
rejected. A rejection can be appealed once by the brand (`review.review_appeal`): the case opens
again at the appeal stage and a different moderator decides it. Every decision writes a
`ComplianceDecision` and an audit row, and changes the render (and its review item) in the same
transaction, under row locks taken in one order: render, review item, case, job.

A rejection takes the asset away from the brand (not downloadable) and refunds the render's
credits once (`refund:render:<id>`): at once when its job was charged already, else when the job
ends (`moderation_refunds_settle`, called by the job's charge).
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import ledger
from generation.models import Job, Render
from tenants.audit import audit_record
from tenants.context import tenant_scope, unscoped
from tenants.models import Tenant

from .exceptions import ReviewStateError
from .models import ComplianceDecision, ModerationCase, ReviewItem
from .reason_codes import REASON_CODES, reason_code_get

logger = logging.getLogger(__name__)

APPROVE = "approve"
REJECT = "reject"
MAX_NOTE_CHARS = 2000


# OPENING CASES ------------------------------------------------------------------------------


def sla_due(*, reason: str, now: datetime) -> datetime:
    hours = (
        settings.APP_COMPLIANCE_ESCALATION_SLA_HOURS
        if reason == ModerationCase.Reason.ESCALATION
        else settings.APP_COMPLIANCE_SLA_HOURS
    )
    return now + timedelta(hours=hours)


def in_sample(render_id: int, *, rate: float | None = None) -> bool:
    """Whether a passed render is in the platform's random sample: a hash of its id, so the
    answer is the same every time it is asked (APP_COMPLIANCE_SAMPLE_RATE of renders)."""
    rate = settings.APP_COMPLIANCE_SAMPLE_RATE if rate is None else rate
    digest = hashlib.sha256(f"moderation-sample:{render_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def cases_open(*, tenant_id: int, render_ids: list[int], reason: str) -> int:
    """Open a case of `reason` for each render that has none (the pipeline's bulk path)."""
    now = timezone.now()
    cases = [
        ModerationCase(
            tenant_id=tenant_id,
            render_id=render_id,
            reason=reason,
            due_at=sla_due(reason=reason, now=now),
            created_at=now,
        )
        for render_id in render_ids
    ]
    return len(ModerationCase.objects.bulk_create(cases, ignore_conflicts=True))


# STAFF: READ, CLAIM, DECIDE -----------------------------------------------------------------


def _require_staff(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise PermissionDenied(_("Only platform staff moderate."))


def _claim_expired_before(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.APP_COMPLIANCE_CLAIM_MINUTES)


def moderation_claim_next(*, staff: User, now: datetime | None = None) -> ModerationCase | None:
    """Claim the most urgent case nobody is working on, of any brand; None when the queue is
    empty. A moderator who still holds an unexpired claim gets that case back instead (one at a
    time). Appeals are never offered to the moderator who took the first decision.

    Concurrent callers never get the same case (SELECT … FOR UPDATE SKIP LOCKED).
    """
    _require_staff(staff)
    now = now or timezone.now()
    stale = _claim_expired_before(now)
    with unscoped(reason="staff: claim the next moderation case"):
        held = (
            ModerationCase.all_tenants.filter(
                state=ModerationCase.State.CLAIMED, claimed_by=staff, claimed_at__gte=stale
            )
            .order_by("due_at", "pk")
            .first()
        )
        if held is not None:
            return _loaded(held.pk)
        candidate = (
            ModerationCase.all_tenants.select_for_update(skip_locked=True)
            .filter(
                Q(state=ModerationCase.State.OPEN)
                | Q(state=ModerationCase.State.CLAIMED, claimed_at__lt=stale)
            )
            .exclude(stage=ModerationCase.Stage.APPEAL, first_decided_by=staff)
            .order_by("due_at", "pk")
            .first()
        )
        if candidate is None:
            return None
        candidate.state = ModerationCase.State.CLAIMED
        candidate.claimed_by = staff
        candidate.claimed_at = now
        candidate.save(update_fields=["state", "claimed_by", "claimed_at"])
        logger.info(
            "moderation.claimed",
            extra={"tenant_id": candidate.tenant_id, "case_id": candidate.pk, "staff": staff.pk},
        )
        return _loaded(candidate.pk)


def _loaded(case_id: int) -> ModerationCase:
    return ModerationCase.all_tenants.select_related(
        "tenant", "render", "render__asset", "claimed_by"
    ).get(pk=case_id)


def moderation_release(*, staff: User, case_id: int) -> None:
    """Give a claimed case back to the queue (only its claimer can)."""
    _require_staff(staff)
    with unscoped(reason="staff: release a claimed moderation case"):
        ModerationCase.all_tenants.filter(
            pk=case_id, state=ModerationCase.State.CLAIMED, claimed_by=staff
        ).update(state=ModerationCase.State.OPEN, claimed_by=None, claimed_at=None)


def _case_tenant_id(case_id: int) -> int:
    with unscoped(reason="staff: which brand a moderation case belongs to"):
        tenant_id = (
            ModerationCase.all_tenants.filter(pk=case_id)
            .values_list("tenant_id", flat=True)
            .first()
        )
    if tenant_id is None:
        raise ModerationCase.DoesNotExist(f"No moderation case {case_id}.")
    return tenant_id


@dataclass(frozen=True)
class Locked:
    render: Render
    item: ReviewItem | None
    case: ModerationCase | None


def lock_render(*, tenant_id: int, render_id: int) -> Locked:
    """The render, its review item and its case, locked in the one order every decision uses."""
    render = (
        Render.objects.select_for_update(of=("self",))
        .select_related("job")
        .get(tenant_id=tenant_id, pk=render_id)
    )
    item = ReviewItem.objects.select_for_update().filter(tenant_id=tenant_id, render=render).first()
    case = (
        ModerationCase.objects.select_for_update()
        .filter(tenant_id=tenant_id, render=render)
        .first()
    )
    return Locked(render=render, item=item, case=case)


def decision_record(
    *,
    render: Render,
    action: str,
    actor: User | None,
    by_staff: bool,
    item: ReviewItem | None = None,
    case: ModerationCase | None = None,
    api_key: object = None,
    reason_code: str = "",
    note: str = "",
    data: dict[str, object] | None = None,
) -> ComplianceDecision:
    """One row of the render's decision history, under the rule-set version its findings came
    from (the version a decider was shown)."""
    return ComplianceDecision.objects.create(
        tenant_id=render.tenant_id,
        render=render,
        review_item=item,
        moderation_case=case,
        action=action,
        by_staff=by_staff,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_api_key=api_key,
        reason_code=reason_code,
        note=note,
        ruleset_version=render.ruleset_version,
        data=data or {},
    )


def _clean_reason(*, decision: str, reason_code: str, note: str) -> tuple[str, str]:
    note = note.strip()
    errors: dict[str, list[str]] = {}
    if decision not in (APPROVE, REJECT):
        errors["decision"] = [_("The decision must be 'approve' or 'reject'.")]
    if decision == REJECT or reason_code:
        try:
            reason_code_get(reason_code, staff=True)
        except KeyError:
            codes = ", ".join(code for code, reason in REASON_CODES.items() if reason.staff)
            errors["reason_code"] = [
                _("A rejection needs a reason code: one of %(codes)s.") % {"codes": codes}
            ]
    if reason_code == "other_law" and not note:
        errors["note"] = [_("Name the provision in the note.")]
    if len(note) > MAX_NOTE_CHARS:
        errors["note"] = [_("The note is longer than 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    return reason_code, note


def moderation_decide(
    *, staff: User, case_id: int, decision: str, reason_code: str = "", note: str = ""
) -> ModerationCase:
    """A moderator's approve or reject on a case of any brand, with a reason code (required to
    reject) mapped to a law article, and a note.

    Idempotent: the same moderator deciding the same way again returns the case unchanged (no
    second decision, no second refund). Raises PermissionDenied (not staff; an appeal by its
    first decider), ReviewStateError (decided already, claimed by someone else),
    ValidationError (reason), ModerationCase.DoesNotExist.
    """
    _require_staff(staff)
    reason_code, note = _clean_reason(decision=decision, reason_code=reason_code, note=note)
    tenant_id = _case_tenant_id(case_id)
    with tenant_scope(tenant_id, user_id=staff.pk):
        render_id = ModerationCase.objects.values_list("render_id", flat=True).get(pk=case_id)
        locked = lock_render(tenant_id=tenant_id, render_id=render_id)
        case = locked.case
        assert case is not None and case.pk == case_id
        target = (
            ModerationCase.State.APPROVED if decision == APPROVE else ModerationCase.State.REJECTED
        )
        if case.state == target and case.decided_by_id == staff.pk:
            return case  # a retried request: the decision stands as it was taken
        if case.state not in ModerationCase.OPEN_STATES:
            raise ReviewStateError(
                _("This case was %(state)s already.") % {"state": case.get_state_display().lower()}
            )
        now = timezone.now()
        if (
            case.state == ModerationCase.State.CLAIMED
            and case.claimed_by_id not in (None, staff.pk)
            and case.claimed_at is not None
            and case.claimed_at >= _claim_expired_before(now)
        ):
            raise ReviewStateError(_("Another moderator has claimed this case."))
        if case.stage == ModerationCase.Stage.APPEAL and case.first_decided_by_id == staff.pk:
            raise PermissionDenied(_("An appeal is decided by a different moderator."))
        _apply(locked=locked, case=case, staff=staff, decision=decision, now=now,
               reason_code=reason_code, note=note)  # fmt: skip
        return case


def _apply(
    *,
    locked: Locked,
    case: ModerationCase,
    staff: User,
    decision: str,
    now: datetime,
    reason_code: str,
    note: str,
) -> None:
    render, item = locked.render, locked.item
    tenant = Tenant.objects.get(pk=render.tenant_id)
    first_stage = case.stage == ModerationCase.Stage.FIRST
    case.state = (
        ModerationCase.State.APPROVED if decision == APPROVE else ModerationCase.State.REJECTED
    )
    case.decided_by = staff
    case.decided_at = now
    case.reason_code = reason_code
    case.note = note
    if first_stage:
        case.first_decided_by = staff
    case.save()
    refunded: Decimal | None = None
    if decision == APPROVE:
        # Releases what is held; a brand's own rejection stands (it is the brand's choice).
        if render.compliance_state in (
            Render.ComplianceState.HELD,
            Render.ComplianceState.REJECTED,
        ) and (item is None or item.state != ReviewItem.State.REJECTED or item.decided_by_staff):
            _render_state(render, Render.ComplianceState.APPROVED)
        if item is not None and item.state in (
            ReviewItem.State.OPEN,
            ReviewItem.State.ESCALATED,
            ReviewItem.State.APPEALED,
        ):
            _item_decided(item, ReviewItem.State.APPROVED, staff=staff, now=now)
    else:
        _render_state(render, Render.ComplianceState.REJECTED)
        if item is None:
            item = ReviewItem.objects.create(
                tenant_id=render.tenant_id, render=render, job_id=render.job_id,
                state=ReviewItem.State.REJECTED,
            )  # fmt: skip
        _item_decided(
            item,
            ReviewItem.State.REJECTED,
            staff=staff,
            now=now,
            reason_code=reason_code,
            note=note,
        )
        refunded = _refund_if_charged(tenant=tenant, render=render)
    decision_record(
        render=render,
        action=ComplianceDecision.Action.APPROVE
        if decision == APPROVE
        else ComplianceDecision.Action.REJECT,
        actor=staff,
        by_staff=True,
        item=item,
        case=case,
        reason_code=reason_code,
        note=note,
        data={
            "stage": case.stage,
            "case_reason": case.reason,
            "refunded": str(refunded) if refunded is not None else None,
        },
    )
    audit_record(
        tenant=tenant,
        actor=staff,
        action=f"compliance.moderation_{'approved' if decision == APPROVE else 'rejected'}",
        target=render,
        data={
            "case_id": case.pk,
            "stage": case.stage,
            "reason_code": reason_code,
            "ruleset_version": render.ruleset_version,
        },
    )


def _render_state(render: Render, state: str) -> None:
    if render.compliance_state != state:
        render.compliance_state = state
        render.save(update_fields=["compliance_state"])


def _item_decided(
    item: ReviewItem,
    state: str,
    *,
    staff: User,
    now: datetime,
    reason_code: str = "",
    note: str = "",
) -> None:
    item.state = state
    item.decided_by = staff
    item.decided_by_staff = True
    item.decided_at = now
    item.reason_code = reason_code
    item.note = note
    item.save()


# REFUNDS ------------------------------------------------------------------------------------


def _refund_key(render: Render) -> str:
    return f"refund:render:{render.pk}"


def _refund_if_charged(*, tenant: Tenant, render: Render) -> Decimal | None:
    """Refund a rejected render's price if its job has been charged for it (the job row is
    locked, so the job's charge and this refund never interleave); else the charge will."""
    job = Job.objects.select_for_update().get(tenant=tenant, pk=render.job_id)
    if not job.is_finished:
        return None
    return _refund(tenant=tenant, job=job, render=render)


def _refund(*, tenant: Tenant, job: Job, render: Render) -> Decimal | None:
    delivered = render.status == Render.Status.DONE or (
        render.status == Render.Status.PENDING and render.attempts > 0  # re-rendering an edit
    )
    if not delivered:
        return None
    entry = ledger.credit_refund(
        tenant=tenant,
        reference=job.credit_reference,
        amount=job.render_price(render.channel),
        idempotency_key=_refund_key(render),
        reason=f"render {render.pk} rejected by moderation",
    )
    return entry.purchased_delta if entry is not None else None


def moderation_refunds_settle(*, job: Job) -> int:
    """Refund the job's renders that moderation rejected before the job was charged; returns
    how many of its rejected renders have their refund. Runs under the job's row lock, after
    its charge; each render is refunded once whoever asks (the key is per render)."""
    rejected = Render.objects.filter(
        tenant_id=job.tenant_id,
        job=job,
        compliance_state=Render.ComplianceState.REJECTED,
        moderation_cases__state=ModerationCase.State.REJECTED,
    )
    tenant = job.tenant
    refunded = 0
    for render in rejected:
        if _refund(tenant=tenant, job=job, render=render) is not None:
            refunded += 1
    return refunded
