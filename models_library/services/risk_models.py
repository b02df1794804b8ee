"""Building and storing the platform's risk model from the shared closes.

Only the shared :class:`Price` table is read: the closes a steward of reference data has
accepted, never a firm's own (``FirmPrice``) or held ones. The estimate is the pure
``risk_model`` package's; this module loads the closes into one dates x securities matrix
(one query), divides the closes before a split in the window by its ratio (a split is no
return), and stores the result compactly. The stored row is its own record (who,
when, from which dates, with which parameters, its hash); it is written by the system, for no
firm, so no firm's audit log shows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import zlib
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import FloatField
from django.db.models.functions import Cast

from models_library.models import Price, Security, SecurityType, StoredRiskModel
from models_library.selectors.adjusted_prices import splits_by_security
from rebalancer.actors import Actor
from rebalancer.errors import DomainError
from risk_model import EstimatedModel, RiskModelParameters, estimate_risk_model
from risk_model.storage import content_hash, pack_arrays


@dataclass(frozen=True)
class RiskModelBuilt:
    model: StoredRiskModel
    created: bool


def _closes(as_of: dt.date, window_days: int) -> tuple[list[dt.date], list[Security], np.ndarray]:
    """The last ``window_days + 1`` dates with a shared close on or before ``as_of``, the
    securities with a close among them, and the dates x securities matrix (NaN: none)."""
    dates = list(
        Price.objects.filter(date__lte=as_of)
        .order_by("-date")
        .values_list("date", flat=True)
        .distinct()[: window_days + 1]
    )
    if len(dates) < 2:
        found = "no shared closes" if not dates else f"shared closes on one date only ({dates[0]})"
        raise DomainError(
            f"a risk model needs steward-approved closes on at least two dates on or before "
            f"{as_of}; there are {found}",
            field="as_of",
        )
    dates.sort()
    rows = (
        Price.objects.filter(date__gte=dates[0], date__lte=dates[-1])
        .annotate(value=Cast("close", FloatField()))
        .values_list("security_id", "date", "value")
    )
    ids, days, values = zip(*rows, strict=True)
    security_ids = sorted(set(ids))
    column = {pk: i for i, pk in enumerate(security_ids)}
    row = {day: i for i, day in enumerate(dates)}
    matrix = np.full((len(dates), len(security_ids)), np.nan)
    matrix[[row[d] for d in days], [column[pk] for pk in ids]] = values
    _adjust_for_splits(matrix, dates=dates, column=column)
    securities = Security.objects.in_bulk(security_ids)
    return dates, [securities[pk] for pk in security_ids], matrix


def _adjust_for_splits(matrix: np.ndarray, *, dates: list[dt.date], column: dict[int, int]) -> None:
    """Divide each security's closes before a split in the window by the split's ratio, in
    place, so a split is no return (a 2-for-1 split halves the closes before it)."""
    splits = splits_by_security(security_ids=column, after=dates[0], through=dates[-1])
    day_index = np.array([d.toordinal() for d in dates])
    for pk, events in splits.items():
        for effective, ratio in events:
            matrix[day_index < effective.toordinal(), column[pk]] /= float(ratio)


def estimate_from_prices(
    *, as_of: dt.date, parameters: RiskModelParameters | None = None
) -> tuple[EstimatedModel, dt.date]:
    """The model estimated from the shared closes up to ``as_of``, and its first date."""
    params = parameters or RiskModelParameters()
    dates, securities, matrix = _closes(as_of, params.window_days)
    model = estimate_risk_model(
        prices=matrix,
        symbols=[s.symbol for s in securities],
        # a stock's GICS sector is its prior; an ETF or fund finds its exposures unaided
        sectors=[s.sector if s.security_type == SecurityType.STOCK else "" for s in securities],
        asset_classes=[s.asset_class for s in securities],
        parameters=params,
    )
    return model, dates[0]


def risk_model_build(
    *, as_of: dt.date, actor: Actor, parameters: RiskModelParameters | None = None
) -> RiskModelBuilt:
    """Estimate the model as of ``as_of`` and store it, unless the latest version stored for
    that date says the same (then that one is returned, ``created`` False). Raises
    DomainError when the shared closes cannot make a model."""
    started = time.perf_counter()
    model, first_date = estimate_from_prices(as_of=as_of, parameters=parameters)
    params = dataclasses.asdict(model.parameters)
    raw = pack_arrays(model.loadings, model.factor_covariance, model.specific_variance)
    symbols, factors = list(model.symbols), list(model.factors)
    digest = content_hash(as_of=as_of, parameters=params, symbols=symbols, factors=factors, raw=raw)
    with transaction.atomic():
        latest = (
            StoredRiskModel.objects.select_for_update()
            .filter(as_of=as_of)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.content_hash == digest:
            return RiskModelBuilt(model=latest, created=False)
        stored = StoredRiskModel.objects.create(
            name=f"rm-{as_of.isoformat()}-{digest[:8]}",
            as_of=as_of,
            version=1 if latest is None else latest.version + 1,
            content_hash=digest,
            parameters=params,
            symbols=symbols,
            factors=factors,
            arrays=zlib.compress(raw, 6),
            first_price_date=first_date,
            build_seconds=time.perf_counter() - started,
            built_by=actor.label[:100],
        )
    return RiskModelBuilt(model=stored, created=True)


def risk_model_mark_used(*, name: str) -> None:
    """Record that a run read the model ``name``: from now on it can never be deleted. One
    conditional update; a no-op once marked."""
    StoredRiskModel.objects.filter(name=name, used_at__isnull=True).update(
        used_at=dt.datetime.now(dt.UTC)
    )
