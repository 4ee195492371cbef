"""The shared shell of every /api/ endpoint: tenant base view, pagination and the error body.

Every error, from DRF or from Django's 404/500 handlers, has one shape:

    {"error": {"code": "not_found", "message": "...", "request_id": "...", "details": {...}}}
"""

from typing import Any, ClassVar

from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from billing.exceptions import InsufficientCredits, PlanLimit
from compliance.exceptions import CopyStillBlocked, ReviewStateError
from config.request_context import current_request_id
from tenants.authentication import HasScope
from tenants.models import ApiKey, Membership, Tenant
from tenants.roles import Permission, role_can
from tenants.throttling import ApiKeyRateThrottle
from tenants.web import resolve_tenant

API_PATH_PREFIX = "/api/"


def error_body(*, code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "request_id": current_request_id() or "",
            "details": details or {},
        }
    }


def request_actor(request: Request) -> User | None:
    """The member behind a session request (None for an API key): who audit rows name."""
    return request.user if isinstance(request.user, User) else None


def request_api_key(request: Request) -> ApiKey | None:
    """The team API key a request authenticated with (None for a session)."""
    return request.auth if isinstance(request.auth, ApiKey) else None


class PaymentRequired(exceptions.APIException):
    status_code = status.HTTP_402_PAYMENT_REQUIRED
    default_code = "insufficient_credits"

    def __init__(self, error: InsufficientCredits) -> None:
        super().__init__(str(error))
        self.details = {
            "needed": str(error.needed),
            "available": str(error.available),
            "shortfall": str(error.shortfall),
        }


class PlanLimitReached(exceptions.PermissionDenied):
    default_code = "plan_limit"


class StateConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class CopyBlocked(exceptions.APIException):
    """An edited copy the ad-law check still blocks; the check's result is in the details."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "copy_blocked"

    def __init__(self, error: CopyStillBlocked) -> None:
        super().__init__(str(error))
        self.details = error.result


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, InsufficientCredits):
        return PaymentRequired(exc)
    if isinstance(exc, PlanLimit):
        return PlanLimitReached(str(exc))
    if isinstance(exc, ReviewStateError):
        return StateConflict(str(exc))
    if isinstance(exc, CopyStillBlocked):
        return CopyBlocked(exc)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=get_error_detail(exc))
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's own handling (headers, rollback), then our body."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    details: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code, message = "invalid", _("The request is not valid.")
        details = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    else:
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        message = str(exc.detail)
        wait = getattr(exc, "wait", None)  # Throttled sets it; the stubs do not declare it
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            details = {"retry_after": int(wait)}
        if isinstance(exc, PaymentRequired | CopyBlocked):
            details = exc.details
    response.data = error_body(code=code, message=message, details=details)
    return response


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        return JsonResponse(error_body(code="not_found", message=_("Not found.")), status=404)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(API_PATH_PREFIX):
        body = error_body(code="server_error", message=_("Internal server error."))
        return JsonResponse(body, status=500)
    return defaults.server_error(request)


class TenantRolePermission(BasePermission):
    """Sessions need the view's `required_permission`; keys may not call session-only methods."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        assert isinstance(view, TenantApi)
        if isinstance(request.auth, ApiKey):
            if request.method in view.session_only_methods:
                self.message = _("API keys cannot do this; sign in to the dashboard instead.")
                return False
            return True
        permission = view.permission_for(request.method or "GET")
        if view.membership is None or not role_can(view.membership.role, permission):
            self.message = _("Your role in this brand does not allow this.")
            return False
        return True


class TenantApi(GenericAPIView):
    """Base of every tenant endpoint: resolves the brand once and exposes it as `self.tenant`.

    The brand comes from the API key or from the session's membership, never from the request.
    Subclasses read through `get_tenant_queryset(tenant)` or a selector; overriding
    `get_queryset` is refused at import time, so no view can forget the tenant.
    """

    permission_classes = [TenantRolePermission, HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    required_permission: ClassVar[Permission] = Permission.VIEW_CONTENT
    required_scopes: ClassVar[tuple[str, ...]] = ()
    # A collection that reads and writes at one URL: unsafe methods need these instead.
    write_permission: ClassVar[Permission | None] = None
    write_scopes: ClassVar[tuple[str, ...] | None] = None
    session_only_methods: ClassVar[frozenset[str]] = frozenset()
    tenant: Tenant
    membership: Membership | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset(); implement "
                "get_tenant_queryset(tenant) instead, so every query is given the tenant."
            )

    def perform_authentication(self, request: Request) -> None:
        if isinstance(request.auth, ApiKey):  # the key's authentication scoped the transaction
            self.tenant = request.auth.tenant
            return
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        resolved = resolve_tenant(request)
        if resolved is None:
            raise exceptions.PermissionDenied(_("You are not a member of any brand."))
        self.tenant, self.membership = resolved

    def check_permissions(self, request: Request) -> None:
        # Another brand's id is "not found" for every caller, whatever the caller may do: the
        # addressed object is looked up in the caller's brand before any permission answer.
        addressed = self.kwargs.get(self.lookup_url_kwarg or "")
        if addressed is not None and not self.get_queryset().filter(pk=addressed).exists():
            raise exceptions.NotFound()
        super().check_permissions(request)

    def get_queryset(self) -> QuerySet[Any]:
        return self.get_tenant_queryset(self.tenant)

    def permission_for(self, method: str) -> Permission:
        if method not in SAFE_METHODS and self.write_permission is not None:
            return self.write_permission
        return self.required_permission

    def scopes_for(self, method: str) -> tuple[str, ...]:
        if method not in SAFE_METHODS and self.write_scopes is not None:
            return self.write_scopes
        return self.required_scopes

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_tenant_queryset()")


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tenants.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106
        )
        scheme["description"] = "A team API key: `Authorization: Bearer bl_<prefix>_<secret>`."
        return scheme
