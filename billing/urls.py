from django.urls import path

from . import views, webhooks

urlpatterns = [
    path("billing/", views.BillingView.as_view(), name="billing"),
    path("billing/checkout", views.CheckoutView.as_view(), name="billing_checkout"),
    path("billing/portal", views.PortalView.as_view(), name="billing_portal"),
    path("billing/stripe/webhook", webhooks.stripe_webhook, name="stripe_webhook"),
    path("staff/billing/", views.StaffBillingView.as_view(), name="staff_billing"),
    path(
        "staff/billing/<slug:slug>/",
        views.StaffBrandBillingView.as_view(),
        name="staff_brand_billing",
    ),
]
