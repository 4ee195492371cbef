"""Dashboard routes of accounts and brands."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, api_keys, dashboard, invitations

urlpatterns = [
    path("accounts/signup/", accounts.SignupView.as_view(), name="signup"),
    path("accounts/verify/resend/", accounts.email_verify_resend, name="email_verify_resend"),
    path("accounts/verify/<str:token>/", accounts.email_verify_view, name="email_verify"),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("brands/new/", dashboard.TenantCreateView.as_view(), name="tenant_create"),
    path("brands/switch/", dashboard.TenantSwitchView.as_view(), name="tenant_switch"),
    path("members/", dashboard.MembersView.as_view(), name="members"),
    path("members/invite/", dashboard.InvitationCreateView.as_view(), name="invitation_create"),
    path(
        "members/<int:membership_id>/role/",
        dashboard.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        "members/<int:membership_id>/remove/",
        dashboard.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        dashboard.InvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path(
        "invitations/<str:token>/",
        invitations.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("api-keys/", api_keys.ApiKeysView.as_view(), name="api_keys"),
    path(
        "api-keys/<int:api_key_id>/revoke/",
        api_keys.ApiKeyRevokeView.as_view(),
        name="api_key_revoke",
    ),
    path("audit/", dashboard.AuditLogView.as_view(), name="audit_log"),
]
