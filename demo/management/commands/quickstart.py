"""`manage.py quickstart`: migrate, build the demo when the database is empty, run the nightly
run once, and serve the web UI on localhost."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Max

from demo.firm import DEMO_PASSWORD, STAFF
from firms.models import Firm
from models_library.models import Price
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal


class Command(BaseCommand):
    help = (
        "Migrate the database; if there is no firm yet, create the demo firm and run its "
        "nightly run once; then serve the web UI on localhost. Embedded defaults: SQLite and "
        "in-process Celery tasks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare, but do not serve.")

    def handle(self, *args, addrport: str, no_serve: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if not Firm.objects.exists():
            self.stdout.write("No firm yet: creating the demo firm ...")
            call_command("seed_demo", stdout=self.stdout)
        else:
            self.stdout.write(
                "Existing data kept (`manage.py seed_demo --reset` rebuilds the demo)."
            )
        demo = Firm.objects.filter(slug="demo").first()
        if demo is not None and not _has_proposals(demo):
            last_price = Price.objects.aggregate(last=Max("date"))["last"]
            self.stdout.write(f"Running the demo firm's nightly run as of {last_price} ...")
            call_command("rebalance", firm="demo", as_of=last_price.isoformat(), stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"\nOpen http://{addrport}/ and sign in with a demo login:")
        )
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {username:<12} {role.label:<14} password: {DEMO_PASSWORD}")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)


def _has_proposals(firm: Firm) -> bool:
    with firm_scope(firm):
        return Proposal.objects.filter(firm=firm).exists()
