"""The billing page of a brand, the hand-offs to Stripe Checkout and Portal, and staff pages.

Every member reads /billing/; anything but GET needs Permission.MANAGE_BILLING (the owner).
The staff pages answer 404 to a signed-in user who is not staff.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.context import tenant_scope
from tenants.models import Tenant
from tenants.roles import Permission
from tenants.views.base import DashboardView, StaffPage, current_user

from . import page_selectors, plans, selectors, staff_selectors, stripe_sync
from .forms import CreditAdjustForm
from .ledger import LedgerError, credit_adjust
from .models import CreditPack, Plan, Subscription
from .usage_chart import usage_chart

_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# Where Stripe serves Checkout and the Customer Portal (the API is on api.stripe.com).
STRIPE_PAGE_ORIGINS = ("https://checkout.stripe.com", "https://billing.stripe.com")
PAGE_SIZE = 25
USAGE_DAYS = 30


def see_other(url: str) -> HttpResponseRedirect:
    """303: the browser follows with a GET, whatever method brought it here."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def stripe_page_origins() -> list[str]:
    """Origins the billing page's forms may end up on: Stripe's pages, or the origin of the
    stand-in that STRIPE_API_BASE points at (tests, a local Stripe mock)."""
    base = urlsplit(settings.STRIPE_API_BASE)
    if base.hostname == "api.stripe.com":
        return list(STRIPE_PAGE_ORIGINS)
    return [f"{base.scheme}://{base.netloc}"]


def stripe_unavailable_message() -> str:
    return _(
        "Stripe, our payment provider, could not be reached, so nothing was charged or changed. "
        "Please try again in a minute."
    )


# THE BRAND'S BILLING PAGE -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOffer:
    """A plan card: `action` is current | buy | portal (already paying) | unavailable."""

    plan: Plan
    action: str
    is_upgrade: bool


@dataclass(frozen=True)
class PackOffer:
    pack: CreditPack
    can_buy: bool


def plan_offers(
    *, public: list[Plan], current: Plan, subscription: Subscription | None
) -> list[PlanOffer]:
    paying = plans.is_billed_by_stripe(subscription)
    offers = []
    for plan in public:
        if plan.pk == current.pk:
            action = "current"
        elif paying:
            action = "portal"  # Checkout refuses a second subscription: plans change in the portal
        elif plan.stripe_price_id:
            action = "buy"
        else:
            action = "unavailable"
        offers.append(
            PlanOffer(plan=plan, action=action, is_upgrade=plan.price_cents > current.price_cents)
        )
    return offers


class BillingPage(DashboardView):
    """Members read; anything else needs Permission.MANAGE_BILLING."""

    nav = "billing"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if request.method not in _SAFE_METHODS:
            self.required_permission = Permission.MANAGE_BILLING


