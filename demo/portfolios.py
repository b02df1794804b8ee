"""The demo firm's model portfolios, each with published versions.

- "Balanced 60/40": six ETFs, one per asset class (v1 a year ago, v2 current);
- "Global Equity" and "Core Bond": ETF models used as building blocks;
- "Growth 70/30": a model of models, 70 % Global Equity and 28 % Core Bond;
- "US Large Cap Direct Index": every shipped stock but one share class of Alphabet.

Each asset class of the ETF models has a tax-swap partner in another identical group
(``SWAP_PARTNERS``), so a loss can be harvested without a wash sale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.models import User

from firms.models import Firm
from models_library.models import (
    EquivalenceMember,
    EquivalenceSet,
    ModelLine,
    ModelPortfolio,
    ModelVersion,
    Security,
    VersionStatus,
)
from rebalancer.transitions import transition_all

from .reference import StockRow

WEIGHT_STEP = Decimal("0.000001")

BALANCED_V1: dict[str, str] = {
    "VTI": "0.38",
    "VEA": "0.15",
    "VWO": "0.05",
    "BND": "0.30",
    "BNDX": "0.05",
    "VTIP": "0.05",
}
BALANCED_V2: dict[str, str] = {
    "VTI": "0.36",
    "VEA": "0.16",
    "VWO": "0.06",
    "BND": "0.26",
    "BNDX": "0.08",
    "VTIP": "0.06",
}
GLOBAL_EQUITY: dict[str, str] = {"VTI": "0.60", "VEA": "0.28", "VWO": "0.12"}
CORE_BOND: dict[str, str] = {"BND": "0.70", "BNDX": "0.20", "VTIP": "0.10"}
GROWTH_SLEEVES: dict[str, str] = {"global_equity": "0.70", "core_bond": "0.28"}
DIRECT_INDEX_TOTAL = Decimal("0.99")
DIRECT_INDEX_EXCLUDED = frozenset({"GOOG"})

SWAP_PARTNERS: dict[str, str] = {
    "VTI": "ITOT",
    "VEA": "IEFA",
    "VWO": "IEMG",
    "BND": "AGG",
    "VTIP": "SCHP",
    "BNDX": "IAGG",
}

# The firm's equivalence sets: each model fund with its tax-swap partner and the funds
# clients ask for in its place (``book.SCHWAB_FUNDS``, ``book.MSCI_EMERGING``), so neither a
# substitution nor a tax swap shows as drift.
EQUIVALENCE_SETS: dict[str, tuple[str, ...]] = {
    "US total market": ("VTI", "ITOT", "SCHB"),
    "Developed markets ex-US": ("VEA", "IEFA", "SCHF"),
    "Emerging markets": ("VWO", "IEMG"),
    "US aggregate bonds": ("BND", "AGG", "SCHZ"),
    "US TIPS": ("VTIP", "SCHP"),
    "International bonds": ("BNDX", "IAGG"),
}


@dataclass(frozen=True)
class DemoModels:
    """The models by key, and each one's current target resolved to security weights."""

    portfolios: dict[str, ModelPortfolio]
    targets: dict[str, dict[str, Decimal]]


def direct_index_weights(*, stocks: list[StockRow]) -> dict[str, Decimal]:
    """Weights proportional to 1/sqrt(rank) in the shipped order, summing to at most 0.99."""
    symbols = [stock.symbol for stock in stocks if stock.symbol not in DIRECT_INDEX_EXCLUDED]
    raw = [1 / (rank**0.5) for rank in range(1, len(symbols) + 1)]
    total = sum(raw)
    return {
        symbol: (DIRECT_INDEX_TOTAL * Decimal(value / total)).quantize(
            WEIGHT_STEP, rounding=ROUND_DOWN
        )
        for symbol, value in zip(symbols, raw, strict=True)
    }


def _decimals(weights: dict[str, str]) -> dict[str, Decimal]:
    return {key: Decimal(value) for key, value in weights.items()}


def _published_version(
    *,
    firm: Firm,
    model: ModelPortfolio,
    number: int,
    published_at: dt.datetime,
    user: User,
    note: str,
) -> ModelVersion:
    """A version to publish: still a draft, since the database refuses lines of a version
    that is already published; ``_versions_create`` publishes it once its lines are in."""
    return ModelVersion.objects.create(
        firm=firm,
        model=model,
        number=number,
        status=VersionStatus.DRAFT,
        note=note,
        created_by=user,
        published_by=user,
        published_at=published_at,
    )


def _security_lines(
    *,
    firm: Firm,
    version: ModelVersion,
    weights: dict[str, Decimal],
    securities: dict[str, Security],
) -> list[ModelLine]:
    return [
        ModelLine(firm=firm, version=version, security=securities[symbol], weight=weight)
        for symbol, weight in weights.items()
    ]


