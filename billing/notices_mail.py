"""The low-balance email to a brand's owners and admins."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tenants.models import Membership
from tenants.roles import Role

from .models import BalanceNotice
from .selectors import credit_balance


def balance_notice_email(*, tenant_id: int, notice_id: int) -> int:
    """Send the notice to the brand's owners and admins; returns how many were emailed."""
    notice = BalanceNotice.objects.select_related("tenant").get(tenant_id=tenant_id, pk=notice_id)
    recipients = sorted(
        Membership.objects.filter(tenant_id=tenant_id, role__in=[Role.OWNER, Role.ADMIN])
        .select_related("user")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    balance = credit_balance(tenant=notice.tenant)
    body = render_to_string(
        "emails/balance_notice.txt",
        {"notice": notice, "tenant": notice.tenant, "balance": balance},
    )
    subject = (
        _("%(brand)s has used all of this month's credits")
        if notice.threshold >= 100
        else _("%(brand)s has used 80%% of this month's credits")
    ) % {"brand": notice.tenant.name}
    send_mail(subject, body, None, recipients)
    return len(recipients)
