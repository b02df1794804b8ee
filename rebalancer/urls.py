"""URL root."""

from django.contrib import admin
from django.urls import include, path

from accounts.views.auth import admin_login

urlpatterns = [
    path("admin/login/", admin_login),
    path("admin/", admin.site.urls),
    path("api/v1/", include("rebalancer.api_urls")),
    path("", include("accounts.urls")),
    path("", include("models_library.urls")),
    path("", include("trading.urls")),
]
