"""A draft's lines from a CSV of symbol and weight, pasted or uploaded.

The file has two columns, ``symbol`` and ``weight``, with or without that header line.
Weights are in percent of the model (``2.5`` is 2.5 %, not 250 %), to at most four
decimal places; a trailing ``%`` is allowed. Blank lines are skipped. Every problem is
named by the file's line number and column, all of them at once, and nothing is saved
unless the whole file is good: the lines replace the draft's lines in one transaction
(``draft_save``), which also checks the securities against the security master and that
the weights sum to at most 100 %.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction

from firms.models import Firm
from models_library.models import ModelPortfolio, ModelVersion, Security
from models_library.services.versions import draft_save
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed

HUNDRED = Decimal("100")
MAX_LINES = 5000
PERCENT_PLACES = 4  # a line's weight is stored to 6 places of a fraction
COLUMNS = ("symbol", "weight")


def _is_header(cells: list[str]) -> bool:
    return [c.strip().lower() for c in cells[:2]] == list(COLUMNS)


def draft_rows_from_csv(text: str) -> tuple[list[dict], list[int]]:
    """The service rows ({security, weight as a fraction}) of a symbol,weight CSV and the
    file line each came from. Raises ValidationFailed naming (line, column) of every
    problem; the row of each error is the file's line number."""
    errors: list[tuple[int | None, str | None, str]] = []
    rows: list[dict] = []
    line_numbers: list[int] = []
    first_line: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for cells in reader:
        line_no = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if not rows and not errors and _is_header(cells):
            continue
        if len(cells) != 2:
            errors.append((line_no, None, f"has {len(cells)} columns; expected 2 (symbol, weight)"))
            continue
        symbol, raw_weight = cells[0].strip().upper(), cells[1].strip().rstrip("%").strip()
        if not symbol:
            errors.append((line_no, "symbol", "is blank"))
        try:
            percent = Decimal(raw_weight.replace(",", ""))
        except InvalidOperation:
            errors.append((line_no, "weight", f"'{cells[1].strip()}' is not a number"))
            continue
        if not percent.is_finite() or not (Decimal(0) < percent <= HUNDRED):
            errors.append((line_no, "weight", "must be greater than 0 and at most 100 (percent)"))
            continue
        if -percent.as_tuple().exponent > PERCENT_PLACES:  # type: ignore[operator]
            errors.append(
                (line_no, "weight", f"has more than {PERCENT_PLACES} decimal places (percent)")
            )
            continue
        if symbol in first_line:
            errors.append(
                (line_no, "symbol", f"appears twice (first on line {first_line[symbol]})")
            )
            continue
        if symbol:
            first_line[symbol] = line_no
            rows.append({"security": symbol, "sub_model": None, "weight": percent / HUNDRED})
            line_numbers.append(line_no)
    known = set(
        Security.objects.filter(symbol__in={r["security"] for r in rows}).values_list(
            "symbol", flat=True
        )
    )
    errors.extend(
        (line_no, "symbol", f"'{row['security']}' is not in the security master")
        for row, line_no in zip(rows, line_numbers, strict=True)
        if row["security"] not in known
    )
    errors.sort(key=lambda e: e[0] if e[0] is not None else 10**9)
    if len(rows) > MAX_LINES:
        errors.append((None, None, f"has {len(rows)} lines; at most {MAX_LINES} are allowed"))
    if not rows and not errors:
        errors.append((None, None, "has no lines (expected symbol,weight on each line)"))
    if errors:
        raise ValidationFailed(errors)
    return rows, line_numbers


@transaction.atomic
def draft_save_csv(
    *,
    firm: Firm,
    actor: Actor,
    model: ModelPortfolio,
    text: str,
    note: str = "",
    version: ModelVersion | None = None,
) -> ModelVersion:
    """Replace the model's draft with the CSV's lines, all or nothing. Errors name the
    file's line (as the row) and column (``symbol`` or ``weight``)."""
    rows, line_numbers = draft_rows_from_csv(text)
    try:
        return draft_save(
            firm=firm, actor=actor, model=model, rows=rows, note=note, version=version
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                (
                    line_numbers[row - 1] if row is not None else None,
                    "symbol" if field == "security" else field,
                    message,
                )
                for row, field, message in exc.errors
            ]
        ) from exc
