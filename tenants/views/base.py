"""What every dashboard page shares: the brand, the member's role and what it allows."""

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.views.generic import TemplateView

from ..roles import Permission, role_can
from ..web import TenantViewMixin


def permissions_of(role: str) -> dict[str, bool]:
    """Template-friendly flags: {{ can.manage_members }}."""
    return {p.name.lower(): role_can(role, p) for p in Permission}


class DashboardView(TenantViewMixin, TemplateView):
    nav: str = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            tenant=self.tenant,
            membership=self.membership,
            tenants=self.request.tenants,  # type: ignore[attr-defined]
            can=permissions_of(self.membership.role),
            nav=self.nav,
        )
        return context


def current_user(request: HttpRequest) -> User:
    """The logged-in user, typed (login is checked before any view calls this)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("current_user() needs a logged-in user")
    return user
