"""Routes under /api/v1/."""

urlpatterns: list = []
