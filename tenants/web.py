"""Resolve the request's brand inside the request transaction and scope the database to it.

Runs in the view (ATOMIC_REQUESTS wraps views, not middleware), so the transaction-local
`app.tenant_id` and `app.user_id` settings cover every query the view makes.
"""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.template.response import SimpleTemplateResponse

from .context import activate_in_transaction
from .models import Membership, Tenant
from .roles import Permission, role_can
from .selectors import user_tenants

SESSION_KEY = "tenant_id"


def resolve_tenant(request: HttpRequest) -> tuple[Tenant, Membership] | None:
    """The brand the session has chosen (or the user's first), scoped for this transaction."""
    user = request.user
    activate_in_transaction(None, user_id=user.pk)
    tenants = list(user_tenants(user=user))  # type: ignore[arg-type]
    if not tenants:
        return None
    chosen = request.session.get(SESSION_KEY)
    tenant = next((t for t in tenants if t.pk == chosen), tenants[0])
    activate_in_transaction(tenant.pk, user_id=user.pk)
    membership = Membership.objects.get(tenant=tenant, user_id=user.pk)
    request.session[SESSION_KEY] = tenant.pk
    request.tenant = tenant  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    request.tenants = tenants  # type: ignore[attr-defined]
    return tenant, membership


class TenantViewMixin(LoginRequiredMixin):
    """Base of every dashboard view: a logged-in member of the brand, with its role checked."""

    required_permission: Permission = Permission.VIEW_CONTENT
    tenant: Tenant
    membership: Membership

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        resolved = resolve_tenant(request)
        if resolved is None:
            return redirect("tenant_create")
        self.tenant, self.membership = resolved
        if not role_can(self.membership.role, self.required_permission):
            raise PermissionDenied
        response = super().dispatch(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            # Render now: the database scope lives as long as the request transaction, and a
            # TemplateResponse would otherwise render (and run its lazy queries) after it ended.
            response.render()
        return response
