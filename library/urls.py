"""Dashboard routes of the asset library (its API is library.urls_api)."""

from django.urls import path

from . import views

urlpatterns = [
    path("library/", views.LibraryView.as_view(), name="library"),
    path("library/upload/", views.UploadView.as_view(), name="library_upload"),
    path("library/uploads/<int:batch_id>/", views.UploadBatchView.as_view(), name="library_batch"),
    path(
        "library/uploads/<int:batch_id>/progress/",
        views.UploadBatchProgressView.as_view(),
        name="library_batch_progress",
    ),
    path("library/duplicates/", views.DuplicatesView.as_view(), name="library_duplicates"),
    path(
        "library/duplicates/<int:asset_id>/merge/",
        views.ClusterMergeView.as_view(),
        name="library_cluster_merge",
    ),
    path("library/banks/", views.BanksView.as_view(), name="library_banks"),
    path("library/banks/<int:bank_id>/", views.BankDetailView.as_view(), name="library_bank"),
    path(
        "library/banks/<int:bank_id>/toggle/",
        views.BankToggleView.as_view(),
        name="library_bank_toggle",
    ),
    path(
        "library/banks/<int:bank_id>/entries/",
        views.BankEntryAddView.as_view(),
        name="library_bank_entry_add",
    ),
    path(
        "library/banks/<int:bank_id>/entries/<int:entry_id>/remove/",
        views.BankEntryRemoveView.as_view(),
        name="library_bank_entry_remove",
    ),
    path("library/<int:asset_id>/", views.AssetDetailView.as_view(), name="library_asset"),
    path(
        "library/<int:asset_id>/bank/", views.AssetBankAddView.as_view(), name="library_asset_bank"
    ),
    path(
        "library/<int:asset_id>/not-duplicate/",
        views.NotDuplicateView.as_view(),
        name="library_not_duplicate",
    ),
]
