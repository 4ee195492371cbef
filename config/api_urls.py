"""Routes under /api/v1/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from tenants import apis as tenant_apis

urlpatterns = [
    path("tenant", tenant_apis.TenantDetailApi.as_view(), name="api_tenant"),
    path("members", tenant_apis.MemberListApi.as_view(), name="api_members"),
    path("api-keys", tenant_apis.ApiKeyCollectionApi.as_view(), name="api_api_keys"),
    path(
        "api-keys/<int:api_key_id>/revoke",
        tenant_apis.ApiKeyRevokeApi.as_view(),
        name="api_api_key_revoke",
    ),
    path("audit-events", tenant_apis.AuditEventListApi.as_view(), name="api_audit_events"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: our CSP runs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
]
