"""Money and quantities in ``Decimal``: the constants, reading a value, rounding to cents,
and writing a quantity as plain digits.

Pure Python (no Django, no app imports). Two roundings to cents are in use, named by what
they do: :func:`cents_half_up` for the figures the lot engine, the optimizer and an
advisor's re-checked proposal report, and :func:`cents_half_even` (banker's rounding,
Python's default) for the amounts the pages, blotters, realized-gain totals and the demo
seed compute (a quantity times a price, a sum of withdrawals). Which one a figure uses is
part of its contract: changing one would change stored and compared results.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
ZERO_CENTS = Decimal("0.00")


def to_decimal(value: object, default: Decimal = ZERO) -> Decimal:
    """``value`` as a Decimal (read through its text, so a float keeps its shortest
    form); ``None`` and ``""`` are ``default``."""
    if isinstance(value, Decimal):
        return value
    if value is None or value == "":
        return default
    return Decimal(str(value))


def cents_half_up(value: Decimal | float) -> Decimal:
    """``value`` rounded half up to cents, never ``-0.00``: 0.005 is 0.01, -0.005 is
    -0.01, -0.004 is 0.00."""
    rounded = to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else ZERO_CENTS


def cents_half_even(value: Decimal) -> Decimal:
    """``value`` rounded to cents, a half cent to the even cent: 0.005 is 0.00, 0.015 is
    0.02."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def plain_digits(value: Decimal) -> str:
    """A quantity as plain digits, without exponent or trailing zeros ("0" for zero)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
