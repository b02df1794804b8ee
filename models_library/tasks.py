"""Background work on the shared reference data."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Max
from django.utils import timezone

from models_library.models import Price
from models_library.services.risk_models import risk_model_build
from rebalancer.actors import Actor


@shared_task(name="models_library.build_risk_model")
def build_risk_model() -> str | None:
    """Beat calls this daily, before the nightly runs: the model as of the latest shared
    close (today's, once the closes are in). Safe to run twice: an unchanged model is not
    stored again."""
    today = timezone.now().date()
    as_of = Price.objects.filter(date__lte=today).aggregate(last=Max("date"))["last"]
    if as_of is None:
        return None
    built = risk_model_build(as_of=as_of, actor=Actor.system("task:build_risk_model"))
    return built.model.name
