"""Whole back-tests, small enough for the test suite: the report's promises hold."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from django.core.management import call_command

from backtest import Scenario, build_report, format_table, run_scenario, write_outputs
from backtest.accounts import FlowSettings

REAL_PRICES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "stock_prices_20.csv"
BUSY = FlowSettings(
    entry_span=0.3,
    monthly_contribution=0.02,
    contribution_probability=0.8,
    yearly_withdrawal=0.2,
    withdrawal_probability=1.0,
    restricted_share=1.0,
)


@pytest.fixture(scope="module")
def busy_report() -> dict:
    """Four accounts with contributions, withdrawals and restrictions, optimizer daily."""
    scenario = Scenario(
        name="busy", n_accounts=4, years=1.2, n_stocks=12, step="daily", seed=11, flows=BUSY
    )
    return build_report(outcome=run_scenario(scenario=scenario, workers=1))


def test_the_optimizer_incurs_no_wash_sale_and_breaks_no_restriction(busy_report):
    nightly = busy_report["policies"]["nightly_optimizer"]
    assert nightly["optimizer_solves"] > 4 * 250
    assert nightly["optimizer_failures"] == 0
    assert nightly["wash_sales_lot_engine"] == 0
    assert nightly["wash_sales"] == 0
    assert nightly["restriction_breaches"] == 0


def test_every_ledger_agrees_with_the_lot_engine(busy_report):
    for name, figures in busy_report["policies"].items():
        assert figures["ledger_agrees_with_lot_engine"], name
        assert figures["wash_sales"] == figures["wash_sales_lot_engine"], name


def test_buy_and_hold_is_the_benchmark_and_stays_on_the_model(busy_report):
    hold = busy_report["policies"]["buy_and_hold"]
    assert hold["tax_alpha"] == 0.0
    assert hold["tracking_error"] < 0.03


def test_the_table_names_every_policy(busy_report):
    table = format_table(report=busy_report)
    assert table.splitlines()[0].startswith("synthetic market:")
    for name in busy_report["policies"]:
        assert name in table


def _sane(report: dict) -> None:
    for name, figures in report["policies"].items():
        for key in ("pre_tax_return", "after_tax_return", "after_tax_return_liquidated"):
            assert math.isfinite(figures[key]) and -0.9 < figures[key] < 2.0, (name, key)
        assert 0.0 <= figures["tracking_error"] < 0.5, name
        assert figures["turnover"] >= 0.0, name
        assert figures["restriction_breaches"] == 0, name
        assert figures["ledger_agrees_with_lot_engine"], name
    assert report["policies"]["nightly_optimizer"]["wash_sales_lot_engine"] == 0


@pytest.mark.skipif(not REAL_PRICES.exists(), reason="shared/data/stock_prices_20.csv not here")
def test_a_back_test_on_real_prices_is_sane(tmp_path):
    # given: 20 real stocks from 1990, some not listed yet (blank cells)
    scenario = Scenario(
        name="real-20",
        n_accounts=3,
        years=1.5,
        n_stocks=20,
        step="weekly",
        prices_csv=str(REAL_PRICES),
        seed=2,
    )
    # when
    outcome = run_scenario(scenario=scenario, workers=1)
    report = build_report(outcome=outcome)
    written = write_outputs(report=report, outcome=outcome, out=tmp_path)
    # then
    _sane(report)
    assert report["scenario"]["first_day"] == "1989-12-29"
    assert {p.name for p in written} == {
        "report.json",
        "after_tax_excess.png",
        "dispersion.png",
        "realized_gains.png",
        "cumulative_tax_alpha.png",
        "tracking_error.png",
        "dispersion_over_time.png",
    }
    assert json.loads((tmp_path / "report.json").read_text())["policies"].keys() == {
        "buy_and_hold",
        "action_forward",
        "nightly_optimizer",
    }


def test_the_command_prints_the_table_and_writes_the_report(tmp_path, capsys):
    # when
    call_command(
        "backtest",
        "--accounts=2",
        "--years=0.5",
        "--stocks=8",
        "--step=weekly",
        "--workers=1",
        f"--out={tmp_path}",
    )
    # then
    out = capsys.readouterr().out
    assert "nightly_optimizer" in out and "elapsed" in out
    report = json.loads((tmp_path / "report.json").read_text())
    _sane(report)
    assert report["scenario"]["accounts"] == 2
