"""``python manage.py backtest``: the after-tax back-test (see `backtest`).

    python manage.py backtest --scenario chaudhuri-burnham-lo
    python manage.py backtest --accounts 50 --years 5 --stocks 100 --step daily
    python manage.py backtest --prices-csv prices.csv --accounts 10 --step weekly
    python manage.py backtest --prices-csv $D/prices_2005-02-25_2012-12-31.csv.gz \
        --tickers-csv $D/tickers.csv --membership-csv $D/sp500_membership_intervals.csv \
        --start 2005-06-01 --end 2012-12-31 --accounts 10 --stocks 100 --step weekly \
        --tracking-limit 1.0 --workers 1 --out artifacts/sp500    # D=../shared/data/sp500_daily

Prints the table and the elapsed time; writes report.json and the charts into --out.
"""

from __future__ import annotations

import time
from argparse import ArgumentTypeError
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backtest import (
    SCENARIOS,
    Scenario,
    build_report,
    format_issue_table,
    format_table,
    period_text,
    run_scenario,
    write_outputs,
)
from backtest.prices import PricesCsvError
from backtest.runner import NO_WASH_RULE, POLICY_NAMES, Progress
from backtest.scenarios import NO_FLOWS, STEPS


class Command(BaseCommand):
    help = "After-tax back-test: nightly optimization vs action-forward vs buy-and-hold."
    requires_system_checks: list[str] = []  # a pure computation: no models, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="a named scenario")
        parser.add_argument("--accounts", type=int, help="number of accounts")
        parser.add_argument("--years", type=float, help="length of the test in years")
        parser.add_argument(
            "--stocks",
            type=int,
            help="stocks in the synthetic universe, or K of each account on real prices with "
            "membership (unused with --prices-csv alone: every column is in the model)",
        )
        parser.add_argument("--step", choices=STEPS, help="how often the optimizer runs")
        parser.add_argument("--prices-csv", help="CSV of daily closes: date, then symbols")
        parser.add_argument("--tickers-csv", help="CSV of ticker, gics_sector (real prices)")
        parser.add_argument(
            "--membership-csv", help="CSV of ticker, start_date, end_date index membership"
        )
        parser.add_argument("--start", type=_day, help="first day of a real-price test")
        parser.add_argument("--end", type=_day, help="last day of a real-price test")
        parser.add_argument(
            "--tracking-limit", type=float, help="optimizer's tracking-error limit, %%/yr"
        )
        parser.add_argument(
            "--other-gains",
            type=float,
            help="the filer's long-term gains realized elsewhere each year, USD (default 0)",
        )
        parser.add_argument(
            "--loss-use",
            choices=("realistic", "full"),
            help="how the simulation settles taxes (default: realistic on real prices)",
        )
        parser.add_argument(
            "--skip-no-wash-rule",
            action="store_true",
            help="real prices: leave out the run with the wash-sale rule off in the optimizer "
            "(with the law still applied it can take many times as long as the others)",
        )
        parser.add_argument(
            "--policies",
            type=_policies,
            help="comma-separated policies to run alone, e.g. nightly_optimizer "
            f"(of {', '.join(ALL_POLICIES)}; buy_and_hold, the reference, always runs)",
        )
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
        except (PricesCsvError, OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        report = build_report(outcome=outcome)
        written = write_outputs(report=report, outcome=outcome, out=Path(options["out"]))
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"scenario {scenario.name}: {report['scenario']['accounts']} accounts, "
            f"{period_text(report=report)}, {_stocks(report=report, scenario=scenario)}, "
            f"optimizer {scenario.step}, {outcome.workers} worker(s)"
        )
        for note in outcome.inputs.notes:
            self.stdout.write(f"note: {note}")
        self.stdout.write(format_table(report=report))
        self.stdout.write(format_issue_table(report=report))
        self.stdout.write(f"elapsed {elapsed:.1f} s; wrote {', '.join(str(p) for p in written)}")

    def _progress(self, *, started: float) -> Callable[[Progress], None]:
        """A callback writing a progress bar to stderr as each account and policy finishes:
        the share of the run's work done, the time so far and the time left at that pace."""

        def report(step: Progress) -> None:
            elapsed = time.perf_counter() - started
            filled = int(round(BAR * step.share))
            left = elapsed * (1.0 - step.share) / step.share if step.share > 0 else 0.0
            self.stderr.write(
                f"[{'#' * filled}{'.' * (BAR - filled)}] {100 * step.share:5.1f} % "
                f"{_clock(elapsed)} elapsed, about {_clock(left)} left; "
                f"{step.done}/{step.total} {step.run.policy} {step.run.account}"
            )

        return report


BAR = 30
ALL_POLICIES = (*POLICY_NAMES, NO_WASH_RULE)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


def _policies(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = sorted(set(names) - set(ALL_POLICIES))
    if not names or unknown:
        raise ArgumentTypeError(
            f"{value!r}: choose policies from {', '.join(ALL_POLICIES)}, comma-separated"
        )
    return names


def _stocks(*, report: dict[str, Any], scenario: Scenario) -> str:
    """K of the universe where accounts hold a sample (real prices with membership); the
    whole universe otherwise (prices alone are a cap-weighted model of every column)."""
    universe = report["scenario"]["stocks"]
    if not scenario.tickers_csv:
        return f"{universe} stocks"
    return f"{scenario.n_stocks} stocks per account of {universe} tickers"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


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
        ("tickers_csv", "tickers_csv"),
        ("membership_csv", "membership_csv"),
        ("start", "start"),
        ("end", "end"),
        ("tracking_limit", "tracking_limit_pct"),
        ("other_gains", "other_gains_usd"),
        ("loss_use", "loss_use"),
        ("policies", "only_policies"),
    ):
        if options[option] is not None:
            changes[field] = options[option]
    if changes and options["scenario"]:
        changes["name"] = f"{base.name} (modified)"
    real = [options[o] for o in ("tickers_csv", "membership_csv")]
    if any(real) and not (all(real) and options["prices_csv"]):
        raise CommandError(
            "--tickers-csv and --membership-csv go together, with --prices-csv (real prices)"
        )
    if all(real) and not options["scenario"]:
        changes["name"] = "real prices"
        changes["wash_sale_rule_off_too"] = not options.get("skip_no_wash_rule") or (
            NO_WASH_RULE in (options.get("policies") or ())
        )
        changes["flows"] = NO_FLOWS
        changes.setdefault("loss_use", "realistic")
        changes["wash_sale_law_applies"] = True
    if options["start"] and options["end"] and options["end"] < options["start"]:
        raise CommandError(f"--end {options['end']} is before --start {options['start']}")
    for field in ("n_accounts", "years", "n_stocks"):
        if changes.get(field, 1) <= 0:
            raise CommandError(f"--{field.removeprefix('n_')} must be positive")
    return replace(base, **changes)
