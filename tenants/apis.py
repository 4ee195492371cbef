"""/api/v1/ endpoints of a brand: the brand itself, its members, API keys and audit log."""

from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api import TenantApi

from .api_keys import ApiScope, api_key_create, api_key_revoke
from .models import ApiKey, AuditEvent, Membership, Tenant
from .roles import Permission
from .selectors import api_key_list, audit_event_list, membership_list


class TenantDetailApi(TenantApi):
    # A plain Serializer: ModelSerializer introspects the model on every request, which was a
    # tenth of this endpoint's time (bench/api.py --profile).
    @extend_schema_serializer(component_name="Tenant")
    class OutputSerializer(serializers.Serializer[Tenant]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        slug = serializers.SlugField()
        locale = serializers.ChoiceField(choices=Tenant.Locale.choices)

    serializer_class = OutputSerializer

    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(self.tenant).data)


class MemberListApi(mixins.ListModelMixin, TenantApi):
    required_scopes = (ApiScope.MEMBERS_READ,)

    @extend_schema_serializer(component_name="Member")
    class OutputSerializer(serializers.ModelSerializer[Membership]):
        user_id = serializers.IntegerField()
        email = serializers.EmailField(source="user.email")
        name = serializers.CharField(source="user.get_full_name")

        class Meta:
            model = Membership
            fields = ["id", "user_id", "email", "name", "role", "created_at"]

    serializer_class = OutputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[Membership]:
        return membership_list(tenant=tenant)

    def get(self, request: Request) -> Response:
        return self.list(request)


class ApiKeyOutputSerializer(serializers.ModelSerializer[ApiKey]):
    class Meta:
        model = ApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "last_used_at",
        ]


class ApiKeyCollectionApi(mixins.ListModelMixin, TenantApi):
    """GET lists the brand's keys; POST mints one (signed-in members only: a key cannot mint)."""

    required_permission = Permission.MANAGE_API_KEYS
    required_scopes = (ApiScope.API_KEYS_READ,)
    session_only_methods = frozenset({"POST"})
    serializer_class = ApiKeyOutputSerializer

    class InputSerializer(serializers.Serializer[Any]):
        name = serializers.CharField(max_length=80)
        scopes = serializers.ListField(
            child=serializers.ChoiceField(choices=[scope.value for scope in ApiScope]),
            allow_empty=False,
        )
        expires_at = serializers.DateTimeField(required=False, allow_null=True)

    class CreatedSerializer(ApiKeyOutputSerializer):
        key = serializers.CharField(help_text="The key itself; shown once, never again.")

        class Meta(ApiKeyOutputSerializer.Meta):
            fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ApiKey]:
        return api_key_list(tenant=tenant)

    def get(self, request: Request) -> Response:
        return self.list(request)

    @extend_schema(request=InputSerializer, responses={201: CreatedSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user: User = request.user  # type: ignore[assignment]
        api_key, key = api_key_create(tenant=self.tenant, actor=user, **serializer.validated_data)
        api_key.key = key  # type: ignore[attr-defined]
        return Response(self.CreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeApi(TenantApi):
    required_permission = Permission.MANAGE_API_KEYS
    session_only_methods = frozenset({"POST"})
    serializer_class = ApiKeyOutputSerializer
    lookup_url_kwarg = "api_key_id"

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[ApiKey]:
        return api_key_list(tenant=tenant)

    @extend_schema(request=None)
    def post(self, request: Request, api_key_id: int) -> Response:
        user: User = request.user  # type: ignore[assignment]
        api_key = api_key_revoke(tenant=self.tenant, actor=user, api_key_id=api_key_id)
        return Response(ApiKeyOutputSerializer(api_key).data)


class AuditEventListApi(mixins.ListModelMixin, TenantApi):
    required_permission = Permission.VIEW_AUDIT_LOG
    required_scopes = (ApiScope.AUDIT_READ,)

    @extend_schema_serializer(component_name="AuditEvent")
    class OutputSerializer(serializers.ModelSerializer[AuditEvent]):
        actor_api_key_prefix = serializers.CharField(
            source="actor_api_key.prefix", default=None, allow_null=True
        )

        class Meta:
            model = AuditEvent
            fields = [
                "id",
                "action",
                "actor",
                "actor_api_key_prefix",
                "target_type",
                "target_id",
                "data",
                "request_id",
                "created_at",
            ]

    serializer_class = OutputSerializer

    def get_tenant_queryset(self, tenant: Tenant) -> QuerySet[AuditEvent]:
        return audit_event_list(tenant=tenant)

    def get(self, request: Request) -> Response:
        return self.list(request)
