"""manage.py risk_model [--as-of DATE]: build and store the platform's risk model."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Max

from models_library.models import Price
from models_library.services.risk_models import risk_model_build
from rebalancer.actors import Actor
from rebalancer.errors import DomainError


class Command(BaseCommand):
    help = (
        "Estimate the risk model from the steward-approved (shared) closes up to the as-of "
        "date and store it. Running twice for a date stores nothing new unless the closes "
        "changed (then a new version)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", help="YYYY-MM-DD (default: the latest date with a shared close)."
        )

    def handle(self, *args, **opts) -> None:
        try:
            as_of = dt.date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
        except ValueError as exc:
            raise CommandError(f"--as-of: '{opts['as_of']}' is not a date (YYYY-MM-DD)") from exc
        if as_of is None:
            as_of = Price.objects.aggregate(last=Max("date"))["last"]
            if as_of is None:
                raise CommandError("no steward-approved closes are stored: nothing to estimate")
        try:
            built = risk_model_build(as_of=as_of, actor=Actor.system("command:risk_model"))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        model = built.model
        what = "stored" if built.created else "already stored"
        self.stdout.write(
            f"risk model {model.name} (as of {model.as_of}, version {model.version}) {what}: "
            f"{len(model.symbols)} securities, {len(model.factors)} factors, closes from "
            f"{model.first_price_date}, {len(bytes(model.arrays)):,} bytes, built in "
            f"{model.build_seconds:.2f} s"
        )
