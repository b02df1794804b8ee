"""Reading models and versions (prices: ``models_library.selectors.prices``)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from firms.models import Firm
from models_library.models import ModelPortfolio, ModelVersion
from rebalancer.tenancy import get_for_firm_or_404


def model_list(*, firm: Firm) -> QuerySet[ModelPortfolio]:
    return (
        ModelPortfolio.objects.for_firm(firm)
        .annotate(account_count=Count("assignments", distinct=True))
        .order_by("name")
    )


def model_get(*, firm: Firm, model_id: int) -> ModelPortfolio:
    return get_for_firm_or_404(ModelPortfolio.objects.all(), firm=firm, pk=model_id)


def version_get(*, firm: Firm, version_id: int) -> ModelVersion:
    return get_for_firm_or_404(
        ModelVersion.objects.select_related("model"), firm=firm, pk=version_id
    )
