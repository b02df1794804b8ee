"""Stored risk models: shared reference data, one or more versions per as-of date."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class StoredRiskModel(models.Model):
    """A factor risk model estimated from the shared (steward-approved) closes up to
    ``as_of`` (``risk_model/``), read by every firm.

    ``name`` (``rm-<as_of>-<first 8 of content_hash>``) is the id a proposal's stored input
    records with ``content_hash``. The numbers are ``arrays``: zlib-compressed little-endian
    float64, the loadings (securities x factors, row by row), then the factor covariance
    (factors x factors), then the specific variances, all annualized; ``symbols`` and
    ``factors`` give the order. ``content_hash`` is the SHA-256 of the as-of date, the
    parameters, the names and the uncompressed arrays.

    A model never changes: the database refuses any update but marking it used
    (``used_at``, set when a run first reads it), and refuses deleting a used one.
    Building again for a date stores a new version only when the content differs.
    """

    name = models.CharField(max_length=40, unique=True)
    as_of = models.DateField()
    version = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64, unique=True)
    parameters = models.JSONField()
    symbols = models.JSONField()
    factors = models.JSONField()
    arrays = models.BinaryField()
    first_price_date = models.DateField()
    built_at = models.DateTimeField(auto_now_add=True)
    built_by = models.CharField(max_length=100)
    build_seconds = models.FloatField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["as_of", "version"], name="risk_model_one_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="risk_model_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"
