"""Forms of the account pages and the brand dashboard."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from . import throttle_login
from .api_keys import ApiScope
from .models import Tenant
from .roles import Role


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses to check a password once an account or IP has failed too often recently."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Please enter a correct email and password."),
        "throttled": _(
            "Too many failed attempts. Try again in %(minutes)s minutes, or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        ip = throttle_login.client_ip(self.request)
        if throttle_login.login_blocked(username=username, ip=ip):
            raise forms.ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": throttle_login.window_minutes()},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                throttle_login.login_failed(username=username, ip=ip)
            raise
        throttle_login.login_succeeded(username=username)
        return cleaned


class _Form(forms.Form):
    """Labels sit above their fields, so no "Email:" colon."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(_Form):
    email = forms.EmailField(label=_("Email"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    brand_name = forms.CharField(label=_("Brand name"), max_length=120, required=False)
    locale = forms.ChoiceField(
        label=_("Content language"), choices=Tenant.Locale.choices, initial=Tenant.Locale.ZH_CN
    )

    def __init__(self, *args: Any, brand_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.brand_required = brand_required
        self.fields["brand_name"].required = brand_required

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email already exists. Log in instead."), code="taken"
            )
        return email

    def clean_brand_name(self) -> str:
        return self.cleaned_data["brand_name"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            user = get_user_model()(
                username=cleaned.get("email", ""), email=cleaned.get("email", "")
            )
            try:
                validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class TenantCreateForm(_Form):
    name = forms.CharField(label=_("Brand name"), max_length=120)
    locale = forms.ChoiceField(
        label=_("Content language"), choices=Tenant.Locale.choices, initial=Tenant.Locale.ZH_CN
    )


class InvitationForm(_Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args: Any, can_grant_owner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_grant_owner:
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [c for c in Role.choices if c[0] != Role.OWNER]


class RoleForm(_Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class TenantSwitchForm(forms.Form):
    tenant_id = forms.IntegerField()


def api_key_scope_choices() -> list[tuple[str, str]]:
    return [(scope.value, scope.value) for scope in ApiScope]


class ApiKeyForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=api_key_scope_choices, widget=forms.CheckboxSelectMultiple
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        coerce=int,
        initial=90,
        choices=[
            (30, _("In 30 days")),
            (90, _("In 90 days")),
            (365, _("In a year")),
            (0, _("Never")),
        ],
    )
