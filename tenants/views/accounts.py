"""Sign-up, email verification and the throttled login."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST

from .. import emails
from ..forms import SignupForm, ThrottledAuthenticationForm
from ..models import Tenant
from ..services import account_signup, email_verify
from ..web import SESSION_KEY
from .base import current_user


class AccountLoginView(LoginView):
    form_class = ThrottledAuthenticationForm


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


class SignupView(View):
    template_name = "registration/signup.html"

    def _form(self, request: HttpRequest, next_url: str) -> SignupForm:
        # Someone signing up to accept an invitation joins that brand instead of making one.
        brand_required = not next_url.startswith("/invitations/")
        locale = Tenant.Locale.ZH_CN if (get_language() or "").startswith("zh") else "en"
        data = request.POST if request.method == "POST" else None
        return SignupForm(data, brand_required=brand_required, initial={"locale": locale})

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("home")
        next_url = _safe_next(request)
        return render(
            request, self.template_name, {"form": self._form(request, next_url), "next": next_url}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        next_url = _safe_next(request)
        form = self._form(request, next_url)
        if form.is_valid():
            try:
                user, tenant = account_signup(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    brand_name=form.cleaned_data["brand_name"],
                    locale=form.cleaned_data["locale"],
                )
            except ValidationError as error:
                form.add_error("email" if error.code != "invalid" else None, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                if tenant is not None:
                    request.session[SESSION_KEY] = tenant.pk
                transaction.on_commit(
                    lambda: emails.verification_email_send(request=request, user=user)
                )
                messages.success(
                    request,
                    _("Welcome! We sent a link to %(email)s to verify it.") % {"email": user.email},
                )
                return redirect(next_url or "home")
        return render(request, self.template_name, {"form": form, "next": next_url}, status=200)


def email_verify_view(request: HttpRequest, token: str) -> HttpResponse:
    payload = emails.verification_token_read(token=token)
    verified = payload is not None and email_verify(user_id=payload[0], email=payload[1])
    context: dict[str, Any] = {"verified": verified}
    return render(
        request, "registration/email_verify.html", context, status=200 if verified else 400
    )


@require_POST
def email_verify_resend(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    user = current_user(request)
    transaction.on_commit(lambda: emails.verification_email_send(request=request, user=user))
    messages.success(
        request, _("We sent a new verification link to %(email)s.") % {"email": user.email}
    )
    return redirect("home")
