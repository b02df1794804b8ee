"""Build the demo firm, phase by phase, and time each phase.

Shared reference data (securities, prices) is committed first, each in its own
transaction, and reused by later seeds. Everything the firm owns is then written in one
transaction, so a failed seed leaves no half-built firm behind.

A firm whose slug already exists is left alone (the seed reports it and does nothing),
unless ``reset`` is set: then the firm and everything it owns is deleted and built again.
With the same arguments, a seed always builds the same firm (same names, accounts, lots
and preferences; only database ids and timestamps differ).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.db import transaction

from firms.models import Firm, Role
from models_library.models import Security
from models_library.services.risk_models import risk_model_build
from rebalancer import rowsecurity
from rebalancer.actors import Actor

from .book import book_create, book_plan
from .corporate_actions import demo_corporate_actions
from .custodian import custodian_file_import
from .firm import STAFF, firm_create, firm_delete, login_for, staff_create
from .holdings import holdings_create
from .households import managed_households_create
from .portfolios import equivalence_sets_create, models_create
from .preferences import preferences_create
from .prices import SENDER, PriceHistory, prices_ensure
from .reference import StockRow, load_etfs, load_stocks, securities_upsert
from .tax_showcase import tax_showcase_create

Log = Callable[[str], None]

DEFAULT_ACCOUNTS = 150
DEFAULT_SEED = 2026
DEFAULT_END_DATE = dt.date(2026, 11, 20)


@dataclass(frozen=True)
class SeedOptions:
    slug: str
    name: str
    accounts: int = DEFAULT_ACCOUNTS
    seed: int = DEFAULT_SEED
    end_date: dt.date = DEFAULT_END_DATE
    reset: bool = False


@dataclass
class SeedReport:
    """What a seed did: whether it built the firm, each phase's seconds, and row counts."""

    firm: Firm
    created: bool
    timings: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(seconds for _, seconds in self.timings)

    @property
    def logins(self) -> list[tuple[str, str]]:
        """(username, role label) of every demo user of the firm."""
        return [
            (login_for(slug=self.firm.slug, base=base), Role(role).label)
            for base, role, *_ in STAFF
        ]


@contextmanager
def _phase(report: SeedReport, name: str, log: Log) -> Iterator[None]:
    started = time.perf_counter()
    yield
    seconds = time.perf_counter() - started
    report.timings.append((name, seconds))
    log(f"  {name:<26} {seconds:7.2f} s")


@contextmanager
def _committed(report: SeedReport, log: Log) -> Iterator[None]:
    """One transaction around the inner phases; its commit (deferred checks) timed apart."""
    started = time.perf_counter()
    inner_before = report.total_seconds
    with transaction.atomic():
        yield
    seconds = time.perf_counter() - started - (report.total_seconds - inner_before)
    report.timings.append(("commit", seconds))
    log(f"  {'commit':<26} {seconds:7.2f} s")


def _rng(seed: int, phase: str) -> random.Random:
    return random.Random(f"{seed}:{phase}")


@dataclass(frozen=True)
class _Reference:
    stocks: list[StockRow]
    securities: dict[str, Security]
    history: PriceHistory


def _reference_ensure(*, options: SeedOptions, report: SeedReport, log: Log) -> _Reference:
    """Upsert the securities and store missing prices, each phase committed on its own."""
    stocks, etfs = load_stocks(), load_etfs()
    with _phase(report, "securities", log), transaction.atomic():
        securities = securities_upsert(stocks=stocks, etfs=etfs)
    with _phase(report, "prices", log), transaction.atomic():
        history, report.counts["prices created"] = prices_ensure(
            securities=securities, stocks=stocks, etfs=etfs, end_date=options.end_date
        )
    with _phase(report, "risk model", log):
        # the platform's model as of the last close, so the firm's nightly run uses one
        built = risk_model_build(as_of=history.last_day, actor=Actor.system(SENDER))
        report.counts["risk models created"] = int(built.created)
    return _Reference(stocks=stocks, securities=securities, history=history)


