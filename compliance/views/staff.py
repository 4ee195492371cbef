"""The platform's moderation pages: the queue of every brand's cases, a case with its decision
form, the appeals, and findings analytics. Staff only: anyone else signed in gets 404, as on
the staff billing pages. Each POST calls one service of `compliance.moderation`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from generation.pages_support import channel_label
from tenants.views.base import StaffPage, current_user

from .. import moderation, page_selectors, selectors
from ..analytics_chart import week_chart
from ..exceptions import ReviewStateError
from ..forms import ModerationDecisionForm, ModerationFilterForm
from ..models import ModerationCase
from .present import copy_lines, copy_review, decision_rows, reason_article, reason_label

PAGE_SIZE = 25
QUEUE_LIMIT = 500  # the queue page reads at most this many open cases, most urgent first
ANALYTICS_WEEKS = 12


class ModerationPage(StaffPage):
    nav = "staff_moderation"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["stats"] = selectors.moderation_stats()
        return context


def claim_active(case: ModerationCase, now: datetime) -> bool:
    """Whether the case's claim still holds (claims lapse after APP_COMPLIANCE_CLAIM_MINUTES)."""
    return (
        case.state == ModerationCase.State.CLAIMED
        and case.claimed_at is not None
        and case.claimed_at >= now - timedelta(minutes=settings.APP_COMPLIANCE_CLAIM_MINUTES)
    )


@dataclass(frozen=True)
class CaseRow:
    case: ModerationCase
    is_overdue: bool
    is_mine: bool  # claimed by whoever reads the page
    claimed_by_other: bool


def case_rows(cases: list[ModerationCase], *, staff_id: int, now: datetime) -> list[CaseRow]:
    rows = []
    for case in cases:
        active = claim_active(case, now)
        rows.append(
            CaseRow(
                case=case,
                is_overdue=case.state in ModerationCase.OPEN_STATES and case.due_at < now,
                is_mine=active and case.claimed_by_id == staff_id,
                claimed_by_other=active and case.claimed_by_id != staff_id,
            )
        )
    return rows


# THE QUEUE ----------------------------------------------------------------------------------


class ModerationQueueView(ModerationPage):
    template_name = "compliance/staff/queue.html"
    tab = "queue"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = ModerationFilterForm(self.request.GET)
        reason = filters.cleaned_data["reason"] if filters.is_valid() else ""
        cases = selectors.moderation_queue(reason=reason, limit=QUEUE_LIMIT)
        page = Paginator(cases, PAGE_SIZE).get_page(self.request.GET.get("page"))
        now = timezone.now()
        context.update(
            tab=self.tab,
            page_obj=page,
            rows=case_rows(list(page.object_list), staff_id=current_user(self.request).pk, now=now),
            reason=reason,
            reasons=ModerationCase.Reason.choices,
            now=now,
        )
        return context


class ClaimNextView(ModerationPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        case = moderation.moderation_claim_next(staff=current_user(request))
        if case is None:
            messages.info(request, _("Nothing to claim: the queue is empty."))
            return redirect("moderation_queue")
        messages.success(
            request,
            _("You hold case #%(id)s of %(brand)s for %(minutes)s minutes.")
            % {
                "id": case.pk,
                "brand": case.tenant.name,
                "minutes": settings.APP_COMPLIANCE_CLAIM_MINUTES,
            },
        )
        return redirect("moderation_case", case_id=case.pk)


# A CASE -------------------------------------------------------------------------------------


class ModerationCaseView(ModerationPage):
    template_name = "compliance/staff/case.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        case = selectors.moderation_case_get(case_id=self.kwargs["case_id"])
        render = case.render
        staff = current_user(self.request)
        now = timezone.now()
        [row] = case_rows([case], staff_id=staff.pk, now=now)
        is_open = case.state in ModerationCase.OPEN_STATES
        first_decider = (
            case.stage == ModerationCase.Stage.APPEAL and case.first_decided_by_id == staff.pk
        )
        copy = render.copy if isinstance(render.copy, dict) else {}
        record = render.compliance if isinstance(render.compliance, dict) else {}
        context.update(
            tab="queue" if case.stage == ModerationCase.Stage.FIRST else "appeals",
            case=case,
            row=row,
            render=render,
            channel_label=channel_label(render.channel),
            poster=page_selectors.poster_of(render),
            review=copy_review(copy, record),
            original_copy=copy_lines(record.get("original_copy")),
            rewrites=record.get("rewrites", 0),
            history=decision_rows(case.history),  # type: ignore[attr-defined]
            is_open=is_open,
            is_first_decider=first_decider,
            can_decide=is_open and not first_decider and not row.claimed_by_other,
            reason_label=reason_label(case.reason_code) if case.reason_code else "",
            reason_article=reason_article(case.reason_code),
            form=kwargs.get("form") or ModerationDecisionForm(),
        )
        return context

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        form = ModerationDecisionForm(request.POST)
        if form.is_valid():
            try:
                case = moderation.moderation_decide(
                    staff=current_user(request),
                    case_id=case_id,
                    decision=form.cleaned_data["decision"],
                    reason_code=form.cleaned_data["reason_code"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except (ReviewStateError, PermissionDenied) as refusal:
                messages.error(request, str(refusal))
                return redirect("moderation_case", case_id=case_id)
            else:
                decided = (
                    _("Case #%(id)s approved.")
                    if case.state == ModerationCase.State.APPROVED
                    else _("Case #%(id)s rejected; the brand has been told why.")
                )
                messages.success(request, decided % {"id": case.pk})
                return redirect("moderation_queue")
        return self.render_page(status=400, form=form)


class ReleaseView(ModerationPage):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, case_id: int) -> HttpResponse:
        moderation.moderation_release(staff=current_user(request), case_id=case_id)
        messages.info(request, _("Case #%(id)s is back on the queue.") % {"id": case_id})
        return redirect("moderation_queue")


# APPEALS ------------------------------------------------------------------------------------


class AppealListView(ModerationPage):
    template_name = "compliance/staff/appeals.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = page_selectors.appeal_page(number=self.request.GET.get("page"), per_page=PAGE_SIZE)
        staff_id = current_user(self.request).pk
        context.update(
            tab="appeals",
            page_obj=page,
            rows=case_rows(list(page.object_list), staff_id=staff_id, now=timezone.now()),
            staff_id=staff_id,
        )
        return context


# ANALYTICS ----------------------------------------------------------------------------------


class AnalyticsView(ModerationPage):
    template_name = "compliance/staff/analytics.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        weeks = [this_monday - timedelta(weeks=n) for n in range(ANALYTICS_WEEKS - 1, -1, -1)]
        report = page_selectors.findings_report(
            selectors.findings_per_week_all_brands(weeks=ANALYTICS_WEEKS), weeks=weeks
        )
        brands = page_selectors.brand_names(tenant_ids=(int(t.key) for t in report.per_brand))
        context.update(
            tab="analytics",
            report=report,
            brands=[(brands.get(int(tally.key)), tally) for tally in report.per_brand],
            chart=week_chart(report.per_week),
            weeks=ANALYTICS_WEEKS,
        )
        return context
