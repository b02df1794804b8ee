"""`manage.py quickstart`: migrate, seed the demo firm when the database is empty, serve."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from accounts.models import Firm


class Command(BaseCommand):
    help = (
        "Migrate the database, create the demo firm if there is no firm yet, and serve the web "
        "UI on localhost. The embedded default: SQLite and in-process Celery tasks."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument("--no-serve", action="store_true", help="Prepare, but do not serve.")

    def handle(self, *args, addrport: str, no_serve: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")
        if not Firm.objects.exists():
            self.stdout.write("No firm yet: creating the demo firm (about half a minute) ...")
            call_command("seed_demo")
        else:
            self.stdout.write("Existing data kept (run `manage.py seed_demo` to rebuild the demo).")
        self.stdout.write(
            self.style.SUCCESS(f"\nOpen http://{addrport}/ and sign in with a demo login:")
        )
        from trading.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

        for username, role in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {role:<14} password: {DEMO_PASSWORD}")
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
