"""The brand's review queue: renders the ad-law check held, and those the platform rejected.

Every member reads the queue and the items; the actions need Permission.DECIDE_REVIEWS
(owners, admins, reviewers; not editors: whoever writes copy does not approve it). Each action
calls one service of `compliance.review` and redirects to the item with a message.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from generation.backends.text.base import Copy
from generation.models import Render
from generation.pages_support import channel_label
from tenants.roles import Permission, role_can
from tenants.views.base import current_user

from .. import review, selectors
from ..exceptions import CopyStillBlocked, ReviewStateError
from ..forms import AppealForm, CopyEditForm, EscalateForm, RejectForm, ReviewFilterForm
from ..models import ModerationCase, ReviewItem
from ..page_selectors import poster_of, thumbnail_of
from .base import CompliancePage
from .present import (
    copy_field_labels,
    copy_review,
    decision_rows,
    reason_article,
    reason_label,
    verdict_label,
)

PAGE_SIZE = 25
COPY_FIELDS = frozenset(Copy.__dataclass_fields__)


@dataclass(frozen=True)
class ReviewRow:
    item: ReviewItem
    thumbnail_url: str
    channel_label: str
    headline: str
    verdict_label: str
    finding_count: int


class ReviewListView(CompliancePage):
    template_name = "compliance/review_list.html"
    nav = "reviews"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = ReviewFilterForm(self.request.GET)
        state = filters.cleaned_data["state"] if filters.is_valid() else ""
        page = Paginator(
            selectors.review_item_list(tenant=self.tenant, state=state), PAGE_SIZE
        ).get_page(self.request.GET.get("page"))
        counts = selectors.review_counts(tenant=self.tenant)
        context.update(
            page_obj=page,
            rows=[self._row(item) for item in page.object_list],
            state=state,
            states=[(value, label, counts[value]) for value, label in ReviewItem.State.choices],
            total=sum(counts.values()),
        )
        return context

    @staticmethod
    def _row(item: ReviewItem) -> ReviewRow:
        render = item.render
        copy = render.copy if isinstance(render.copy, dict) else {}
        record = render.compliance if isinstance(render.compliance, dict) else {}
        return ReviewRow(
            item=item,
            thumbnail_url=thumbnail_of(render),
            channel_label=channel_label(render.channel),
            headline=str(copy.get("headline", "")),
            verdict_label=verdict_label(render.compliance_verdict)
            if render.compliance_verdict
            else "",
            finding_count=len(record.get("findings", [])),
        )


class ReviewItemView(CompliancePage):
    template_name = "compliance/review_item.html"
    nav = "reviews"
    write_permission = Permission.DECIDE_REVIEWS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        item = selectors.review_item_get(tenant=self.tenant, item_id=self.kwargs["item_id"])
        render = item.render
        case = selectors.moderation_case_of(tenant=self.tenant, render_id=render.pk)
        copy = render.copy if isinstance(render.copy, dict) else {}
        record = render.compliance if isinstance(render.compliance, dict) else {}
        can_decide = role_can(self.membership.role, Permission.DECIDE_REVIEWS)
        is_open = item.state == ReviewItem.State.OPEN
        appealable = (
            item.state == ReviewItem.State.REJECTED
            and item.decided_by_staff
            and case is not None
            and case.state == ModerationCase.State.REJECTED
            and case.stage == ModerationCase.Stage.FIRST
        )
        context.update(
            item=item,
            render=render,
            case=case,
            poster=poster_of(render),
            channel_label=channel_label(render.channel),
            review=copy_review(copy, record),
            blocked_review=kwargs.get("blocked_review"),
            rewrites=record.get("rewrites", 0),
            original_copy=record.get("original_copy"),
            history=decision_rows(
                list(selectors.decision_list(tenant=self.tenant, render_id=render.pk))
            ),
            reason_label=reason_label(item.reason_code) if item.reason_code else "",
            reason_article=reason_article(item.reason_code),
            can_decide=can_decide,
            can_act=can_decide and is_open,
            can_edit=can_decide and is_open and set(copy) == COPY_FIELDS,
            can_appeal=can_decide and appealable,
            upheld_on_appeal=case is not None
            and case.stage == ModerationCase.Stage.APPEAL
            and case.state == ModerationCase.State.REJECTED,
            reject_form=kwargs.get("reject_form") or RejectForm(),
            edit_form=kwargs.get("edit_form")
            or CopyEditForm(copy=copy, labels=copy_field_labels()),
            escalate_form=kwargs.get("escalate_form") or EscalateForm(),
            appeal_form=kwargs.get("appeal_form") or AppealForm(),
            is_rendering=render.status == Render.Status.PENDING,
        )
        return context


class ReviewActionView(ReviewItemView):
    """POST only: one service call, then back to the item with a message."""

    http_method_names = ["post"]
    form_class: Any = None
    form_name = ""

    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        form = self.make_form()
        if form is not None and not form.is_valid():
            return self.render_page(status=400, **{self.form_name: form})
        try:
            message = self.act(item_id, form)
        except ValidationError as error:
            if form is None:
                raise
            form.add_service_errors(error)
            return self.render_page(status=400, **{self.form_name: form})
        except (ReviewStateError, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
        return redirect("review_item", item_id=item_id)

    def make_form(self) -> Any:
        return self.form_class(self.request.POST) if self.form_class else None

    def act(self, item_id: int, form: Any) -> str:
        raise NotImplementedError


class ReviewApproveView(ReviewActionView):
    def act(self, item_id: int, form: Any) -> str:
        review.review_approve(tenant=self.tenant, user=current_user(self.request), item_id=item_id)
        return _("Approved: the poster can be downloaded now.")


class ReviewRejectView(ReviewActionView):
    form_class = RejectForm
    form_name = "reject_form"

    def act(self, item_id: int, form: RejectForm) -> str:
        review.review_reject(
            tenant=self.tenant,
            user=current_user(self.request),
            item_id=item_id,
            reason_code=form.cleaned_data["reason_code"],
            note=form.cleaned_data["note"],
        )
        return _("Rejected: the poster will not be used.")


class ReviewEscalateView(ReviewActionView):
    form_class = EscalateForm
    form_name = "escalate_form"

    def act(self, item_id: int, form: EscalateForm) -> str:
        review.review_escalate(
            tenant=self.tenant,
            user=current_user(self.request),
            item_id=item_id,
            note=form.cleaned_data["note"],
        )
        return _("Sent to the platform's moderators; they answer within their service time.")


class ReviewAppealView(ReviewActionView):
    form_class = AppealForm
    form_name = "appeal_form"

    def act(self, item_id: int, form: AppealForm) -> str:
        review.review_appeal(
            tenant=self.tenant,
            user=current_user(self.request),
            item_id=item_id,
            message=form.cleaned_data["message"],
        )
        return _("Appeal sent: a different moderator will decide it.")


class ReviewEditView(ReviewActionView):
    form_name = "edit_form"

    def make_form(self) -> CopyEditForm:
        item = selectors.review_item_get(tenant=self.tenant, item_id=self.kwargs["item_id"])
        copy = item.render.copy if isinstance(item.render.copy, dict) else {}
        return CopyEditForm(self.request.POST, copy=copy, labels=copy_field_labels())

    def post(self, request: HttpRequest, item_id: int) -> HttpResponse:
        try:
            return super().post(request, item_id)
        except CopyStillBlocked as blocked:
            form = self.make_form()
            form.is_valid()
            form.add_error(None, str(blocked))
            return self.render_page(
                status=400,
                edit_form=form,
                blocked_review=copy_review(form.changed_copy(), blocked.result),
            )

    def act(self, item_id: int, form: CopyEditForm) -> str:
        changed = form.changed_copy()
        try:
            copy = Copy.from_json(changed)
        except (KeyError, TypeError):
            raise ValidationError(_("This copy cannot be edited here.")) from None
        review.review_edit(
            tenant=self.tenant, user=current_user(self.request), item_id=item_id, copy=copy
        )
        return _("Copy saved and checked again; the poster is being rendered with it.")
