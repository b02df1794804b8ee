"""Numbers typed by people (CSV cells, form fields) checked against the database column
that will hold them, so that NaN, Infinity or a value too wide for the column is a clear
error naming the field, never a database error."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import models


def column_decimal(text: object, *, column: models.DecimalField) -> Decimal:
    """``text`` as a finite Decimal that ``column`` can store exactly.

    Raises ``ValueError`` whose message says what is wrong (quoting the value), for the
    caller to put next to the field's name.
    """
    shown = repr(text if text is not None else "")
    try:
        number = Decimal(str(text if text is not None else "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"is not a number: {shown}") from exc
    if not number.is_finite():
        raise ValueError(f"is not a number: {shown}")
    places, digits = column.decimal_places, column.max_digits
    if number != 0 and number.adjusted() >= digits - places:
        whole = digits - places
        raise ValueError(f"is too large (at most {whole} digits before the point): {shown}")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"has more than {places} decimal places: {shown}")
    return number
