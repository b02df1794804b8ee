from django.urls import path

from . import portfolios, reference

urlpatterns = [
    path("securities/", reference.SecurityListApi.as_view(), name="securities"),
    path("securities/bulk/", reference.SecurityBulkApi.as_view(), name="securities-bulk"),
    path("prices/", reference.PriceListApi.as_view(), name="prices"),
    path("prices/bulk/", reference.PriceBulkApi.as_view(), name="prices-bulk"),
    path("models/", portfolios.ModelListApi.as_view(), name="models"),
    path("models/<int:model_id>/", portfolios.ModelDetailApi.as_view(), name="model"),
    path(
        "model-versions/<int:version_id>/",
        portfolios.VersionDetailApi.as_view(),
        name="model-version",
    ),
    path(
        "model-versions/<int:version_id>/publish/",
        portfolios.VersionPublishApi.as_view(),
        name="model-version-publish",
    ),
]
