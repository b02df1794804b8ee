"""``/api/v1/``: every app's API, the OpenAPI schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import NotFound


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@authentication_classes([])
@permission_classes([])
def not_found(request, rest=""):
    raise NotFound("No API endpoint here; see /api/v1/docs/.")


class PublicSchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


class PublicDocsView(SpectacularRedocView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


app_name = "api"
urlpatterns = [
    path("schema/", PublicSchemaView.as_view(), name="schema"),
    path("docs/", PublicDocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include("firms.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("models_library.api.urls")),
    path("", include("trading.api.urls")),
    # any character, a newline (%0A) included: every /api/ URL answers a problem
    re_path(r"^(?P<rest>[\s\S]*)$", not_found, name="not-found"),
]
