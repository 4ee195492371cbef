"""The API keys page: list, create (the secret is shown once), revoke."""

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from ..api_keys import api_key_create, api_key_revoke
from ..forms import ApiKeyForm
from ..models import ApiKey
from ..roles import Permission
from ..selectors import api_key_list
from .base import DashboardView, current_user


def api_key_status(api_key: ApiKey) -> str:
    if api_key.revoked_at is not None:
        return "revoked"
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        return "expired"
    return "active"


class ApiKeysView(DashboardView):
    template_name = "dashboard/api_keys.html"
    nav = "api_keys"
    required_permission = Permission.MANAGE_API_KEYS

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        keys = list(api_key_list(tenant=self.tenant))
        for key in keys:
            key.status = api_key_status(key)  # type: ignore[attr-defined]
        context.update(api_keys=keys, form=kwargs.get("form") or ApiKeyForm())
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            days = form.cleaned_data["expires_in_days"]
            try:
                api_key, plaintext = api_key_create(
                    tenant=self.tenant,
                    actor=current_user(request),
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # The secret is in this one response only: it is never stored or shown again.
                context = self.get_context_data()
                context.update(template_name="dashboard/api_key_created.html")
                context.update(created_key=api_key, plaintext=plaintext)
                response = self.response_class(
                    request=request,
                    template="dashboard/api_key_created.html",
                    context=context,
                    using=self.template_engine,
                )
                response["Cache-Control"] = "no-store"
                return response
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ApiKeyRevokeView(DashboardView):
    http_method_names = ["post"]
    required_permission = Permission.MANAGE_API_KEYS

    def post(self, request: HttpRequest, api_key_id: int) -> HttpResponse:
        try:
            api_key_revoke(tenant=self.tenant, actor=current_user(request), api_key_id=api_key_id)
        except ApiKey.DoesNotExist:
            raise Http404 from None
        messages.success(request, _("API key revoked."))
        return redirect("api_keys")
