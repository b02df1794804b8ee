"""Reading one contract case's decoded JSON: each value checked and converted, every error
naming the case (its account id, when it can be read) and the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from optimizer.errors import OptimizerInputError
from optimizer.types import (
    Securities,
)


class Reader:
    """Reads typed fields, raising `OptimizerInputError` with the case and field path."""

    def __init__(self, *, case: str) -> None:
        self.case = case

    def fail(self, field: str, message: str) -> OptimizerInputError:
        return OptimizerInputError(case=self.case, field=field, message=message)

    def obj(self, value: Any, field: str, *, required: bool = False) -> dict[str, Any]:
        if value is None:
            if required:
                raise self.fail(field, "is required")
            return {}
        if not isinstance(value, dict):
            raise self.fail(field, "must be an object")
        return value

    def seq(self, value: Any, field: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(field, "must be a list")
        return value

    def items(self, value: Any, field: str) -> list[tuple[int, dict[str, Any]]]:
        """A list of objects (none when absent), each with its index."""
        return [
            (i, self.obj(item, f"{field}[{i}]", required=True))
            for i, item in enumerate(self.seq(value, field))
        ]

    def maybe_text(self, value: Any, field: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(field, "must be a non-empty string")
        return value

    def text(self, value: Any, field: str) -> str:
        text = self.maybe_text(value, field)
        if text is None:
            raise self.fail(field, "is required")
        return text

    def maybe_decimal(self, value: Any, field: str) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise self.fail(field, "must be a decimal string or number")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise self.fail(field, f"{value!r} is not a decimal number") from None
        if not number.is_finite():
            raise self.fail(field, "must be finite")
        return number

    def decimal(self, value: Any, field: str, *, default: Decimal | None = None) -> Decimal:
        """A decimal; `default` when left out, or "is required" when there is none."""
        number = self.maybe_decimal(value, field)
        if number is not None:
            return number
        if default is None:
            raise self.fail(field, "is required")
        return default

    def nonneg(self, value: Any, field: str, *, default: Decimal | None = None) -> Decimal:
        number = self.decimal(value, field, default=default)
        if number < 0:
            raise self.fail(field, "must not be negative")
        return number

    def maybe_day(self, value: Any, field: str) -> date | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field, "must be an ISO date string YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(field, f"{value!r} is not an ISO date YYYY-MM-DD") from None

    def day(self, value: Any, field: str) -> date:
        day = self.maybe_day(value, field)
        if day is None:
            raise self.fail(field, "is required")
        return day

    def flag(self, value: Any, field: str, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(field, "must be true or false")
        return value

    def symbol(self, value: Any, field: str, securities: Securities) -> str:
        symbol = self.text(value, field)
        if symbol not in securities:
            raise self.fail(field, f"symbol {symbol!r} has no entry in securities")
        return symbol