def _publish_time(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(14, 0), tzinfo=dt.UTC)


MODEL_SPECS: dict[str, tuple[str, str]] = {
    "balanced": ("Balanced 60/40", "Six ETFs: 60 % equity, 38 % bonds, 2 % cash."),
    "global_equity": ("Global Equity", "US, developed and emerging equity ETFs."),
    "core_bond": ("Core Bond", "US aggregate, international and short TIPS ETFs."),
    "growth": ("Growth 70/30", "A model of models: Global Equity and Core Bond."),
    "direct_index": ("US Large Cap Direct Index", "130 S&P 500 stocks, 99 % invested."),
}


def _versions_create(
    *,
    firm: Firm,
    portfolios: dict[str, ModelPortfolio],
    securities: dict[str, Security],
    direct: dict[str, Decimal],
    modeler: User,
    first_day: dt.date,
    last_day: dt.date,
) -> None:
    launch = _publish_time(first_day)
    security_versions = [
        ("balanced", 1, launch, _decimals(BALANCED_V1), "Launch allocation."),
        (
            "balanced",
            2,
            _publish_time(last_day - dt.timedelta(days=365)),
            _decimals(BALANCED_V2),
            "More bonds abroad.",
        ),
        ("global_equity", 1, launch, _decimals(GLOBAL_EQUITY), "Launch allocation."),
        ("core_bond", 1, launch, _decimals(CORE_BOND), "Launch allocation."),
        ("direct_index", 1, launch, direct, "Top 130 large caps, 1/sqrt(rank) weights."),
    ]
    lines: list[ModelLine] = []
    for key, number, published_at, weights, note in security_versions:
        version = _published_version(
            firm=firm,
            model=portfolios[key],
            number=number,
            published_at=published_at,
            user=modeler,
            note=note,
        )
        lines += _security_lines(firm=firm, version=version, weights=weights, securities=securities)
    growth = _published_version(
        firm=firm,
        model=portfolios["growth"],
        number=1,
        published_at=launch,
        user=modeler,
        note="70 % Global Equity, 28 % Core Bond, 2 % cash.",
    )
    lines += [
        ModelLine(firm=firm, version=growth, sub_model=portfolios[key], weight=Decimal(weight))
        for key, weight in GROWTH_SLEEVES.items()
    ]
    ModelLine.objects.bulk_create(lines)
    transition_all(
        ModelVersion.objects.filter(pk__in={line.version_id for line in lines}),
        expected=VersionStatus.DRAFT,
        to=VersionStatus.PUBLISHED,
    )


def models_create(
    *,
    firm: Firm,
    securities: dict[str, Security],
    stocks: list[StockRow],
    modeler: User,
    first_day: dt.date,
    last_day: dt.date,
) -> DemoModels:
    """Create the five models, their published versions and lines; return current targets.

    Versions are published on ``first_day`` (the launch), and the 60/40's second version
    a year before ``last_day``.
    """
    portfolios = {
        key: ModelPortfolio.objects.create(
            firm=firm, name=name, description=description, created_by=modeler
        )
        for key, (name, description) in MODEL_SPECS.items()
    }
    direct = direct_index_weights(stocks=stocks)
    _versions_create(
        firm=firm,
        portfolios=portfolios,
        securities=securities,
        direct=direct,
        modeler=modeler,
        first_day=first_day,
        last_day=last_day,
    )
    targets = {
        "balanced": _decimals(BALANCED_V2),
        "global_equity": _decimals(GLOBAL_EQUITY),
        "core_bond": _decimals(CORE_BOND),
        "growth": _growth_target(),
        "direct_index": direct,
    }
    return DemoModels(portfolios=portfolios, targets=targets)


def _growth_target() -> dict[str, Decimal]:
    resolved: dict[str, Decimal] = {}
    for key, sleeve_weight in GROWTH_SLEEVES.items():
        sleeve = GLOBAL_EQUITY if key == "global_equity" else CORE_BOND
        for symbol, weight in sleeve.items():
            resolved[symbol] = resolved.get(symbol, Decimal(0)) + Decimal(sleeve_weight) * Decimal(
                weight
            )
    return resolved


def equivalence_sets_create(
    *, firm: Firm, securities: dict[str, Security], modeler: User
) -> list[EquivalenceSet]:
    """The firm's equivalence sets (``EQUIVALENCE_SETS``)."""
    created = []
    for name, symbols in EQUIVALENCE_SETS.items():
        equivalence_set = EquivalenceSet.objects.create(
            firm=firm,
            name=name,
            note="fund, tax-swap partner, client-preferred",
            created_by=modeler,
        )
        EquivalenceMember.objects.bulk_create(
            EquivalenceMember(firm=firm, equivalence_set=equivalence_set, security=securities[s])
            for s in symbols
        )
        created.append(equivalence_set)
    return created
