"""`manage.py quickstart`: migrate, build the demo when the database is empty, extend the
demo's prices up to today, run the nightly run once, and serve the web UI on localhost."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db.models import Max
from django.utils import timezone

from demo.firm import DEFAULT_SLUG, DEMO_PASSWORD, STAFF
from demo.price_feed import demo_price_feed
from firms.models import Firm
from models_library.models import Price
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal
from trading.services.schedule import firm_local_date


class Command(BaseCommand):
    help = (
        "Migrate the database; if there is no firm yet, create the demo firm; extend the demo's "
        "simulated prices up to today; run its nightly run once; then serve the web UI on "
        "localhost. Embedded defaults: SQLite and in-process Celery tasks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare, but do not serve.")

    def handle(self, *args, addrport: str, no_serve: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if not Firm.objects.exists():
            self.stdout.write("No firm yet: creating the demo firm ...")
            call_command("seed_demo", no_logins=True, stdout=self.stdout)
        else:
            self.stdout.write(
                "Existing data kept (`manage.py seed_demo --reset` rebuilds the demo)."
            )
        demo = Firm.objects.filter(slug=DEFAULT_SLUG).first()
        if demo is not None:
            self._prices_extend()
        if demo is not None and not _has_proposals(demo):
            self._first_run(demo)
        self.stdout.write(
            self.style.SUCCESS(f"\nOpen http://{addrport}/ and sign in with a demo login:")
        )
        for username, role, *_ in STAFF:
            self.stdout.write(f"  {username:<12} {role.label:<14} password: {DEMO_PASSWORD}")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)

    def _prices_extend(self) -> None:
        feed = demo_price_feed()
        if feed.created:
            self.stdout.write(
                f"Demo prices extended to {feed.last_close}, the last trading day up to today "
                f"({feed.created:,} simulated closes; each start, and beat's hourly demo price "
                "feed, add the days since)."
            )

    def _first_run(self, demo: Firm) -> None:
        as_of = firm_local_date(firm=demo, now=timezone.now())
        last_close = Price.objects.filter(date__lte=as_of).aggregate(last=Max("date"))["last"]
        self.stdout.write(
            f"Running the demo firm's nightly run as of today, {as_of} ({demo.timezone}), "
            f"on the closes of {last_close}: each proposal is dated {as_of} ..."
        )
        call_command("rebalance", firm=demo.slug, as_of=as_of.isoformat(), stdout=self.stdout)


def _has_proposals(firm: Firm) -> bool:
    with firm_scope(firm):
        return Proposal.objects.filter(firm=firm).exists()
