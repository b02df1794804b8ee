"""Serializer fields for the trading API's inputs."""

from __future__ import annotations

from rest_framework import serializers

from trading.services.event_dates import event_date_parse


class EventDateField(serializers.DateField):
    """The date of a money event, written ``YYYY-MM-DD`` and nothing else (DRF's own field
    also takes ``20261120`` and ``2026-W47-5``); the service checks it is not in the future.
    Its message is the service's, so both entry points say the same thing."""

    def to_internal_value(self, value):
        try:
            return event_date_parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc), code="invalid") from None
