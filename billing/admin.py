"""Staff edit plans, credit packs and operation prices as data; Stripe events are read-only.

Only platform tables are registered. Tenant-owned billing tables (accounts, ledger, holds,
subscriptions) are not: row-level security hides their rows from the admin, and credits change
only through the ledger (the staff billing page has the adjustment form).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import CreditPack, OperationPrice, Plan, StripeEvent


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "code", "name", "price_cents", "currency", "monthly_credits", "seats", "api_access",
        "max_resolution", "priority_lane", "stripe_price_id", "is_public", "sort_order",
    )  # fmt: skip
    list_editable = ("monthly_credits", "seats", "is_public", "sort_order")
    list_filter = ("is_public", "api_access", "max_resolution", "priority_lane")
    search_fields = ("code", "name", "stripe_price_id")
    ordering = ("sort_order", "code")
    fieldsets = (
        (None, {"fields": ("code", "name", "is_public", "sort_order")}),
        ("Price", {"fields": ("price_cents", "currency", "stripe_price_id"), "description": (
            "Checkout charges the Stripe price; keep price_cents (what the billing page shows) "
            "equal to it."
        )}),
        ("Limits", {"fields": (
            "monthly_credits", "seats", "api_access", "api_rate_limit", "max_resolution",
            "priority_lane", "custom_rules", "brand_kits",
        )}),
    )  # fmt: skip


@admin.register(CreditPack)
class CreditPackAdmin(admin.ModelAdmin):
    list_display = (
        "code", "name", "credits", "price_cents", "currency", "stripe_price_id", "is_active",
    )  # fmt: skip
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("code", "name", "stripe_price_id")


@admin.register(OperationPrice)
class OperationPriceAdmin(admin.ModelAdmin):
    list_display = ("operation", "label", "credits")
    list_editable = ("credits",)
    ordering = ("operation",)

    @admin.display(description="What it is")
    def label(self, price: OperationPrice) -> str:
        return str(price.get_operation_display())


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """Read-only: events are Stripe's record, and processing them is the webhook task's job."""

    list_display = (
        "event_id", "type", "status", "matched_tenant", "received_at", "attempts", "processed_at",
    )  # fmt: skip
    list_filter = ("status", "type")
    search_fields = ("event_id", "type", "note")
    date_hierarchy = "received_at"
    ordering = ("-received_at",)
    list_select_related = ("matched_tenant",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
