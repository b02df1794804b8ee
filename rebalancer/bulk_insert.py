"""Inserting many rows of one model in one statement, parameters bound by the server.

Django's ``bulk_create`` binds its parameters client-side on PostgreSQL: every value is
quoted into the statement's text, JSON and bytes escaped character by character, which for
a night's chunk of proposals (kilobytes of JSON each) and their trade rows costs the worker
more than the database's own work. Here the rows go as one
``INSERT ... SELECT ... FROM unnest(arrays)`` (the statement ``bulk_create`` makes too) with
the arrays bound server-side in binary: the same rows in the same number of statements,
through Django's cursor wrapper (its error classes, query counting and logging), with
row-level security applying as to any ``INSERT`` (``COPY FROM`` is refused to a role it
binds). Other databases get ``bulk_create``.

Values are the model's Python values (``Decimal``, ``str``, ``date``, ``bytes``, a JSON
field's dicts and lists), foreign keys by id (``firm_id``); a field left out of a row gets
its default, and an ``auto_now``/``auto_now_add`` field the time of the insert, as
``bulk_create`` gives them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from django.db import connections, models
from django.db.backends.utils import CursorWrapper
from django.utils import timezone


def insert_instances(objs: Sequence[models.Model], *, using: str = "default") -> None:
    """Insert unsaved instances of one model, as ``bulk_create(objs)`` does: each gets its
    primary key and counts as saved."""
    if not objs:
        return
    model = type(objs[0])
    fields = _fields(model)
    for obj in objs:
        _related_keys(obj, fields)
    rows = [{f.attname: f.pre_save(obj, add=True) for f in fields} for obj in objs]
    ids = insert_rows(model, rows, using=using)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using


def _related_keys(obj: models.Model, fields: list[models.Field]) -> None:
    """As ``bulk_create``: a related object saved after it was assigned gives its key now,
    and one still unsaved is refused (its key would be lost)."""
    for field in fields:
        if not isinstance(field, models.ForeignKey):
            continue
        related = field.get_cached_value(obj, default=None)
        if related is None:
            continue
        if related.pk is None:
            raise ValueError(f"{field.name} of {obj!r} is not saved")
        if getattr(obj, field.attname) is None:
            setattr(obj, field.attname, getattr(related, field.target_field.attname))


def insert_rows(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, using: str = "default"
) -> list[int]:
    """Insert ``rows`` (field attname -> value) of ``model``; returns their new primary
    keys in the rows' order."""
    if not rows:
        return []
    connection = connections[using]
    fields = _fields(model)
    unknown = set().union(*rows) - {f.attname for f in fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    columns = [_column(f, rows) for f in fields]
    if connection.vendor != "postgresql":
        made = [
            model(**{f.attname: column[i] for f, column in zip(fields, columns, strict=True)})
            for i in range(len(rows))
        ]
        model._default_manager.using(using).bulk_create(made)
        return [obj.pk for obj in made]
    sql, params = _unnest_insert(model, fields, columns, connection)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as raw:
        cursor = CursorWrapper(raw, connection)
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _column(field: models.Field, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """The rows' values of ``field``; a decimal field's as Decimals (a default of 0 is an
    int, and one array holds one type)."""
    name = field.attname
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return [timezone.now() if row.get(name) is None else row[name] for row in rows]
    default = field.get_default() if any(name not in row for row in rows) else None
    values = [row.get(name, default) for row in rows]
    if isinstance(field, models.DecimalField):
        return [v if type(v) is Decimal else field.to_python(v) for v in values]
    return values


def _unnest_insert(
    model: type[models.Model], fields: list[models.Field], columns: list[list[Any]], connection
) -> tuple[str, list[list[Any]]]:
    """The statement and its arrays: one binary array per column, except that a column of
    NULLs only is written as NULL (an array of nothing but None has no type to send); JSON
    goes as text, cast to its type by the database."""
    quote = connection.ops.quote_name
    selected: list[str] = []
    arrays: list[str] = []
    aliases: list[str] = []
    params: list[list[Any]] = []
    for i, (field, values) in enumerate(zip(fields, columns, strict=True)):
        db_type = str(field.db_type(connection)).split("(")[0]
        if all(v is None for v in values):
            selected.append(f"NULL::{db_type}")
            continue
        alias = f"c{i}"
        aliases.append(alias)
        if isinstance(field, models.JSONField):
            params.append([_json(field, v) for v in values])
            arrays.append("%b::text[]")
            selected.append(f"{alias}::{db_type}")
        else:
            params.append(values)
            arrays.append(f"%b::{db_type}[]")
            selected.append(alias)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    targets = ", ".join(quote(f.column) for f in fields)
    sql = (
        f"INSERT INTO {table} ({targets}) SELECT {', '.join(selected)} "  # noqa: S608 - names from model metadata
        f"FROM unnest({', '.join(arrays)}) AS u({', '.join(aliases)}) RETURNING {pk}"
    )
    return sql, params


def _json(field: models.JSONField, value: Any) -> str | None:
    """A JSON field's value as Django stores it: None is SQL NULL."""
    return None if value is None else json.dumps(value, cls=field.encoder)
