"""Fast inserts (and deletes) for the seed's largest tables (transactions and tax lots).

``bulk_create`` spends most of its time compiling SQL per object, and on SQLite Django
caps a statement at 999 parameters (under a hundred rows of these tables). A 10,000-account
book has about 600,000 such rows, so they go in through one prepared ``INSERT`` executed
for many rows on SQLite, and through ``COPY`` on PostgreSQL: a few microseconds a row
(``COPY`` only where row-level security does not bind the role; otherwise the same
prepared ``INSERT``, pipelined).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from rebalancer import rowsecurity


def db_date(day: dt.date) -> object:
    """``day`` as the database driver expects a date column's value."""
    return connection.ops.adapt_datefield_value(day)


def db_datetime(moment: dt.datetime) -> object:
    """An aware ``moment`` as the database driver expects a timestamp column's value."""
    return connection.ops.adapt_datetimefield_value(moment)


def _column(model: type[models.Model], name: str) -> str:
    """The table column of ``model``'s field ``name``."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def rows_insert(
    *, model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> int:
    """Insert ``rows`` into ``model``'s table; return how many.

    Each row holds the values of ``fields`` in that order, already in database form: ints
    (foreign keys by id), strings, quantized Decimals, and dates or timestamps passed
    through ``db_date`` / ``db_datetime``. No ``save()``, signals or Python-side defaults
    run, so the caller gives every non-null column, and the database constraints are the
    only check.
    """
    if not rows:
        return 0
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        # COPY is refused under row-level security: a role bound by it inserts instead
        if connection.vendor == "postgresql" and not rowsecurity.binds_current_role():
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names from model metadata
            cursor.executemany(sql, rows)
    return len(rows)


def firm_rows_delete(*, model: type[models.Model], firm_id: int) -> None:
    """Delete every row of ``model`` whose firm is ``firm_id``, in one statement.

    Nothing cascades: the caller has already deleted the rows that refer to these.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(_column(model, "firm"))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [firm_id])  # noqa: S608 - names from model metadata
