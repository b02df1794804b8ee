"""``manage.py row_security``: is every firm-owned table behind its forced policy?"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from firms.models import Firm
from rebalancer import rowsecurity


class Command(BaseCommand):
    help = (
        "Check PostgreSQL row-level security: every firm-owned table must have row security "
        "enabled and forced, with the firm policy. With --firm, also show what that firm's "
        "scope can see (each table should show that firm's id alone)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--firm", help="A firm's slug: show the rows visible in its scope.")

    def handle(self, *args, **options) -> None:
        if not rowsecurity.enforced():
            self.stdout.write(
                f"{connection.vendor}: no row-level security here; the application's firm "
                "scoping is the only wall (use PostgreSQL in production)."
            )
            return
        catalog = rowsecurity.catalog()
        tables = rowsecurity.firm_owned_tables()
        missing = sorted(set(rowsecurity.tables_with_firm_column()) - set(tables))
        bad = [t for t in tables if t not in catalog or not catalog[t].secured]
        for table in tables:
            state = catalog.get(table)
            mark = "ok" if state and state.secured else "NOT SECURED"
            self.stdout.write(f"  {table:<36} {mark}")
        self.stdout.write(f"user {connection.settings_dict.get('USER')}: {self._role()}")
        if options["firm"]:
            self._visible(options["firm"])
        if bad or missing:
            raise CommandError(
                "row-level security incomplete: "
                + ", ".join(bad + [f"{t} (firm_id column, no model)" for t in missing])
                + "; run `manage.py migrate` as the tables' owner"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(tables)} firm-owned tables secured"))

    def _role(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
            )
            superuser, bypass = cursor.fetchone()
        if superuser or bypass:
            return "superuser or BYPASSRLS: row-level security does not bind this role"
        return "bound by row-level security"

    def _visible(self, slug: str) -> None:
        firm = Firm.objects.filter(slug=slug).first()
        if firm is None:
            raise CommandError(f"--firm: no firm with slug '{slug}'")
        with rowsecurity.firm_scope(firm):
            seen = rowsecurity.visible_rows()
        self.stdout.write(f"visible in {slug}'s scope (firm id {firm.pk}):")
        for table, counts in seen.items():
            shown = ", ".join(f"firm {k}: {v}" for k, v in sorted(counts.items(), key=str))
            self.stdout.write(f"  {table:<36} {shown or 'no rows'}")
