"""Field validators the apps share."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible


@deconstructible
class GreaterThanZero:
    """Refuses a number that is zero or less, with ``message`` (a limit or a weight that
    must be positive, at whatever precision the field keeps)."""

    def __init__(self, message: str = "must be greater than 0"):
        self.message = message

    def __call__(self, value: Decimal | float | int) -> None:
        if value is not None and value <= 0:
            raise ValidationError(self.message, code="min_value")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GreaterThanZero) and other.message == self.message

    def __hash__(self) -> int:
        return hash(self.message)
