"""Dashboard and download routes of the generation pipeline."""

from django.urls import path

from generation import downloads, views

urlpatterns = [
    path("files/<str:token>", downloads.file_download, name="file_download"),
    path("files/<str:token>/view", views.file_inline, name="file_inline"),
    path("generate/", views.JobCreateView.as_view(), name="job_new"),
    path("generate/analyse/", views.ScriptAnalyseView.as_view(), name="script_analyse"),
    path("jobs/", views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:job_id>/", views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:job_id>/progress/", views.JobProgressView.as_view(), name="job_progress"),
    path("jobs/<int:job_id>/cancel/", views.JobCancelView.as_view(), name="job_cancel"),
    path("jobs/<int:job_id>/retry/", views.JobRetryView.as_view(), name="job_retry"),
    path("jobs/<int:job_id>/clone/", views.JobCloneView.as_view(), name="job_clone"),
    path("catalog/", views.ProductListView.as_view(), name="catalog"),
    path("catalog/new/", views.ProductCreateView.as_view(), name="product_new"),
    path("catalog/<int:product_id>/", views.ProductDetailView.as_view(), name="product_detail"),
    path(
        "catalog/<int:product_id>/delete/",
        views.ProductDeleteView.as_view(),
        name="product_delete",
    ),
    path(
        "catalog/<int:product_id>/photos/",
        views.ProductPhotoUploadView.as_view(),
        name="product_photo_add",
    ),
    path(
        "catalog/<int:product_id>/photos/<int:photo_id>/delete/",
        views.ProductPhotoDeleteView.as_view(),
        name="product_photo_delete",
    ),
    path("brand-kit/", views.BrandKitView.as_view(), name="brand_kit"),
]
