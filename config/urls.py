from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import health
from tenants.views.accounts import AccountLoginView
from tenants.views.dashboard import HomeView

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", AccountLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", HomeView.as_view(), name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("config.api_urls")),
    path("", include("tenants.urls")),
    path("", include("generation.urls")),
    path("", include("webhooks.urls")),
    path("", include("billing.urls")),
    path("", include("compliance.urls")),
    path("", include("provenance.urls")),
    path("", include("library.urls")),
    path("admin/", admin.site.urls),
]

# JSON errors under /api/, the usual HTML pages elsewhere.
handler404 = "config.api.handler404"
handler500 = "config.api.handler500"
