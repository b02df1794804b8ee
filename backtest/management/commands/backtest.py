"""``python manage.py backtest``: the after-tax back-test (see `backtest`).

    python manage.py backtest --scenario chaudhuri-burnham-lo
    python manage.py backtest --accounts 50 --years 5 --stocks 100 --step daily
    python manage.py backtest --prices-csv prices.csv --accounts 10 --step weekly

Prints the table and the elapsed time; writes report.json and the charts into --out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backtest import (
    SCENARIOS,
    Scenario,
    build_report,
    format_table,
    run_scenario,
    write_outputs,
)
from backtest.prices import PricesCsvError
from backtest.scenarios import STEPS
from backtest.simulator import AccountRun


class Command(BaseCommand):
    help = "After-tax back-test: nightly optimization vs action-forward vs buy-and-hold."
    requires_system_checks: list[str] = []  # a pure computation: no models, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="a named scenario")
        parser.add_argument("--accounts", type=int, help="number of accounts")
        parser.add_argument("--years", type=float, help="length of the test in years")
        parser.add_argument("--stocks", type=int, help="stocks in the synthetic universe")
        parser.add_argument("--step", choices=STEPS, help="how often the optimizer runs")
        parser.add_argument("--prices-csv", help="CSV of daily closes: date, then symbols")
        parser.add_argument("--seed", type=int, help="seed for prices and accounts")
        parser.add_argument("--workers", type=int, help="worker processes (default: all CPUs)")
        parser.add_argument(
            "--no-engine-check",
            action="store_true",
            help="skip replaying each account through the real lot engine",
        )
        parser.add_argument("--out", default="artifacts/backtest", help="output folder")

    def handle(self, *args: Any, **options: Any) -> None:
        scenario = _scenario(options)
        started = time.perf_counter()
        try:
            outcome = run_scenario(
                scenario=scenario,
                workers=options["workers"],
                engine_check=not options["no_engine_check"],
                progress=self._progress(started=started),
            )
        except (PricesCsvError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        report = build_report(outcome=outcome)
        written = write_outputs(report=report, outcome=outcome, out=Path(options["out"]))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"scenario {scenario.name}: {report['scenario']['accounts']} accounts, "
            f"{scenario.years:g} years, {report['scenario']['stocks']} stocks, "
            f"optimizer {scenario.step}, {outcome.workers} worker(s)"
        )
        self.stdout.write(format_table(report=report))
        self.stdout.write(f"elapsed {elapsed:.1f} s; wrote {', '.join(str(p) for p in written)}")

    def _progress(self, *, started: float) -> Callable[[int, int, AccountRun], None]:
        """A callback writing one line per finished account and policy to stderr."""

        def report(done: int, total: int, run: AccountRun) -> None:
            elapsed = time.perf_counter() - started
            self.stderr.write(f"[{elapsed:7.1f} s] {done}/{total} {run.policy} {run.account}")

        return report


def _scenario(options: dict[str, Any]) -> Scenario:
    """The named scenario (or a custom one), with any option given on top."""
    base = (
        SCENARIOS[options["scenario"]]
        if options["scenario"]
        else Scenario(name="custom", n_accounts=10, years=2, n_stocks=50)
    )
    changes: dict[str, Any] = {}
    for option, field in (
        ("accounts", "n_accounts"),
        ("years", "years"),
        ("stocks", "n_stocks"),
        ("step", "step"),
        ("prices_csv", "prices_csv"),
        ("seed", "seed"),
    ):
        if options[option] is not None:
            changes[field] = options[option]
    if changes and options["scenario"]:
        changes["name"] = f"{base.name} (modified)"
    for field in ("n_accounts", "years", "n_stocks"):
        if changes.get(field, 1) <= 0:
            raise CommandError(f"--{field.removeprefix('n_')} must be positive")
    return replace(base, **changes)