def _firm_build(
    *, options: SeedOptions, reference: _Reference, report: SeedReport, log: Log
) -> None:
    """Create the firm and everything it owns, in one transaction."""
    history = reference.history
    with _committed(report, log):
        with _phase(report, "firm and staff", log):
            firm = report.firm = firm_create(slug=options.slug, name=options.name)
            rowsecurity.set_firm(firm.pk)
            staff = staff_create(firm=firm)
            modeler = staff.users["modeler"]
        with _phase(report, "models", log):
            models = models_create(
                firm=firm,
                securities=reference.securities,
                stocks=reference.stocks,
                modeler=modeler,
                first_day=history.days[0],
                last_day=history.last_day,
            )
            equivalence_sets_create(firm=firm, securities=reference.securities, modeler=modeler)
        with _phase(report, "households and accounts", log):
            plan = book_plan(
                rng=_rng(options.seed, "book"),
                accounts=options.accounts,
                advisors=len(staff.advisors),
                today=history.last_day,
            )
            rows = book_create(
                firm=firm, plan=plan, advisors=staff.advisors, models=models, assigned_by=modeler
            )
        with _phase(report, "lots and cash", log):
            holdings = holdings_create(
                firm=firm,
                rng=_rng(options.seed, "holdings"),
                plan=plan,
                accounts=rows.accounts,
                targets=models.targets,
                securities=reference.securities,
                stock_symbols=[stock.symbol for stock in reference.stocks],
                history=history,
            )
        with _phase(report, "preferences", log):
            preferences = preferences_create(
                firm=firm,
                rng=_rng(options.seed, "preferences"),
                plan=plan,
                rows=rows,
                targets=models.targets,
                advisors=staff.advisors,
                last_day=history.last_day,
            )
        with _phase(report, "managed households", log):
            managed = managed_households_create(
                firm=firm,
                rng=_rng(options.seed, "managed households"),
                plan=plan,
                rows=rows,
                history=history,
            )
        with _phase(report, "corporate actions", log):
            actions = demo_corporate_actions(firm=firm, history=history)
        with _phase(report, "tax showcase", log):
            showcase = tax_showcase_create(firm=firm, history=history, advisor=staff.advisors[0])
        with _phase(report, "custodian statement", log):
            custodian = custodian_file_import(
                firm=firm, trader=staff.users["trader"], history=history
            )
    report.counts |= {
        "corporate actions applied": actions.applied,
        "households rebuilt by corporate actions": actions.households,
        "custodian accounts": custodian.accounts,
        "accounts out of balance": len(custodian.out_of_balance),
    }
    report.counts |= {
        "accounts at their gain cap": showcase.accounts_at_gain_cap,
        "transition plans": showcase.transition_plans,
        "planned gifts": showcase.planned_gifts,
    }
    report.counts |= {
        "managed households": managed.managed_households,
        "held-away accounts": managed.held_away_accounts,
    }
    report.counts |= {
        "households": len(rows.households),
        "accounts": len(rows.accounts),
        "transactions": holdings.transactions,
        "tax lots": holdings.lots,
    } | {name.replace("_", " "): value for name, value in asdict(preferences).items()}


def demo_seed(*, options: SeedOptions, log: Log) -> SeedReport:
    """Build the demo firm described by ``options`` (see the module docstring).

    Returns a report with ``created`` false, having changed nothing, when the firm exists
    and ``options.reset`` is not set.
    """
    existing = Firm.objects.filter(slug=options.slug).first()
    if existing is not None and not options.reset:
        return SeedReport(firm=existing, created=False)
    report = SeedReport(firm=existing or Firm(slug=options.slug, name=options.name), created=True)
    reference = _reference_ensure(options=options, report=report, log=log)
    if existing is not None:
        with _phase(report, "reset (delete old firm)", log):
            with rowsecurity.firm_scope(existing):
                firm_delete(firm=existing)
    _firm_build(options=options, reference=reference, report=report, log=log)
    return report
