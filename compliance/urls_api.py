"""Routes under /api/v1/compliance/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("check", apis.ComplianceCheckApi.as_view(), name="api_compliance_check"),
    path("reason-codes", apis.ReasonCodeListApi.as_view(), name="api_compliance_reason_codes"),
    path("reports/findings", apis.FindingReportApi.as_view(), name="api_compliance_findings"),
    path("review-items", apis.ReviewItemListApi.as_view(), name="api_review_items"),
    path(
        "review-items/<int:review_item_id>",
        apis.ReviewItemDetailApi.as_view(),
        name="api_review_item",
    ),
    path(
        "review-items/<int:review_item_id>/approve",
        apis.ReviewApproveApi.as_view(),
        name="api_review_item_approve",
    ),
    path(
        "review-items/<int:review_item_id>/reject",
        apis.ReviewRejectApi.as_view(),
        name="api_review_item_reject",
    ),
    path(
        "review-items/<int:review_item_id>/edit",
        apis.ReviewEditApi.as_view(),
        name="api_review_item_edit",
    ),
    path(
        "review-items/<int:review_item_id>/escalate",
        apis.ReviewEscalateApi.as_view(),
        name="api_review_item_escalate",
    ),
    path(
        "review-items/<int:review_item_id>/appeal",
        apis.ReviewAppealApi.as_view(),
        name="api_review_item_appeal",
    ),
    path("evidence", apis.EvidenceCollectionApi.as_view(), name="api_evidence"),
    path("evidence/<int:evidence_id>", apis.EvidenceDetailApi.as_view(), name="api_evidence_item"),
    path("rules", apis.CustomRuleCollectionApi.as_view(), name="api_custom_rules"),
    path("rules/<int:rule_id>", apis.CustomRuleDetailApi.as_view(), name="api_custom_rule"),
]
