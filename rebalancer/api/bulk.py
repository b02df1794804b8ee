"""Bulk inputs: ``{"rows": [...]}``, every row validated, errors named by row and field."""

from __future__ import annotations

from rest_framework import serializers

MAX_ROWS = 20_000
_BULK: dict[type, type[serializers.Serializer]] = {}


def bulk_of(row: type[serializers.Serializer], *, max_rows: int = MAX_ROWS):
    """A ``{rows: [row]}`` serializer (1 to ``max_rows`` rows), named after the row."""
    if row not in _BULK:
        name = f"{row.__name__.removesuffix('Serializer').removesuffix('Row')}BulkInput"
        if any(b.__name__ == name for b in _BULK.values()):
            raise ValueError(f"two row serializers are named {row.__name__}; rename one")
        _BULK[row] = type(
            name,
            (serializers.Serializer,),
            {"rows": serializers.ListSerializer(child=row(), min_length=1, max_length=max_rows)},
        )
    return _BULK[row]


def validate_rows(data, row: type[serializers.Serializer]) -> list[dict]:
    """The validated rows, or a 400 whose ``errors`` name each row (from 1) and field."""
    bulk = bulk_of(row)(data=data)
    bulk.is_valid(raise_exception=True)
    return [dict(r) for r in bulk.validated_data["rows"]]


def raw_rows(data, *, max_rows: int = MAX_ROWS) -> list:
    """The ``rows`` list unchecked row by row, for services that validate every row
    themselves (naming row and field); only the envelope is checked here."""
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise serializers.ValidationError({"rows": ["must be a list of rows"]})
    if not 1 <= len(rows) <= max_rows:
        raise serializers.ValidationError({"rows": [f"must hold 1 to {max_rows:,} rows"]})
    return rows
