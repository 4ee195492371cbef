"""Dashboard routes of accounts and brands."""

urlpatterns: list = []
