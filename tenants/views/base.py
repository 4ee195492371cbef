"""What every dashboard page shares: the brand, the member's role and what it allows."""

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import SimpleTemplateResponse
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


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BrandPage(DashboardView):
    """A page of the brand's own rows: members read; anything but GET/HEAD needs
    `write_permission`. Unknown ids are 404."""

    write_permission: Permission

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            self.required_permission = self.write_permission

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist:
            # Services and selectors look every id up within this brand: not found here means
            # another brand's id or none at all, and both are a plain 404.
            raise Http404 from None

    def render_page(self, status: int = 200, **context: Any) -> HttpResponse:
        response = self.render_to_response(self.get_context_data(**context), status=status)
        assert isinstance(response, HttpResponse)
        return response


class StaffPage(LoginRequiredMixin, TemplateView):
    """A platform staff page: anyone else signed in gets 404, so the pages do not announce
    themselves; ids that do not exist are 404 too."""

    nav: str = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request.user.is_staff:
            raise Http404
        try:
            response = super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404 from None
        if isinstance(response, SimpleTemplateResponse):
            response.render()  # inside the request transaction, as the dashboard views do
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav"] = self.nav
        return context

    def render_page(self, status: int = 200, **context: Any) -> HttpResponse:
        response = self.render_to_response(self.get_context_data(**context), status=status)
        assert isinstance(response, HttpResponse)
        return response
