"""Dashboard routes of the ad-law check and the staff moderation pages."""

from django.urls import path

from .views import check

urlpatterns = [
    path("compliance/check/", check.CopyCheckView.as_view(), name="compliance_check"),
]
