"""Reading stored risk models as the optimizer's typed :class:`RiskModel`.

A stored model never changes, so a process keeps the few it has read (typed, by content
hash): a nightly run's chunks share one model object instead of each decoding it.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import OrderedDict

from models_library.models import StoredRiskModel
from optimizer.types import RiskModel
from risk_model.storage import content_hash, unpack_arrays

CACHED_MODELS = 4
_typed: OrderedDict[str, RiskModel] = OrderedDict()


class RiskModelMissing(LookupError):
    """A stored input names a risk model that is not stored, or not with that content."""


def stored_risk_model_latest(*, as_of: dt.date) -> StoredRiskModel | None:
    """The latest version of the latest model dated on or before ``as_of``."""
    return StoredRiskModel.objects.filter(as_of__lte=as_of).order_by("-as_of", "-version").first()


def risk_model_typed(stored: StoredRiskModel) -> RiskModel:
    """``stored`` as the optimizer reads it; its numbers are checked against its hash."""
    cached = _typed.get(stored.content_hash)
    if cached is not None:
        _typed.move_to_end(stored.content_hash)
        return cached
    model = _decode(stored)
    _typed[stored.content_hash] = model
    while len(_typed) > CACHED_MODELS:
        _typed.popitem(last=False)
    return model


def _decode(stored: StoredRiskModel) -> RiskModel:
    raw = zlib.decompress(bytes(stored.arrays))
    if (
        content_hash(
            as_of=stored.as_of,
            parameters=stored.parameters,
            symbols=stored.symbols,
            factors=stored.factors,
            raw=raw,
        )
        != stored.content_hash
    ):
        raise RiskModelMissing(f"risk model {stored.name}'s numbers do not match its hash")
    loadings, factor_covariance, specific = unpack_arrays(
        raw, n=len(stored.symbols), f=len(stored.factors)
    )
    return RiskModel(
        id=stored.name,
        symbols=tuple(stored.symbols),
        factors=tuple(stored.factors),
        loadings=loadings,
        factor_covariance=factor_covariance,
        specific_variance=specific,
    )


def latest_risk_model(as_of: dt.date) -> RiskModel | None:
    """The typed model a run on ``as_of`` uses: the latest on or before it (None: none)."""
    stored = stored_risk_model_latest(as_of=as_of)
    return None if stored is None else risk_model_typed(stored)


def risk_model_content_hash(name: str) -> str:
    """The content hash of the stored model ``name`` (what a proposal records beside it)."""
    for cached, model in reversed(_typed.items()):
        if model.id == name:
            return cached
    found = StoredRiskModel.objects.filter(name=name).values_list("content_hash", flat=True)
    digest = found.first()
    if digest is None:
        raise RiskModelMissing(f"risk model {name} is not stored")
    return str(digest)


def risk_model_by_id(*, name: str, content_hash_hex: str) -> tuple[StoredRiskModel, RiskModel]:
    """The stored model ``name`` whose hash is ``content_hash_hex`` (what a proposal's input
    records), stored and typed. Raises RiskModelMissing when there is no such model."""
    stored = StoredRiskModel.objects.filter(name=name).first()
    if stored is None or stored.content_hash != content_hash_hex:
        raise RiskModelMissing(
            f"risk model {name} with hash {content_hash_hex[:12]}... is not stored"
        )
    return stored, risk_model_typed(stored)
