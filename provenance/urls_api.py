"""Routes under /api/v1/provenance/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("label", apis.ProvenanceLabelApi.as_view(), name="api_provenance_label"),
    path("verify", apis.ProvenanceVerifyApi.as_view(), name="api_provenance_verify"),
    path(
        "jobs/<int:job_id>/export",
        apis.JobProvenanceExportApi.as_view(),
        name="api_provenance_job_export",
    ),
]
