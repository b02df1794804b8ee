"""``python manage.py seed_demo``: a realistic demo firm; see ``demo``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_slug
from django.db import ProgrammingError

from demo.firm import DEFAULT_NAME, DEFAULT_SLUG, DEMO_PASSWORD
from demo.prices import price_window
from demo.seed import (
    DEFAULT_ACCOUNTS,
    DEFAULT_END_DATE,
    DEFAULT_SEED,
    SeedOptions,
    SeedReport,
    demo_seed,
)


class Command(BaseCommand):
    help = (
        "Create a demo firm: one login per role, households and accounts of mixed tax "
        "status, three published models, two years of daily prices, tax lots and varied "
        "preferences. The same arguments always build the same firm. If the firm already "
        "exists, nothing is changed unless --reset is given, which deletes that firm (and "
        "everything it owns, audit log included) and builds it again. Securities and "
        "prices are shared by all firms: they are added where missing, never duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--firm", default=DEFAULT_SLUG, help=f"firm slug (default '{DEFAULT_SLUG}')"
        )
        parser.add_argument(
            "--name", default=None, help=f"firm name (default '{DEFAULT_NAME}' for the demo firm)"
        )
        parser.add_argument(
            "--accounts",
            type=int,
            default=DEFAULT_ACCOUNTS,
            help=f"number of accounts (default {DEFAULT_ACCOUNTS})",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--end-date",
            default=DEFAULT_END_DATE.isoformat(),
            help=f"last price date, YYYY-MM-DD (default {DEFAULT_END_DATE.isoformat()})",
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="do not list the logins (the caller lists them itself)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the firm with this slug and everything it owns first (demo firms only)",
        )

    def handle(self, *args: object, **options: object) -> None:
        seed_options = self._options(options)
        self.stdout.write(f"Seeding firm '{seed_options.slug}' ({seed_options.accounts} accounts)")
        try:
            report = demo_seed(options=seed_options, log=self.stdout.write)
        except ProgrammingError as exc:
            if "permission denied" not in str(exc) or "auditevent" not in str(exc):
                raise
            raise CommandError(
                "--reset deletes the firm's audit log, which the application's database role "
                "may not do (for it the audit log is append-only). Run the reset with "
                "DATABASE_URL set to the tables' owner (DATABASE_OWNER_URL)."
            ) from exc
        if not report.created:
            self.stdout.write(
                f"Firm '{seed_options.slug}' already exists: nothing changed "
                "(use --reset to build it again)."
            )
        else:
            self._summary(report)
        if not options["no_logins"]:
            self._logins(report)

    def _options(self, options: dict) -> SeedOptions:
        slug = str(options["firm"])
        try:
            validate_slug(slug)
        except ValidationError as exc:
            raise CommandError(
                f"--firm: '{slug}' is not a valid slug (letters, digits, -, _)."
            ) from exc
        if int(options["accounts"]) < 1:
            raise CommandError("--accounts: give at least 1.")
        try:
            end_date = dt.date.fromisoformat(str(options["end_date"]))
        except ValueError as exc:
            raise CommandError(
                f"--end-date: '{options['end_date']}' is not a date (YYYY-MM-DD)."
            ) from exc
        try:
            price_window(end_date=end_date)
        except ValueError as exc:
            raise CommandError(f"--end-date: {exc}") from exc
        default_name = (
            DEFAULT_NAME if slug == DEFAULT_SLUG else f"{slug.replace('-', ' ').title()} Advisors"
        )
        return SeedOptions(
            slug=slug,
            name=str(options["name"] or default_name),
            accounts=int(options["accounts"]),
            seed=int(options["seed"]),
            end_date=end_date,
            reset=bool(options["reset"]),
        )

    def _summary(self, report: SeedReport) -> None:
        self.stdout.write(f"  {'total':<26} {report.total_seconds:7.2f} s")
        counts = ", ".join(f"{value:,} {name}" for name, value in report.counts.items())
        self.stdout.write(f"Created {report.firm.name} ({report.firm.slug}): {counts}.")

    def _logins(self, report: SeedReport) -> None:
        self.stdout.write(f"Logins (password '{DEMO_PASSWORD}' for all):")
        for username, role in report.logins:
            self.stdout.write(f"  {username:<24} {role}")
