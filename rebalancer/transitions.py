"""Status changes: the one way a row's status moves.

A model with a status declares ``ALLOWED_TRANSITIONS``, a map from each status to the
statuses it may become. :func:`transition` checks that map, then moves the row with a
conditional ``UPDATE`` (``WHERE pk = … AND status IN (expected)``) that must hit exactly
one row, so of two requests racing to make the same change, one wins and the other gets
:class:`~rebalancer.errors.InvalidTransition` (a 409 on the API, an error message on a
page). :func:`transition_all` is the same rule for a set of rows, any number of which may
move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from rebalancer.errors import InvalidTransition

Transitions = Mapping[str, Iterable[str]]


def _label(model: type[models.Model], field: str, status: str) -> str:
    column = model._meta.get_field(field)
    choices = dict(column.choices or ()) if isinstance(column, models.Field) else {}
    return str(choices.get(status, status)).lower()


def _statuses(expected: str | Iterable[str]) -> list[str]:
    return [expected] if isinstance(expected, str) else list(expected)


def transition_check(
    model: type[models.Model],
    *,
    expected: str | Iterable[str],
    to: str,
    field: str = "status",
    allowed: Transitions | None = None,
) -> None:
    """Raise InvalidTransition unless the map lets every status of ``expected`` become
    ``to``. ``allowed`` defaults to the model's ``ALLOWED_TRANSITIONS``."""
    if allowed is None:
        allowed = getattr(model, "ALLOWED_TRANSITIONS", None)
    if allowed is None:
        raise TypeError(f"{model.__name__} declares no ALLOWED_TRANSITIONS")
    name = model._meta.verbose_name
    for status in _statuses(expected):
        if to not in allowed.get(status, ()):
            raise InvalidTransition(
                f"a {name} that is {_label(model, field, status)} cannot become "
                f"{_label(model, field, to)}"
            )


def transition(
    target: models.Model | models.QuerySet,
    *,
    to: str,
    expected: str | Iterable[str] | None = None,
    field: str = "status",
    allowed: Transitions | None = None,
    conflict: str | None = None,
    **changes: Any,
) -> None:
    """Move one row from a status of ``expected`` to ``to``, setting ``changes`` with it.

    ``target`` is a model instance (``expected`` then defaults to its current status, and
    its status attribute is set to ``to`` on success) or a queryset that selects the row.
    Raises InvalidTransition, with ``conflict`` as its message if given, when the map
    forbids the change or when the update did not hit exactly one row (someone else
    changed it first).
    """
    instance: models.Model | None
    queryset: models.QuerySet[Any]
    if isinstance(target, models.Model):
        instance = target
        queryset = type(instance)._default_manager.filter(pk=instance.pk)
        expected = getattr(instance, field) if expected is None else expected
    else:
        instance = None
        queryset = target
        if expected is None:
            raise TypeError("expected is required when the target is a queryset")
    statuses = _statuses(expected)
    transition_check(queryset.model, expected=statuses, to=to, field=field, allowed=allowed)
    updated = queryset.filter(**{f"{field}__in": statuses}).update(**{field: to}, **changes)
    if updated != 1:
        name = queryset.model._meta.verbose_name
        raise InvalidTransition(conflict or f"this {name} was changed by someone else; reload it")
    if instance is not None:
        setattr(instance, field, to)


def transition_all(
    queryset: models.QuerySet,
    *,
    expected: str | Iterable[str],
    to: str,
    field: str = "status",
    allowed: Transitions | None = None,
    **changes: Any,
) -> int:
    """Move every row of ``queryset`` whose status is one of ``expected`` to ``to``; returns
    how many moved (any number, none included). The map must allow each change."""
    statuses = _statuses(expected)
    transition_check(queryset.model, expected=statuses, to=to, field=field, allowed=allowed)
    return queryset.filter(**{f"{field}__in": statuses}).update(**{field: to}, **changes)
