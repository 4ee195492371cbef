"""The page an invitation email links to: see the brand and role, then accept."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from ..services import InvitationInvalid, invitation_accept, invitation_find, invitation_state
from ..web import SESSION_KEY
from .base import current_user


def _invalid(request: HttpRequest, token: str) -> HttpResponse:
    state = invitation_state(token=token)
    status = 404 if state == "unknown" else 410
    return render(request, "invitations/invalid.html", {"state": state}, status=status)


class InvitationAcceptView(View):
    template_name = "invitations/accept.html"

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            invitation = invitation_find(token=token)
        except InvitationInvalid:
            return _invalid(request, token)
        here = reverse("invitation_accept", args=[token])
        context = {
            "invitation": invitation,
            "tenant": invitation.tenant,
            "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
            "signup_url": f"{reverse('signup')}?{urlencode({'next': here})}",
            "email_matches": request.user.is_authenticated
            and request.user.email.lower() == invitation.email,
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        if not request.user.is_authenticated:
            here = reverse("invitation_accept", args=[token])
            return redirect(f"{reverse('login')}?{urlencode({'next': here})}")
        try:
            membership = invitation_accept(token=token, user=current_user(request))
        except InvitationInvalid:
            return _invalid(request, token)
        request.session[SESSION_KEY] = membership.tenant_id
        messages.success(request, _("You joined %(brand)s.") % {"brand": membership.tenant.name})
        return redirect("home")
