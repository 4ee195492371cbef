"""What the brand's compliance pages share: members read, writes need a permission, ids of
another brand are 404."""

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from tenants.roles import Permission
from tenants.views.base import DashboardView

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class CompliancePage(DashboardView):
    """Members read; anything but GET/HEAD needs `write_permission`. Unknown ids are 404."""

    write_permission: Permission = Permission.MANAGE_COMPLIANCE

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if request.method not in SAFE_METHODS:
            self.required_permission = self.write_permission

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist:
            # Selectors and services look every id up within this brand: not found means
            # another brand's id or none at all, and both are a plain 404.
            raise Http404 from None

    def render_page(self, status: int = 200, **context: Any) -> HttpResponse:
        response = self.render_to_response(self.get_context_data(**context), status=status)
        assert isinstance(response, HttpResponse)
        return response
