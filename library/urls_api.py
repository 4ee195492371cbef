"""Routes under /api/v1/library/ (and /api/v1/assets/similar, mounted in config.api_urls)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("assets", apis.AssetSearchApi.as_view(), name="api_library_assets"),
    path("assets/<int:asset_id>", apis.AssetDetailApi.as_view(), name="api_library_asset"),
    path(
        "assets/<int:asset_id>/not-duplicate",
        apis.NotDuplicateApi.as_view(),
        name="api_library_not_duplicate",
    ),
    path("uploads", apis.UploadCollectionApi.as_view(), name="api_library_uploads"),
    path("uploads/<int:batch_id>", apis.UploadDetailApi.as_view(), name="api_library_upload"),
    path("clusters", apis.ClusterListApi.as_view(), name="api_library_clusters"),
    path(
        "clusters/<int:asset_id>/merge",
        apis.ClusterMergeApi.as_view(),
        name="api_library_cluster_merge",
    ),
    path("banks", apis.BankCollectionApi.as_view(), name="api_library_banks"),
    path("banks/<int:bank_id>", apis.BankDetailApi.as_view(), name="api_library_bank"),
    path(
        "banks/<int:bank_id>/entries",
        apis.BankEntryCollectionApi.as_view(),
        name="api_library_bank_entries",
    ),
    path(
        "banks/<int:bank_id>/entries/<int:entry_id>",
        apis.BankEntryDetailApi.as_view(),
        name="api_library_bank_entry",
    ),
]
