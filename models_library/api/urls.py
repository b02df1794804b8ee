from django.urls import path

from . import equivalents, portfolios, price_review, reference

urlpatterns = [
    path("securities/", reference.SecurityListApi.as_view(), name="securities"),
    path("securities/bulk/", reference.SecurityBulkApi.as_view(), name="securities-bulk"),
    path("prices/", reference.PriceListApi.as_view(), name="prices"),
    path("prices/bulk/", reference.PriceBulkApi.as_view(), name="prices-bulk"),
    path("prices/own/", price_review.OwnPriceListApi.as_view(), name="prices-own"),
    path("prices/adopt/", price_review.PriceAdoptApi.as_view(), name="prices-adopt"),
    path("prices/held/", price_review.HeldPriceListApi.as_view(), name="prices-held"),
    path(
        "prices/held/<int:held_id>/release/",
        price_review.HeldPriceReleaseApi.as_view(),
        name="prices-held-release",
    ),
    path(
        "prices/held/<int:held_id>/reject/",
        price_review.HeldPriceRejectApi.as_view(),
        name="prices-held-reject",
    ),
    path("equivalence-sets/", equivalents.EquivalenceSetListApi.as_view(), name="equivalence-sets"),
    path(
        "equivalence-sets/<int:set_id>/",
        equivalents.EquivalenceSetDetailApi.as_view(),
        name="equivalence-set",
    ),
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
