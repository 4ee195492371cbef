"""Routes under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from billing import apis as billing_apis
from generation import apis as generation_apis
from library import apis as library_apis
from tenants import apis as tenant_apis
from webhooks import apis as webhook_apis

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
    path("jobs", generation_apis.JobCollectionApi.as_view(), name="api_jobs"),
    path("jobs/<int:job_id>", generation_apis.JobDetailApi.as_view(), name="api_job"),
    path("jobs/<int:job_id>/cancel", generation_apis.JobCancelApi.as_view(), name="api_job_cancel"),
    path("jobs/<int:job_id>/retry", generation_apis.JobRetryApi.as_view(), name="api_job_retry"),
    path("jobs/<int:job_id>/clone", generation_apis.JobCloneApi.as_view(), name="api_job_clone"),
    path(
        "jobs/<int:job_id>/assets", generation_apis.JobAssetListApi.as_view(), name="api_job_assets"
    ),
    path("scripts/analyse", generation_apis.ScriptAnalyseApi.as_view(), name="api_script_analyse"),
    path("generation/options", generation_apis.OptionsApi.as_view(), name="api_generation_options"),
    path("products", generation_apis.ProductCollectionApi.as_view(), name="api_products"),
    path(
        "products/<int:product_id>", generation_apis.ProductDetailApi.as_view(), name="api_product"
    ),
    path(
        "products/<int:product_id>/photos",
        generation_apis.ProductPhotoUploadApi.as_view(),
        name="api_product_photos",
    ),
    path("brand-kit", generation_apis.BrandKitApi.as_view(), name="api_brand_kit"),
    path("billing/estimate", generation_apis.JobEstimateApi.as_view(), name="api_billing_estimate"),
    path("billing/credits", billing_apis.CreditBalanceApi.as_view(), name="api_billing_credits"),
    path(
        "webhooks/endpoints",
        webhook_apis.WebhookEndpointCollectionApi.as_view(),
        name="api_webhook_endpoints",
    ),
    path(
        "webhooks/endpoints/<int:endpoint_id>",
        webhook_apis.WebhookEndpointDetailApi.as_view(),
        name="api_webhook_endpoint",
    ),
    path(
        "webhooks/deliveries",
        webhook_apis.WebhookDeliveryListApi.as_view(),
        name="api_webhook_deliveries",
    ),
    path("compliance/", include("compliance.urls_api")),
    path("provenance/", include("provenance.urls_api")),
    path("library/", include("library.urls_api")),
    path("assets/similar", library_apis.AssetSimilarApi.as_view(), name="api_assets_similar"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves its start-up script as a file: our CSP runs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema"),
        name="api_docs",
    ),
]
