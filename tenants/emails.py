"""Account and invitation emails, and the signed email-verification token."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Invitation

_VERIFY_SALT = "tenants.email-verify"


def verification_token_make(*, user: User) -> str:
    # The email is inside the token, so a link stops working when the address changes.
    return signing.dumps({"user": user.pk, "email": user.email}, salt=_VERIFY_SALT)


def verification_token_read(*, token: str) -> tuple[int, str] | None:
    """(user id, email) of a valid, unexpired token; None otherwise."""
    try:
        payload = signing.loads(
            token, salt=_VERIFY_SALT, max_age=settings.APP_EMAIL_VERIFY_MAX_AGE_SECONDS
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    return int(payload["user"]), str(payload["email"])


def verification_email_send(*, request: HttpRequest, user: User) -> None:
    url = request.build_absolute_uri(
        reverse("email_verify", args=[verification_token_make(user=user)])
    )
    body = render_to_string("emails/verify_email.txt", {"url": url, "user": user})
    send_mail(_("Verify your Brandloom email address"), body, None, [user.email])


def invitation_email_send(*, request: HttpRequest, invitation: Invitation, token: str) -> None:
    url = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    body = render_to_string(
        "emails/invitation.txt",
        {
            "url": url,
            "invitation": invitation,
            "tenant": invitation.tenant,
            "inviter": request.user,
        },
    )
    subject = _("You are invited to join %(brand)s on Brandloom") % {
        "brand": invitation.tenant.name
    }
    send_mail(subject, body, None, [invitation.email])
