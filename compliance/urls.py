"""Dashboard routes of the ad-law check and the staff moderation pages."""

from django.urls import path

from .views import check, library

urlpatterns = [
    path("compliance/check/", check.CopyCheckView.as_view(), name="compliance_check"),
    path("compliance/evidence/", library.EvidenceView.as_view(), name="compliance_evidence"),
    path(
        "compliance/evidence/<int:evidence_id>/delete/",
        library.EvidenceDeleteView.as_view(),
        name="compliance_evidence_delete",
    ),
    path("compliance/rules/", library.CustomRulesView.as_view(), name="compliance_rules"),
    path(
        "compliance/rules/<int:rule_id>/delete/",
        library.CustomRuleDeleteView.as_view(),
        name="compliance_rule_delete",
    ),
]
