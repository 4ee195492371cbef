"""Dashboard routes of the ad-law check and the staff moderation pages."""

from django.urls import path

from .views import check, library, reviews, staff

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
    path("compliance/reviews/", reviews.ReviewListView.as_view(), name="review_list"),
    path("compliance/reviews/<int:item_id>/", reviews.ReviewItemView.as_view(), name="review_item"),
    path(
        "compliance/reviews/<int:item_id>/approve/",
        reviews.ReviewApproveView.as_view(),
        name="review_approve",
    ),
    path(
        "compliance/reviews/<int:item_id>/reject/",
        reviews.ReviewRejectView.as_view(),
        name="review_reject",
    ),
    path(
        "compliance/reviews/<int:item_id>/edit/",
        reviews.ReviewEditView.as_view(),
        name="review_edit",
    ),
    path(
        "compliance/reviews/<int:item_id>/escalate/",
        reviews.ReviewEscalateView.as_view(),
        name="review_escalate",
    ),
    path(
        "compliance/reviews/<int:item_id>/appeal/",
        reviews.ReviewAppealView.as_view(),
        name="review_appeal",
    ),
    path("staff/moderation/", staff.ModerationQueueView.as_view(), name="moderation_queue"),
    path("staff/moderation/claim/", staff.ClaimNextView.as_view(), name="moderation_claim"),
    path("staff/moderation/appeals/", staff.AppealListView.as_view(), name="moderation_appeals"),
    path(
        "staff/moderation/analytics/",
        staff.AnalyticsView.as_view(),
        name="moderation_analytics",
    ),
    path(
        "staff/moderation/<int:case_id>/",
        staff.ModerationCaseView.as_view(),
        name="moderation_case",
    ),
    path(
        "staff/moderation/<int:case_id>/release/",
        staff.ReleaseView.as_view(),
        name="moderation_release",
    ),
]
