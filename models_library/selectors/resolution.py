"""Resolving a model version to security weights (models of models, without cycles)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from models_library.models import ModelLine, ModelPortfolio, ModelVersion, VersionStatus
from rebalancer.errors import DomainError

WEIGHT_PLACES = Decimal("0.00000001")
ONE = Decimal("1")


class ModelCycleError(DomainError):
    """A model includes itself, directly or through its sub-models."""


def latest_published(model: ModelPortfolio) -> ModelVersion | None:
    return (
        ModelVersion.objects.filter(model=model, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def resolve_lines(
    *,
    lines: list[ModelLine],
    model_id: int,
    sub_version_of: Callable[[int], ModelVersion | None],
    lines_of: Callable[[ModelVersion], list[ModelLine]],
    path: tuple[int, ...] = (),
) -> dict[str, Decimal]:
    """Security weights of ``lines``; a sub-model's latest published weights are scaled in.

    Raises ModelCycleError naming the cycle, and DomainError for a sub-model with no
    published version. Weights are summed per symbol (a stock held directly and through a
    sub-model adds up).
    """
    path = (*path, model_id)
    weights: dict[str, Decimal] = {}
    for line in lines:
        if line.security is not None:
            symbol = line.security.symbol
            weights[symbol] = weights.get(symbol, Decimal("0")) + line.weight
            continue
        sub_id = line.sub_model_id
        assert sub_id is not None, "a line holds a security or a sub-model, never neither"
        if sub_id in path:
            names = " -> ".join(str(p) for p in (*path, sub_id))
            raise ModelCycleError(f"model ids form a cycle: {names}", field="sub_model")
        version = sub_version_of(sub_id)
        if version is None:
            raise DomainError(f"sub-model {sub_id} has no published version", field="sub_model")
        inner = resolve_lines(
            lines=lines_of(version),
            model_id=sub_id,
            sub_version_of=sub_version_of,
            lines_of=lines_of,
            path=path,
        )
        for symbol, weight in inner.items():
            weights[symbol] = weights.get(symbol, Decimal("0")) + weight * line.weight
    return {s: w.quantize(WEIGHT_PLACES) for s, w in sorted(weights.items())}


def _db_lines(version: ModelVersion) -> list[ModelLine]:
    return list(version.lines.select_related("security"))


def _db_latest(model_id: int) -> ModelVersion | None:
    return (
        ModelVersion.objects.filter(model_id=model_id, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )


def version_security_weights(*, version: ModelVersion) -> dict[str, Decimal]:
    """Security weights (fractions of account value) of one version, sub-models resolved."""
    return resolve_lines(
        lines=_db_lines(version),
        model_id=version.model_id,
        sub_version_of=_db_latest,
        lines_of=_db_lines,
    )


def model_target_weights(*, model: ModelPortfolio) -> dict[str, Decimal] | None:
    """The model's current target: its latest published version, resolved. None if unpublished."""
    version = latest_published(model)
    return None if version is None else version_security_weights(version=version)
