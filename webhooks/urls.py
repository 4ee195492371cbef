"""Dashboard routes of webhooks."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/", views.WebhooksView.as_view(), name="webhooks"),
    path(
        "webhooks/endpoints/<int:endpoint_id>/delete/",
        views.EndpointDeleteView.as_view(),
        name="webhook_endpoint_delete",
    ),
    path(
        "webhooks/deliveries/<int:delivery_id>/",
        views.DeliveryDetailView.as_view(),
        name="webhook_delivery",
    ),
]
