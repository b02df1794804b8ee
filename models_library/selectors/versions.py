"""A model's versions, their lines and allocations, and the accounts that follow it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max, Q, QuerySet

from firms.models import Firm
from models_library.models import ModelLine, ModelPortfolio, ModelVersion, Security, VersionStatus
from models_library.selectors.models import model_list


def models_with_versions(*, firm: Firm) -> QuerySet[ModelPortfolio]:
    """The firm's models with ``account_count``, ``published`` (the latest published
    version's number) and ``draft`` (the draft's number), both None when there is none."""
    return model_list(firm=firm).annotate(
        published=Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED)),
        draft=Max("versions__number", filter=Q(versions__status=VersionStatus.DRAFT)),
    )


def model_versions(*, firm: Firm, model: ModelPortfolio) -> QuerySet[ModelVersion]:
    return (
        ModelVersion.objects.for_firm(firm)
        .filter(model=model)
        .select_related("created_by", "published_by")
        .order_by("-number")
    )


def model_draft(*, firm: Firm, model: ModelPortfolio) -> ModelVersion | None:
    return model_versions(firm=firm, model=model).filter(status=VersionStatus.DRAFT).first()


def version_lines(*, version: ModelVersion) -> QuerySet[ModelLine]:
    return version.lines.select_related("security", "sub_model").order_by("-weight", "id")


def sub_model_choices(*, firm: Firm, model: ModelPortfolio) -> QuerySet[ModelPortfolio]:
    """Models of the firm that could be a line of ``model`` (any but itself)."""
    return ModelPortfolio.objects.for_firm(firm).exclude(pk=model.pk).order_by("name")


def weights_grouped(weights: dict[str, Decimal]) -> tuple[str, dict[str, Decimal]]:
    """Security weights summed per asset class, or per sector when all are of one asset
    class: (the field grouped by, {group: weight}) largest first."""
    rows = Security.objects.filter(symbol__in=weights).values_list(
        "symbol", "asset_class", "sector"
    )
    info = {symbol: (asset_class, sector) for symbol, asset_class, sector in rows}
    field = "asset_class" if len({a for a, _ in info.values()}) > 1 else "sector"
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for symbol, weight in weights.items():
        asset_class, sector = info.get(symbol, ("", ""))
        totals[(asset_class if field == "asset_class" else sector) or "other"] += weight
    return field, dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def weights_compared(a: dict[str, Decimal], b: dict[str, Decimal]) -> list[dict]:
    """Per symbol of either: its weight in ``a`` and in ``b`` (0 when absent) and the change."""
    zero = Decimal(0)
    return [
        {
            "symbol": s,
            "a": a.get(s, zero),
            "b": b.get(s, zero),
            "change": b.get(s, zero) - a.get(s, zero),
        }
        for s in sorted(set(a) | set(b))
    ]


@dataclass(frozen=True)
class PublishPreview:
    """What publishing a draft changes: its lines against the version it replaces, and
    the accounts that follow the model (directly, or through a model holding it)."""

    lines: int
    total: Decimal
    previous: ModelVersion | None
    previous_lines: int
    added: list[str]
    removed: list[str]
    reweighted: list[str]
    accounts: int
    parent_models: list[str]


def _line_weights(version: ModelVersion) -> dict[str, Decimal]:
    return {
        line.security.symbol if line.security is not None else f"model {line.sub_model}": (
            line.weight
        )
        for line in version_lines(version=version)
    }


def publish_preview(*, firm: Firm, version: ModelVersion) -> PublishPreview:
    model = version.model
    previous = (
        model_versions(firm=firm, model=model)
        .filter(status=VersionStatus.PUBLISHED, number__lt=version.number)
        .first()
    )
    now, before = _line_weights(version), _line_weights(previous) if previous else {}
    parents = (
        ModelPortfolio.objects.for_firm(firm)
        .filter(
            versions__status=VersionStatus.PUBLISHED,
            versions__lines__sub_model=model,
        )
        .distinct()
        .order_by("name")
    )
    return PublishPreview(
        lines=len(now),
        total=sum(now.values(), Decimal(0)),
        previous=previous,
        previous_lines=len(before),
        added=sorted(set(now) - set(before)),
        removed=sorted(set(before) - set(now)),
        reweighted=sorted(s for s in set(now) & set(before) if now[s] != before[s]),
        accounts=model.assignments.count(),
        parent_models=[p.name for p in parents],
    )
