"""The demo's price feed keeps the demo working on any day after its seed date.

A small demo firm is seeded once for the module (prices end on the seed's fixed date) in a
transaction rolled back at the end; each test travels to a later day with time-machine and
runs in a savepoint within it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Max

from demo.market_calendar import trading_days
from demo.price_feed import FEED_SENDER, demo_price_feed
from demo.prices import ORIGIN, simulated_closes
from demo.reference import load_etfs, load_stocks
from demo.tasks import extend_demo_prices
from firms.models import Firm
from models_library.models import Price, StoredRiskModel
from rebalancer.celery import app
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal, ProposalStatus

SEED_END = dt.date(2026, 11, 20)
LATER = dt.datetime(2027, 1, 14, 20, 0, tzinfo=dt.UTC)  # a Thursday, 15:00 in New York


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--accounts", "6", stdout=StringIO())
        yield Firm.objects.get(slug="demo")
        transaction.set_rollback(True)


def _last_close() -> dt.date:
    return Price.objects.aggregate(last=Max("date"))["last"]


def _rebalance(firm: Firm) -> dict[str, int]:
    call_command("rebalance", "--firm", "demo", "--no-progress", stdout=StringIO())
    with firm_scope(firm):
        proposals = Proposal.objects.for_firm(firm).filter(as_of=LATER.date())
        failed = proposals.filter(status=ProposalStatus.FAILED)
        return {
            "proposals": proposals.count(),
            "failed": failed.count(),
            "stale": sum(
                "stale_price" in flags for flags in failed.values_list("flags", flat=True)
            ),
            # the demo custodian's two breaks keep two accounts out of every run
            "out_of_balance": sum(
                "out_of_balance" in flags for flags in failed.values_list("flags", flat=True)
            ),
        }


@pytest.mark.django_db
def test_without_the_feed_a_run_weeks_after_the_seed_fails_every_account_stale_or_unbalanced(demo):
    with time_machine.travel(LATER, tick=False):
        outcome = _rebalance(demo)

    assert _last_close() == SEED_END
    assert outcome == {"proposals": 6, "failed": 6, "stale": 4, "out_of_balance": 2}


@pytest.mark.django_db
def test_the_beat_task_extends_prices_to_today_and_the_nightly_run_works(demo):
    with time_machine.travel(LATER, tick=False):
        stored = extend_demo_prices()
        outcome = _rebalance(demo)

    new_days = trading_days(start=SEED_END + dt.timedelta(days=1), end=LATER.date())
    securities = Price.objects.filter(date=SEED_END).count()
    assert _last_close() == LATER.date() == new_days[-1]
    assert stored == securities * len(new_days)
    assert Price.objects.filter(date__gt=SEED_END).exclude(sent_by=FEED_SENDER).count() == 0
    assert StoredRiskModel.objects.aggregate(last=Max("as_of"))["last"] == LATER.date()
    assert outcome == {"proposals": 6, "failed": 2, "stale": 0, "out_of_balance": 2}


@pytest.mark.django_db
def test_a_dates_close_is_the_same_whichever_day_the_feed_runs(demo):
    first, second = dt.date(2026, 12, 2), dt.date(2026, 12, 23)
    with time_machine.travel(dt.datetime(2026, 12, 2, 23, 0, tzinfo=dt.UTC), tick=False):
        demo_price_feed()
    early = dict(Price.objects.filter(date=first).values_list("security__symbol", "close"))
    with time_machine.travel(dt.datetime(2026, 12, 23, 23, 0, tzinfo=dt.UTC), tick=False):
        demo_price_feed()
        again = demo_price_feed()

    days = trading_days(start=ORIGIN, end=second)
    paths = simulated_closes(stocks=load_stocks(), etfs=load_etfs(), count=len(days))
    late = dict(Price.objects.filter(date=second).values_list("security__symbol", "close"))
    assert early == dict(Price.objects.filter(date=first).values_list("security__symbol", "close"))
    assert late and all(close == Decimal(f"{paths[s][-1]:.6f}") for s, close in late.items())
    assert again.created == 0 and again.last_close == second


@pytest.mark.django_db
def test_a_security_another_sender_prices_is_left_to_it(demo):
    symbol, security_id = Price.objects.filter(date=SEED_END).values_list(
        "security__symbol", "security_id"
    )[0]
    Price.objects.create(
        security_id=security_id, date=dt.date(2026, 11, 23), close=Decimal("101.5"), sent_by="key:7"
    )

    with time_machine.travel(LATER, tick=False):
        demo_price_feed()

    assert _last_close() == LATER.date()
    assert list(
        Price.objects.filter(security_id=security_id, date__gt=SEED_END).values_list("close")
    ) == [(Decimal("101.5"),)], symbol


@pytest.mark.django_db
def test_without_a_demo_firm_the_feed_does_nothing(demo):
    Firm.objects.filter(pk=demo.pk).update(slug="northwind")

    with time_machine.travel(LATER, tick=False):
        report = demo_price_feed()

    assert (report.today, report.created) == (None, 0)
    assert _last_close() == SEED_END


def test_beat_runs_the_feed_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["extend-demo-prices"]

    assert entry == {"task": "demo.extend_prices", "schedule": 3600.0}
    assert "demo.extend_prices" in app.tasks


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the quick start is the embedded default: it migrates, which the application's "
    "role may not do on PostgreSQL",
)
@pytest.mark.django_db
def test_quickstart_on_a_later_day_extends_prices_and_says_once_what_it_did(demo):
    out = StringIO()
    with time_machine.travel(LATER, tick=False):
        call_command("quickstart", "--no-serve", stdout=out)
    text = out.getvalue()

    assert "Demo prices extended to 2027-01-14, the last trading day up to today" in text
    assert (
        "nightly run as of today, 2027-01-14 (America/New_York), on the closes of 2027-01-14"
    ) in text
    assert text.count("6/6 accounts") == 1
    assert text.count("password: demo-pass-2026") == 8
    flags = next(line for line in text.splitlines() if line.strip().startswith("flags:"))
    assert "failed          2" in text and "out_of_balance 2" in flags


@pytest.mark.django_db
def test_seed_demo_lists_the_logins_unless_told_not_to(demo):
    listed, unlisted = StringIO(), StringIO()
    call_command("seed_demo", stdout=listed)
    call_command("seed_demo", "--no-logins", stdout=unlisted)

    assert "Logins (password 'demo-pass-2026' for all):" in listed.getvalue()
    assert "already exists" in unlisted.getvalue() and "Logins" not in unlisted.getvalue()
