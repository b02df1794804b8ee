"""The back-test on real-price files: the point-in-time equal-weighted benchmark, the
K-stock sample, the no-look-ahead risk model, and a tiny run whose answer is known."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from backtest import build_report, run_scenario
from backtest.prices import PricesCsvError
from backtest.real import DailyRiskModels, MemberModel, load_universe, staggered_accounts
from tests.backtest.scenarios import real_scenario


def _files(tmp_path: Path, *, days: int = 8) -> tuple[Path, Path, Path]:
    """A, B, C priced at 10 every day, except B at 20 on the last day; C joins the index
    on day 3 (and leaves on day 5)."""
    start = date(2020, 1, 6)
    rows = ["date,A,B,C"]
    for k in range(days):
        b = 20 if k == days - 1 else 10
        rows.append(f"{start + timedelta(days=k)},10,{b},10")
    prices = tmp_path / "prices.csv"
    prices.write_text("\n".join(rows) + "\n")
    tickers = tmp_path / "tickers.csv"
    tickers.write_text("ticker,gics_sector\nA,Energy\nB,Energy\nC,Utilities\n")
    membership = tmp_path / "membership.csv"
    membership.write_text(
        "ticker,start_date,end_date\n"
        "A,2000-01-01,\n"
        "B,2000-01-01,\n"
        f"C,{start + timedelta(days=3)},{start + timedelta(days=5)}\n"
    )
    return prices, tickers, membership


def test_the_benchmark_is_equal_weighted_over_the_members_of_each_day(tmp_path):
    prices, tickers, membership = _files(tmp_path)
    universe = load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)
    model = MemberModel(universe=universe, stocks=10, seed=0)

    assert universe.history.sectors == ("Energy", "Energy", "Utilities")
    assert model.benchmark(0).tolist() == [0.5, 0.5, 0.0]
    assert model.benchmark(3) == pytest.approx([1 / 3, 1 / 3, 1 / 3])
    assert model.benchmark(6).tolist() == [0.5, 0.5, 0.0]
    assert model.weights(prices=universe.history.prices[3], t=3) == pytest.approx(
        [0.33, 0.33, 0.33]
    )


def test_a_sample_keeps_each_sector_at_its_benchmark_weight(tmp_path):
    prices, tickers, membership = _files(tmp_path)
    universe = load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)
    model = MemberModel(universe=universe, stocks=2, seed=0)

    weights = model.weights(prices=universe.history.prices[3], t=3)

    assert weights[2] == pytest.approx(0.99 / 3)  # Utilities: C alone, a third
    assert weights[:2].sum() == pytest.approx(0.99 * 2 / 3)  # Energy: one of A, B
    assert (weights[:2] > 0).sum() == 1


def _risk_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Two stocks of one sector, 120 days of random closes from 2020-01-01."""
    rng = np.random.default_rng(0)
    start = date(2020, 1, 1)
    rows = ["date,A,B"]
    for k in range(120):
        rows.append(f"{start + timedelta(days=k)},{10 + rng.random()},{20 + rng.random()}")
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n")
    tickers = tmp_path / "t.csv"
    tickers.write_text("ticker,gics_sector\nA,Energy\nB,Energy\n")
    membership = tmp_path / "m.csv"
    membership.write_text("ticker,start_date,end_date\nA,2000-01-01,\nB,2000-01-01,\n")
    return path, tickers, membership


def test_the_risk_model_is_estimated_each_day_from_closes_before_it(tmp_path):
    prices, tickers, membership = _risk_files(tmp_path)
    universe = load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)
    models = DailyRiskModels(history=universe.history)
    days = universe.history.days
    april = days.index(date(2020, 4, 1))

    today, tomorrow = models(april), models(april + 1)

    assert models(10) is None  # under 60 days of history: the built-in model
    assert today is not None and today is models(april)  # kept, not estimated again
    assert today.id == f"estimated-{days[april - 1].isoformat()}"
    assert tomorrow is not None and tomorrow.id == f"estimated-{days[april].isoformat()}"
    assert not np.allclose(today.specific_variance, tomorrow.specific_variance)


def test_risk_models_past_the_memory_budget_are_estimated_again_not_kept(tmp_path):
    prices, tickers, membership = _risk_files(tmp_path)
    universe = load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)
    kept = DailyRiskModels(history=universe.history)
    unkept = DailyRiskModels(history=universe.history, budget_bytes=0)
    day = universe.history.days.index(date(2020, 4, 1))

    first, again = unkept(day), unkept(day)

    assert first is not None and again is not None and first is not again
    assert first == again == kept(day)


def test_files_with_a_missing_column_are_refused_naming_it(tmp_path):
    prices, tickers, membership = _files(tmp_path)
    membership.write_text("ticker,start,end_date\nA,2000-01-01,\n")

    with pytest.raises(PricesCsvError, match="start_date"):
        load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)


