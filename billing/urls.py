from django.urls import path

from . import webhooks

urlpatterns = [
    path("billing/stripe/webhook", webhooks.stripe_webhook, name="stripe_webhook"),
]
