"""``python manage.py backtest_household [--spy-csv PATH] [--start DATE] [--end DATE]``: a
taxable account, an IRA and a Roth managed as one household against each on its own,
after tax (see `backtest.household`: SPY's adjusted closes for equity, a constant-price 4 %
bond series for bonds). Defaults to the shared SPY closes over the S&P 500 data's window."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backtest.household import household_backtest
from money import CENT

DEFAULT_CSV = Path(settings.BASE_DIR).parent / "shared" / "data" / "spy_prices.csv"


class Command(BaseCommand):
    help = "After-tax gain of managing a taxable, IRA and Roth household as one."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--spy-csv", type=Path, default=DEFAULT_CSV, help="date,SPY closes")
        parser.add_argument("--start", default="2005-02-25", help="first day (YYYY-MM-DD)")
        parser.add_argument("--end", default="2012-12-31", help="last day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["spy_csv"]
        if not path.exists():
            raise CommandError(f"--spy-csv: {path} does not exist")
        with path.open() as handle:
            rows = [
                r for r in csv.DictReader(handle) if options["start"] <= r["date"] <= options["end"]
            ]
        if len(rows) < 2:
            raise CommandError("--start/--end: fewer than two prices in that window")
        outcome = household_backtest(
            [dt.date.fromisoformat(r["date"]) for r in rows],
            [Decimal(r["SPY"]).quantize(CENT) for r in rows],
        )
        self.stdout.write(
            f"{outcome.start} to {outcome.end}, $300,000 in a taxable account, an IRA and a "
            f"Roth, 60 % SPY / 39 % bonds (constant price, 4 % interest)\n"
            f"  managed as one household  ${outcome.household_after_tax:,} after tax\n"
            f"  each account on its own   ${outcome.separate_after_tax:,} after tax\n"
            f"  household management      {outcome.gain_bp_per_year:+} bp a year"
        )
