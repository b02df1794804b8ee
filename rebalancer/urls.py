"""URL root."""

from django.contrib import admin
from django.urls import include, path, re_path

from rebalancer.api.problems import server_error
from rebalancer.api_urls import not_found

urlpatterns = [
    path("", include("firms.urls")),  # before admin/: its sign-in page is ours
    path("admin/", admin.site.urls),
    path("api/v1/", include("rebalancer.api_urls")),
    re_path(r"^api/(?P<rest>[\s\S]*)$", not_found),
    path("", include("pages.urls")),
    path("", include("trading.urls")),
]

handler500 = server_error
