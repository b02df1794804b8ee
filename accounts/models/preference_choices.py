"""The menus a ``PreferenceSet`` chooses from (its own fields' choices)."""

from __future__ import annotations

from django.db import models


class TaxSensitivity(models.TextChoices):
    """The plain-words menu for ``risk_aversion``: how much tracking error a client accepts
    for tax saved. The optimizer weighs tracking risk by ``risk_aversion`` against tax and
    cost in dollars (1 is the product default), so a lower number means more tax-sensitive.
    The stored value is the number; any positive number may be set through the API."""

    HIGH = "0.25", "High: harvest and defer tax more, accept more tracking error"
    MEDIUM = "1", "Medium: the product default"
    LOW = "4", "Low: stay closer to the model, accept more tax"


class LotReliefMethod(models.TextChoices):
    FIFO = "FIFO", "First in, first out"
    LIFO = "LIFO", "Last in, first out"
    HIFO = "HIFO", "Highest cost first"
    TAX_MIN = "TAX_MIN", "Least tax first"


class GainCapScope(models.TextChoices):
    ACCOUNT = "account", "Each account's own cap"
    HOUSEHOLD = "household", "One cap shared by the household's taxable accounts"