def test_a_tiny_back_test_gives_the_answer_worked_by_hand(tmp_path):
    """Accounts of $1,000,000 buy 99 % in A and B at $10 (C is not a member on day 0);
    B doubles on the last day. Buy-and-hold holds about 49,500 shares of B, so it ends
    about $495,000 up: a 49.5 % gain, whatever it paid in costs (5 bp)."""
    prices, tickers, membership = _files(tmp_path)
    scenario = real_scenario(
        prices=prices, tickers=tickers, membership=membership, wash_sale_rule_off_too=True
    )

    outcome = run_scenario(scenario=scenario, workers=1)
    report = build_report(outcome=outcome)

    held = outcome.runs["buy_and_hold"][0]
    gain = held.value_usd[-1] - held.value_usd[held.entry]
    assert 49_400 * 10 <= gain <= 49_500 * 10
    assert set(report["policies"]) == {
        "buy_and_hold",
        "action_forward",
        "nightly_optimizer",
        "nightly_optimizer_no_wash_rule",
    }
    for runs in outcome.runs.values():
        assert runs[0].breaches == 0
        assert runs[0].solver_failures == 0
    # The benchmark holds A and B half and half on the last day: it gains 50 % in 7
    # days. Sold then, the $500,000 short-term gain pays 35 %: $1,325,000 is left.
    for use in ("realistic", "full"):
        held = report["by_loss_use"][use]["buy_and_hold"]
        assert held["benchmark_pretax_return_pct_per_year"] == pytest.approx(
            100 * (1.5 ** (252 / 7) - 1), rel=1e-6
        )
        assert held["benchmark_aftertax_liquidated_return_pct_per_year"] == pytest.approx(
            100 * (1.325 ** (252 / 7) - 1), rel=1e-6
        )
        assert held["wash_sales"] == 0
        assert held["taxes_paid_usd"] == 0
    assert report["market"] == "real prices"
    keys = {
        "pretax_return_pct_per_year",
        "aftertax_return_pct_per_year",
        "aftertax_liquidated_return_pct_per_year",
        "aftertax_excess_pct_per_year",
        "pretax_excess_pct_per_year",
        "tax_alpha_pct_per_year",
        "tracking_error_pct_per_year",
        "dispersion_pct",
        "turnover_pct_per_year",
        "wash_sales",
        "taxes_paid_usd",
        "loss_carryforward_usd",
    }
    for by_policy in report["by_loss_use"].values():
        assert by_policy.keys() == report["policies"].keys()
        for figures in by_policy.values():
            assert keys <= figures.keys()


def test_accounts_start_on_the_first_trading_day_of_consecutive_months(tmp_path):
    prices, tickers, membership = _files(tmp_path, days=70)
    universe = load_universe(prices_csv=prices, tickers_csv=tickers, membership_csv=membership)

    accounts = staggered_accounts(universe=universe, n_accounts=4)

    entry_days = [universe.history.days[a.entry] for a in accounts]
    assert entry_days == [date(2020, 1, 6), date(2020, 2, 1), date(2020, 3, 1), date(2020, 1, 6)]


def _backtest(tmp_path: Path, *options: str) -> None:
    """`manage.py backtest` on the eight-day files, daily, one worker, into tmp_path/out."""
    prices, tickers, membership = _files(tmp_path)
    call_command(
        "backtest",
        f"--prices-csv={prices}",
        f"--tickers-csv={tickers}",
        f"--membership-csv={membership}",
        "--stocks=10",
        "--step=daily",
        "--workers=1",
        f"--out={tmp_path / 'out'}",
        *options,
    )


def test_the_command_states_the_period_of_real_prices(tmp_path, capsys):
    # given: eight days from 2020-01-06 (the command's own default is 2 years)
    # when
    _backtest(tmp_path, "--accounts=1", "--skip-no-wash-rule")
    # then
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "scenario real prices: 1 accounts, 2020-01-06 to 2020-01-13, 0.02 years, "
        "10 stocks per account of 3 tickers, optimizer daily, 1 worker(s)"
    )
    assert "real prices, 2020-01-06 to 2020-01-13, 0.02 years: against" in "\n".join(out)
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["scenario"]["years"] == 0.02


def test_the_command_runs_the_nightly_policy_alone_with_a_progress_bar(tmp_path, capsys):
    # given: the eight-day files
    # when: only the nightly policy is asked for
    _backtest(tmp_path, "--accounts=2", "--policies=nightly_optimizer")
    # then: it and buy-and-hold (the reference) ran, and the bar reached 100 %
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert list(report["policies"]) == ["buy_and_hold", "nightly_optimizer"]
    bars = [line for line in capsys.readouterr().err.splitlines() if line.startswith("[")]
    assert len(bars) == 4
    assert bars[-1].startswith("[" + "#" * 30 + "] 100.0 %")


def test_the_command_refuses_an_unknown_policy(tmp_path):
    prices, tickers, membership = _files(tmp_path)

    with pytest.raises(CommandError, match="choose policies from"):
        call_command(
            "backtest",
            f"--prices-csv={prices}",
            f"--tickers-csv={tickers}",
            f"--membership-csv={membership}",
            "--policies=nightly,harvest",
        )
