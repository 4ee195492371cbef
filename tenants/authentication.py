"""DRF authentication by team API key, and the permission that checks a key's scopes."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from .api_keys import ApiKeyMalformed, ApiKeyRejected, api_key_authenticate, api_key_touch
from .context import activate_in_transaction
from .entitlements import entitlements_of_request
from .models import ApiKey

if TYPE_CHECKING:  # rest_framework.views imports the authentication classes
    from rest_framework.views import APIView

KEYWORD = "Bearer"


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer bl_<prefix>_<secret>`: sets request.auth to the ApiKey.

    The request's transaction is scoped to the key's brand before the view runs. A key has no
    user: request.user is anonymous, and audit rows name the key instead.
    """

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != KEYWORD:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: expected 'Bearer <API key>'.")
            )
        try:
            api_key = api_key_authenticate(key=parts[1])
        except ApiKeyMalformed:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: the API key is not in the form bl_…_….")
            ) from None
        except ApiKeyRejected as rejected:
            raise exceptions.AuthenticationFailed(rejected.reason) from None
        tenant = api_key.tenant
        if not tenant.is_active:
            raise exceptions.PermissionDenied(_("This brand is suspended."))
        activate_in_transaction(tenant.pk)
        if not entitlements_of_request(request, tenant).api_access:
            raise exceptions.PermissionDenied(_("API access is not included in this brand's plan."))
        api_key_touch(api_key=api_key)
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'{KEYWORD} realm="api"'


class HasScope(BasePermission):
    """A key must hold every scope in the view's `required_scopes`; sessions are not scoped."""

    def has_permission(self, request: Request, view: "APIView") -> bool:
        if not isinstance(request.auth, ApiKey):
            return True
        scopes_for = getattr(view, "scopes_for", None)
        required: tuple[str, ...] = (
            scopes_for(request.method) if scopes_for else getattr(view, "required_scopes", ())
        )
        missing = sorted(set(required) - set(request.auth.scopes))
        if missing:
            self.message = _("This API key lacks the scope %(scopes)s.") % {
                "scopes": ", ".join(missing)
            }
            return False
        return True

    def has_object_permission(self, request: Request, view: "APIView", obj: Any) -> bool:
        return self.has_permission(request, view)