class BillingView(BillingPage):
    template_name = "billing/billing.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        # CSP form-action also binds the redirects a form submission follows, so the Upgrade,
        # Buy and Manage billing forms need Stripe's origins; only this page gets them.
        policy = dict(settings.SECURE_CSP)
        form_action = policy.get("form-action")
        if isinstance(form_action, list):
            policy["form-action"] = [*form_action, *stripe_page_origins()]
            response._csp_config = policy  # type: ignore[attr-defined]  # as csp_override does
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        tenant = self.tenant
        now = timezone.now()
        plan = plans.plan_for(tenant=tenant, now=now)
        subscription = plans.subscription_get(tenant=tenant)
        balance = selectors.credit_balance(tenant=tenant)
        page = Paginator(selectors.ledger_entries(tenant=tenant), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        allowance_percent = (
            min(100, round(balance.allowance_used * 100 / balance.allowance))
            if balance.allowance
            else 0
        )
        checkout = self.request.GET.get("checkout")
        context.update(
            plan=plan,
            subscription=subscription,
            paying=plans.is_billed_by_stripe(subscription),
            in_grace=bool(
                subscription and subscription.grace_until and subscription.grace_until > now
            ),
            balance=balance,
            allowance_percent=allowance_percent,
            notice=page_selectors.balance_notice_current(tenant=tenant),
            chart=usage_chart(selectors.usage_per_day(tenant=tenant, days=USAGE_DAYS)),
            usage_days=USAGE_DAYS,
            page_obj=page,
            plan_offers=plan_offers(
                public=list(page_selectors.plans_public()), current=plan, subscription=subscription
            ),
            pack_offers=[
                PackOffer(pack=pack, can_buy=bool(pack.stripe_price_id))
                for pack in page_selectors.packs_active()
            ],
            checkout=checkout if checkout in ("success", "cancelled") else None,
        )
        return context


class CheckoutView(BillingPage):
    """POST plan=CODE or pack=CODE: open a Stripe Checkout and send the owner there."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        billing_url = request.build_absolute_uri(reverse("billing"))
        return _hand_off_to_stripe(
            request,
            lambda: stripe_sync.checkout_start(
                tenant=self.tenant,
                user=current_user(request),
                plan_code=request.POST.get("plan") or None,
                pack_code=request.POST.get("pack") or None,
                success_url=f"{billing_url}?checkout=success",
                cancel_url=f"{billing_url}?checkout=cancelled",
            ),
        )


class PortalView(BillingPage):
    """POST: open the Stripe Customer Portal (payment methods, invoices, plan changes)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        return _hand_off_to_stripe(
            request,
            lambda: stripe_sync.portal_open(
                tenant=self.tenant, return_url=request.build_absolute_uri(reverse("billing"))
            ),
        )


def _hand_off_to_stripe(request: HttpRequest, open_page: Callable[[], str]) -> HttpResponse:
    """303 to the Stripe page `open_page` opens, or back to billing with the reason."""
    try:
        url = open_page()
    except stripe_sync.CheckoutRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("billing")
    except stripe_sync.StripeUnavailable:
        messages.error(request, stripe_unavailable_message())
        return redirect("billing")
    return see_other(url)


# STAFF PAGES --------------------------------------------------------------------------------


class StaffView(StaffPage):
    nav = "staff_billing"


class StaffBillingView(StaffView):
    template_name = "billing/staff_billing.html"
    flagged_shown = 50

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        page = Paginator(staff_selectors.brand_list(query=query), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        flagged = staff_selectors.stripe_events_flagged()
        context.update(
            query=query,
            page_obj=page,
            rows=staff_selectors.brand_billing_rows(tenants=list(page.object_list)),
            default_plan=plans.plan_get(settings.APP_BILLING_DEFAULT_PLAN),
            flagged_events=list(flagged[: self.flagged_shown]),
            flagged_count=flagged.count(),
        )
        return context


class StaffBrandBillingView(StaffView):
    template_name = "billing/staff_brand_billing.html"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        self.brand: Tenant | None = None

    def get_brand(self) -> Tenant:
        if self.brand is None:
            try:
                self.brand = staff_selectors.brand_get(slug=self.kwargs["slug"])
            except Tenant.DoesNotExist:
                raise Http404 from None
        return self.brand

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        brand = self.get_brand()
        staff = current_user(self.request)
        with tenant_scope(brand.pk, user_id=staff.pk):
            plan = plans.plan_for(tenant=brand)
            page = Paginator(selectors.ledger_entries(tenant=brand), PAGE_SIZE).get_page(
                self.request.GET.get("page")
            )
            page.object_list = list(page.object_list)  # read now, inside the brand's scope
        context.update(
            brand=brand,
            plan=plan,
            billing=staff_selectors.brand_billing_get(tenant=brand),
            page_obj=page,
            form=kwargs.get("form") or CreditAdjustForm(),
        )
        return context

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        brand = self.get_brand()
        staff = current_user(request)
        form = CreditAdjustForm(request.POST)
        if form.is_valid():
            amount: Decimal = form.cleaned_data["amount"]
            started = timezone.now()
            try:
                with tenant_scope(brand.pk, user_id=staff.pk):
                    entry = credit_adjust(
                        tenant=brand,
                        actor=staff,
                        amount=amount,
                        reason=form.cleaned_data["reason"],
                        idempotency_key=form.idempotency_key(),
                    )
            except LedgerError as refusal:
                form.add_error(None, str(refusal))
            else:
                if entry.created_at < started:
                    messages.info(request, _("This adjustment was already applied once."))
                else:
                    messages.success(
                        request,
                        _("Credits adjusted by %(amount)s. Available now: %(available)s.")
                        % {"amount": entry.available_delta, "available": entry.available_after},
                    )
                return redirect("staff_brand_billing", slug=brand.slug)
        response = self.render_to_response(self.get_context_data(form=form), status=400)
        assert isinstance(response, HttpResponse)
        return response
