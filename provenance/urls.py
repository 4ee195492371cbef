"""Dashboard routes of provenance (labelling, verification, settings, the labelling duty) and
the public verification page."""

from django.urls import path

from . import views

urlpatterns = [
    path("provenance/", views.LabelView.as_view(), name="provenance_label"),
    path("provenance/verify/", views.VerifyView.as_view(), name="provenance_verify"),
    path("provenance/settings/", views.SettingsView.as_view(), name="provenance_settings"),
    path("provenance/duty/", views.DutyView.as_view(), name="provenance_duty"),
    path(
        "provenance/renders/<int:render_id>/unlabelled/",
        views.UnlabelledExportView.as_view(),
        name="provenance_unlabelled_export",
    ),
    path(
        "jobs/<int:job_id>/provenance-export/",
        views.JobAuditExportView.as_view(),
        name="job_provenance_export",
    ),
    path("verify/", views.PublicVerifyView.as_view(), name="public_verify"),
]
