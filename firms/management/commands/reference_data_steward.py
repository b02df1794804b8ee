"""``manage.py reference_data_steward``: which firms may change the shared security master."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.rowsecurity import firm_scope


class Command(BaseCommand):
    help = (
        "Securities and prices are shared by every firm of the installation. Any firm may add "
        "new ones; only a steward firm may change stored ones. Without arguments, list the "
        "stewards; --firm SLUG makes that firm one (--off: no longer)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--firm", help="The firm's slug.")
        parser.add_argument("--off", action="store_true", help="Take the role away.")

    def handle(self, *args, **options) -> None:
        if options["firm"]:
            self._set(options["firm"], on=not options["off"])
        stewards = Firm.objects.filter(manages_reference_data=True).order_by("slug")
        names = ", ".join(f.slug for f in stewards) or "none"
        self.stdout.write(f"firms that manage reference data: {names}")

    def _set(self, slug: str, *, on: bool) -> None:
        firm = Firm.objects.filter(slug=slug).first()
        if firm is None:
            raise CommandError(f"--firm: no firm with slug '{slug}'")
        if firm.manages_reference_data == on:
            return
        with firm_scope(firm), transaction.atomic():
            Firm.objects.filter(pk=firm.pk).update(manages_reference_data=on)
            audit_record(
                firm=firm,
                actor=Actor.system("command:reference_data_steward"),
                action="firm.reference_data_steward",
                obj=firm,
                before={"manages_reference_data": not on},
                after={"manages_reference_data": on},
            )
