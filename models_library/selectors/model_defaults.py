"""What a model gives the accounts that follow it by default: its kind and its
tracking-error limit.

A model's kind is read from what it holds, not entered: its latest published version,
sub-models resolved, is a **direct-index** model when individual stocks make up more than
half of its weight, and an **ETF** model otherwise (funds and bonds; a model with nothing
published yet counts as an ETF model). The product's default tracking-error limit is
1.0 %/yr for a direct-index model (hundreds of single stocks, where harvesting needs room)
and 0.5 %/yr for an ETF model (a few broad funds track closely). A model manager may set a
model's own limit, which then replaces the product default for its accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import models

from firms.models import Firm
from models_library.models import ModelLine, ModelPortfolio, ModelVersion, VersionStatus
from models_library.models.securities import SecurityType
from models_library.selectors.resolution import resolve_lines
from rebalancer.errors import DomainError

HALF = Decimal("0.5")


class ModelKind(models.TextChoices):
    DIRECT_INDEX = "direct_index", "direct-index model"
    ETF = "etf", "ETF model"


KIND_IN_WORDS: dict[str, str] = {
    ModelKind.DIRECT_INDEX: "a direct-index model",
    ModelKind.ETF: "an ETF model",
}
PRODUCT_TRACKING_ERROR_LIMIT_PCT: dict[str, Decimal] = {
    ModelKind.DIRECT_INDEX: Decimal("1.0"),
    ModelKind.ETF: Decimal("0.5"),
}


@dataclass(frozen=True)
class ModelDefaults:
    model_id: int
    name: str
    kind: str  # a ModelKind value
    tracking_error_limit_pct: Decimal | None  # the model's own; None: the product default

    @property
    def product_tracking_error_limit_pct(self) -> Decimal:
        return PRODUCT_TRACKING_ERROR_LIMIT_PCT[self.kind]


def kind_of(*, weights: dict[str, Decimal], stocks: set[str]) -> str:
    """A direct-index model when stocks hold more than half the weight, else an ETF model."""
    total = sum(weights.values(), Decimal("0"))
    in_stocks = sum((w for s, w in weights.items() if s in stocks), Decimal("0"))
    return ModelKind.DIRECT_INDEX if total > 0 and in_stocks / total > HALF else ModelKind.ETF


def model_defaults(*, firm: Firm, model_ids: Iterable[int]) -> dict[int, ModelDefaults]:
    """Each model's kind and own limit, in three queries whatever the number of models."""
    wanted = set(model_ids)
    if not wanted:
        return {}
    portfolios = list(ModelPortfolio.objects.for_firm(firm).filter(pk__in=wanted))
    latest: dict[int, ModelVersion] = {}
    published = ModelVersion.objects.for_firm(firm).filter(status=VersionStatus.PUBLISHED)
    for version in published.order_by("model_id", "number"):
        latest[version.model_id] = version
    lines: dict[int, list[ModelLine]] = defaultdict(list)
    stocks: set[str] = set()
    for line in (
        ModelLine.objects.for_firm(firm)
        .filter(version_id__in=[v.pk for v in latest.values()])
        .select_related("security")
    ):
        lines[line.version_id].append(line)
        if line.security is not None and line.security.security_type == SecurityType.STOCK:
            stocks.add(line.security.symbol)

    result = {}
    for model in portfolios:
        current = latest.get(model.pk)
        weights: dict[str, Decimal] = {}
        if current is not None:
            try:
                weights = resolve_lines(
                    lines=lines[current.pk],
                    model_id=model.pk,
                    sub_version_of=latest.get,
                    lines_of=lambda v: lines[v.pk],
                )
            except DomainError:
                weights = {}
        result[model.pk] = ModelDefaults(
            model_id=model.pk,
            name=model.name,
            kind=kind_of(weights=weights, stocks=stocks),
            tracking_error_limit_pct=model.tracking_error_limit_pct,
        )
    return result
