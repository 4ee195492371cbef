"""/api/v1/webhooks/: endpoints (list, create, show, delete) and deliveries (list).

Signed-in members only, for now: no API key scope covers webhooks (docs/webhooks.md, "API").
Reading needs VIEW_CONTENT; creating and deleting endpoints needs MANAGE_BRAND.
"""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi
from tenants.models import Tenant
from tenants.roles import Permission

from .events import EventType
from .models import WebhookDelivery, WebhookEndpoint
from .selectors import delivery_list, endpoint_list
from .services import webhook_endpoint_create, webhook_endpoint_delete

# Every method: an API key holds no scope that covers webhooks (it gets a 403 that says so).
SESSION_ONLY = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})


@extend_schema_serializer(component_name="WebhookEndpoint")
class EndpointSerializer(serializers.Serializer[WebhookEndpoint]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    secret_hint = serializers.CharField(help_text="The secret's first characters, to tell apart.")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
    created_at = serializers.DateTimeField()


class WebhookEndpointCollectionApi(mixins.ListModelMixin, TenantApi):
    """GET lists the brand's endpoints; POST registers one and returns its secret, once."""

    write_permission = Permission.MANAGE_BRAND
    session_only_methods = SESSION_ONLY
    serializer_class = EndpointSerializer

    @extend_schema_serializer(component_name="WebhookEndpointInput")
    class InputSerializer(serializers.Serializer[Any]):
        url = serializers.CharField(max_length=2000)
        event_types = serializers.ListField(
            child=serializers.ChoiceField(choices=EventType.values), allow_empty=False
        )
        description = serializers.CharField(max_length=200, required=False, allow_blank=True)

    @extend_schema_serializer(component_name="WebhookEndpointCreated")
    class CreatedSerializer(EndpointSerializer):
        secret = serializers.CharField(help_text="The signing secret; shown once, never again.")

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
        return endpoint_list(tenant=tenant)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        endpoint = webhook_endpoint_create(
            tenant=self.tenant, user=user, **serializer.validated_data
        )
        response = Response(self.CreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class WebhookEndpointDetailApi(TenantApi):
    write_permission = Permission.MANAGE_BRAND
    session_only_methods = SESSION_ONLY
    serializer_class = EndpointSerializer
    lookup_url_kwarg = "endpoint_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
        return endpoint_list(tenant=tenant)

    def get(self, request: Request, endpoint_id: int) -> Response:
        return Response(EndpointSerializer(self.get_object()).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, endpoint_id: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        webhook_endpoint_delete(tenant=self.tenant, user=user, endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveryListApi(mixins.ListModelMixin, TenantApi):
    """The brand's deliveries, newest first; filter by `status` and `endpoint`."""

    session_only_methods = SESSION_ONLY

    @extend_schema_serializer(component_name="WebhookDeliveryFilter")
    class FilterSerializer(serializers.Serializer[Any]):
        status = serializers.ChoiceField(choices=WebhookDelivery.Status.values, required=False)
        endpoint = serializers.IntegerField(required=False, min_value=1)

    @extend_schema_serializer(component_name="WebhookDelivery")
    class OutputSerializer(serializers.Serializer[WebhookDelivery]):
        id = serializers.IntegerField()
        endpoint = serializers.IntegerField(source="endpoint_id")
        endpoint_url = serializers.CharField(source="endpoint.url")
        event_id = serializers.UUIDField()
        event_type = serializers.CharField()
        status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices)
        attempts = serializers.IntegerField()
        last_response_code = serializers.IntegerField(allow_null=True)
        last_error = serializers.CharField()
        attempt_log = serializers.ListField(child=serializers.DictField())
        next_attempt_at = serializers.DateTimeField(allow_null=True)
        created_at = serializers.DateTimeField()
        delivered_at = serializers.DateTimeField(allow_null=True)
        payload = serializers.JSONField()

    serializer_class = OutputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[WebhookDelivery]:
        filters = self.FilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return delivery_list(
            tenant=tenant,
            status=filters.validated_data.get("status"),
            endpoint_id=filters.validated_data.get("endpoint"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=WebhookDelivery.Status.values),
            OpenApiParameter("endpoint", int),
        ]
    )
    def get(self, request: Request) -> Response:
        return self.list(request)
