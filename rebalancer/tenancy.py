"""The firm is the tenant: the base class for every firm-owned table.

Every firm-owned row carries its firm. Reads go through selectors that take the firm
explicitly and filter on it, so an object of another firm is simply not found.
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class FirmQuerySet(models.QuerySet[M]):
    def for_firm(self, firm: models.Model) -> Self:
        """Rows of ``firm`` only. ``firm`` is required: None is a programming error."""
        if firm is None:
            raise ValueError("a firm is required to read firm-owned data")
        return self.filter(firm=firm)


class FirmOwnedModel(models.Model):
    """Abstract base for every table whose rows belong to one firm."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.CASCADE, related_name="+")

    objects = FirmQuerySet.as_manager()

    class Meta:
        abstract = True


def firm_owned_models() -> list[type[models.Model]]:
    """Every concrete model with a ``firm`` foreign key to the firm: the firm-owned tables
    (whether or not they derive from :class:`FirmOwnedModel`)."""
    firm_model = apps.get_model("firms", "Firm")
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and any(
            field.name == "firm" and field.is_relation and field.related_model is firm_model
            for field in model._meta.concrete_fields
        )
    ]


def get_for_firm_or_404(queryset: models.QuerySet[M], *, firm: models.Model, **lookup: Any) -> M:
    """One object of ``firm`` matching ``lookup``, or Http404 (never "forbidden")."""
    try:
        return queryset.filter(firm=firm).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches the given query.") from exc
