"""URL root."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("rebalancer.api_urls")),
    path("", include("accounts.urls")),
    path("", include("models_library.urls")),
    path("", include("trading.urls")),
]
