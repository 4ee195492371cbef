"""Dashboard pages of a brand: home, brands, members and invitations, audit log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from .. import emails
from ..forms import InvitationForm, RoleForm, TenantCreateForm, TenantSwitchForm
from ..models import Invitation, Membership, UserProfile
from ..roles import Permission, Role, role_can
from ..selectors import audit_event_list, invitation_list_open, membership_list
from ..services import (
    invitation_create,
    invitation_revoke,
    membership_change_role,
    membership_remove,
    tenant_create,
)
from ..web import SESSION_KEY, resolve_tenant
from .base import DashboardView, current_user, permissions_of


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class HomeView(DashboardView):
    template_name = "dashboard/home.html"
    nav = "home"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        profile = UserProfile.objects.filter(user=current_user(self.request)).first()
        context.update(
            member_count=membership_list(tenant=self.tenant).count(),
            open_invitation_count=invitation_list_open(tenant=self.tenant).count(),
            email_verified=profile is not None and profile.is_email_verified,
        )
        return context


class TenantCreateView(LoginRequiredMixin, View):
    """Create another brand. Not a TenantViewMixin: a user without any brand lands here."""

    template_name = "dashboard/tenant_create.html"

    def _render(self, request: HttpRequest, form: TenantCreateForm) -> HttpResponse:
        resolved = resolve_tenant(request)
        context: dict[str, Any] = {"form": form, "nav": ""}
        if resolved is not None:
            context.update(
                tenant=resolved[0],
                membership=resolved[1],
                tenants=request.tenants,  # type: ignore[attr-defined]
                can=permissions_of(resolved[1].role),
            )
        return render(request, self.template_name, context)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, TenantCreateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TenantCreateForm(request.POST)
        if form.is_valid():
            try:
                tenant = tenant_create(
                    name=form.cleaned_data["name"],
                    owner=current_user(request),
                    locale=form.cleaned_data["locale"],
                )
            except ValidationError as error:
                form.add_error("name", error)
            else:
                request.session[SESSION_KEY] = tenant.pk
                messages.success(request, _("%(brand)s is ready.") % {"brand": tenant.name})
                return redirect("home")
        return self._render(request, form)


class TenantSwitchView(DashboardView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TenantSwitchForm(request.POST)
        tenant_ids = {t.pk for t in request.tenants}  # type: ignore[attr-defined]
        if not form.is_valid() or form.cleaned_data["tenant_id"] not in tenant_ids:
            raise Http404
        request.session[SESSION_KEY] = form.cleaned_data["tenant_id"]
        if request.htmx:  # type: ignore[attr-defined]
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("home")
            return response
        return redirect("home")


class MembersView(DashboardView):
    template_name = "dashboard/members.html"
    nav = "members"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        can_owners = role_can(self.membership.role, Permission.MANAGE_OWNERS)
        can_members = role_can(self.membership.role, Permission.MANAGE_MEMBERS)
        context.update(
            members=membership_list(tenant=self.tenant),
            invitations=invitation_list_open(tenant=self.tenant) if can_members else [],
            invite_form=kwargs.get("invite_form") or InvitationForm(can_grant_owner=can_owners),
            role_choices=role_choices(can_owners),
        )
        return context


def role_choices(can_grant_owner: bool) -> list[tuple[str, Any]]:
    return [c for c in Role.choices if can_grant_owner or c[0] != Role.OWNER]


class InvitationCreateView(MembersView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        can_owners = role_can(self.membership.role, Permission.MANAGE_OWNERS)
        form = InvitationForm(request.POST, can_grant_owner=can_owners)
        if form.is_valid():
            try:
                invitation, token = invitation_create(
                    tenant=self.tenant,
                    actor=current_user(request),
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except ValidationError as error:
                form.add_error("email", error)
            else:
                transaction.on_commit(
                    lambda: emails.invitation_email_send(
                        request=request, invitation=invitation, token=token
                    )
                )
                messages.success(
                    request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
                )
                return redirect("members")
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class MemberRoleView(DashboardView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        # Another brand's id is a 404 whatever the form says, so nobody learns it exists.
        if not membership_list(tenant=self.tenant).filter(pk=membership_id).exists():
            raise Http404
        form = RoleForm(request.POST)
        error = ""
        if not form.is_valid():
            error = _("Choose a role.")
        else:
            try:
                membership_change_role(
                    tenant=self.tenant,
                    actor=current_user(request),
                    membership_id=membership_id,
                    role=form.cleaned_data["role"],
                )
            except Membership.DoesNotExist:
                raise Http404 from None
            except ValidationError as exc:
                error = _error_text(exc)
        if request.htmx:  # type: ignore[attr-defined]
            member = membership_list(tenant=self.tenant).filter(pk=membership_id).first()
            if member is None:
                raise Http404
            context = self.get_context_data()
            context.update(
                member=member,
                row_error=error,
                role_choices=role_choices(role_can(self.membership.role, Permission.MANAGE_OWNERS)),
            )
            return render(request, "dashboard/_member_row.html", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Role changed."))
        return redirect("members")


class MemberRemoveView(DashboardView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, membership_id: int) -> HttpResponse:
        leaving = membership_id == self.membership.pk
        try:
            membership_remove(
                tenant=self.tenant,
                actor=current_user(request),
                membership_id=membership_id,
            )
        except Membership.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("members")
        if leaving:
            request.session.pop(SESSION_KEY, None)
            messages.success(request, _("You left %(brand)s.") % {"brand": self.tenant.name})
            return redirect("home")
        messages.success(request, _("Member removed."))
        return redirect("members")


class InvitationRevokeView(DashboardView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, invitation_id: int) -> HttpResponse:
        try:
            invitation_revoke(
                tenant=self.tenant,
                actor=current_user(request),
                invitation_id=invitation_id,
            )
        except Invitation.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("Invitation revoked."))
        return redirect("members")


class AuditLogView(DashboardView):
    template_name = "dashboard/audit.html"
    nav = "audit"
    required_permission = Permission.VIEW_AUDIT_LOG
    page_size = 25

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        paginator = Paginator(audit_event_list(tenant=self.tenant), self.page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        for event in page.object_list:
            event.label = ACTION_LABELS.get(event.action, event.action)  # type: ignore[attr-defined]
        context["page_obj"] = page
        return context


ACTION_LABELS = {
    "tenant.created": gettext_lazy("Brand created"),
    "membership.role_changed": gettext_lazy("Role changed"),
    "membership.removed": gettext_lazy("Member removed"),
    "membership.joined": gettext_lazy("Member joined"),
    "invitation.created": gettext_lazy("Invitation sent"),
    "invitation.revoked": gettext_lazy("Invitation revoked"),
    "invitation.accepted_existing": gettext_lazy("Invitation accepted"),
    "api_key.created": gettext_lazy("API key created"),
    "api_key.revoked": gettext_lazy("API key revoked"),
    "brand_kit.updated": gettext_lazy("Brand kit updated"),
    "job.created": gettext_lazy("Job submitted"),
    "job.cancelled": gettext_lazy("Job cancelled"),
    "job.retried": gettext_lazy("Failed renders retried"),
    "product.created": gettext_lazy("Product added"),
    "product.updated": gettext_lazy("Product edited"),
    "product.deleted": gettext_lazy("Product deleted"),
    "product.photo_added": gettext_lazy("Product photo added"),
    "product.photo_deleted": gettext_lazy("Product photo removed"),
    "webhook_endpoint.created": gettext_lazy("Webhook endpoint added"),
    "webhook_endpoint.deleted": gettext_lazy("Webhook endpoint deleted"),
    "credits.adjusted": gettext_lazy("Credits adjusted by staff"),
    "billing.checkout_started": gettext_lazy("Checkout started"),
    "billing.plan_assigned": gettext_lazy("Plan assigned"),
    "compliance.evidence_added": gettext_lazy("Claim evidence added"),
    "compliance.evidence_changed": gettext_lazy("Claim evidence edited"),
    "compliance.evidence_removed": gettext_lazy("Claim evidence removed"),
    "compliance.rule_added": gettext_lazy("Custom rule added"),
    "compliance.rule_changed": gettext_lazy("Custom rule edited"),
    "compliance.rule_removed": gettext_lazy("Custom rule removed"),
    "compliance.review_approved": gettext_lazy("Poster approved in review"),
    "compliance.review_rejected": gettext_lazy("Poster rejected in review"),
    "compliance.review_edited": gettext_lazy("Reviewed copy edited"),
    "compliance.review_escalated": gettext_lazy("Review escalated to the platform"),
    "compliance.review_appealed": gettext_lazy("Moderation decision appealed"),
    "compliance.moderation_approved": gettext_lazy("Approved by platform moderation"),
    "compliance.moderation_rejected": gettext_lazy("Rejected by platform moderation"),
    "provenance.image_labelled": gettext_lazy("Image labelled as AI-generated"),
    "provenance.duty_accepted": gettext_lazy("Labelling duty accepted"),
    "provenance.unlabelled_exported": gettext_lazy("Poster taken without its visible label"),
    "provenance.settings_updated": gettext_lazy("Labelling settings changed"),
    "library.asset_updated": gettext_lazy("Library image edited"),
    "library.cluster_merged": gettext_lazy("Duplicates merged"),
    "library.duplicate_dismissed": gettext_lazy("Marked as not a duplicate"),
    "library.bank_created": gettext_lazy("Do-not-reuse bank created"),
    "library.bank_updated": gettext_lazy("Do-not-reuse bank changed"),
    "library.bank_entry_added": gettext_lazy("Added to a do-not-reuse bank"),
    "library.bank_entry_removed": gettext_lazy("Removed from a do-not-reuse bank"),
}
