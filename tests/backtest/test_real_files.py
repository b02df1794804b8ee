"""Files a user brings to the real-price back-test: what is read, what is refused with a
message naming the place, and what a delisting does to the index and to the accounts."""

from __future__ import annotations

import json
from concurrent.futures import Future
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from backtest import run_scenario, runner
from backtest.accounts import AccountSpec
from backtest.policies import BuyAndHold
from backtest.prices import PriceHistory, PricesCsvError, read_closes_csv
from backtest.real import MemberModel, load_universe
from tests.backtest.scenarios import real_scenario, run_one

START = date(2021, 3, 1)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def _prices(tmp_path: Path, columns: dict[str, list[str]], *, name: str = "p.csv") -> Path:
    """A prices file of consecutive days from START, `columns` in the order given."""
    rows = [",".join(columns)]
    for k in range(len(next(iter(columns.values())))):
        rows.append(",".join(values[k] for values in columns.values()))
    return _write(tmp_path / name, "\n".join(rows) + "\n")


def _days(n: int) -> list[str]:
    return [(START + timedelta(days=k)).isoformat() for k in range(n)]


def _universe(tmp_path: Path, prices: Path, *, tickers: str | None = None, members: str = ""):
    tickers_csv = _write(tmp_path / "t.csv", tickers or "ticker,gics_sector\nA,Energy\nB,Energy\n")
    membership = _write(
        tmp_path / "m.csv", "ticker,start_date,end_date\nA,2000-01-01,\nB,2000-01-01,\n" + members
    )
    return load_universe(prices_csv=prices, tickers_csv=tickers_csv, membership_csv=membership)


def test_blanks_between_closes_take_the_close_before_and_blanks_after_the_last_stay_empty(
    tmp_path,
):
    # given: B has a two-day gap and stops after day 4; C lists on day 2; columns in any
    # order, the date not first, and a trailing comma (an empty, unnamed column) per line
    path = tmp_path / "p.csv"
    path.write_text(
        "B,date,C,A,\n"
        f"20,{_days(7)[0]},,10,\n"
        f"21,{_days(7)[1]},,10,\n"
        f",{_days(7)[2]},5,10,\n"
        f",{_days(7)[3]},5,10,\n"
        f"24,{_days(7)[4]},5,10,\n"
        f",{_days(7)[5]},5,10,\n"
        f",{_days(7)[6]},5,10,\n"
    )
    # when
    closes = read_closes_csv(path)
    # then
    assert list(closes.columns) == ["B", "C", "A"]
    assert closes["B"].tolist()[:5] == [20, 21, 21, 21, 24]
    assert np.isnan(closes["B"].tolist()[5:]).all()
    assert np.isnan(closes["C"].tolist()[:2]).all()


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        ("date,A,A", "2021-03-01,10,10", "ticker 'A' has two columns"),
        ("date,A,", "2021-03-01,10,12", "column 3 has closes but no ticker name"),
        ("date,A", "2021-03-01,n.a.", "A on 2021-03-01: 'n.a.' is not a number"),
        ("date,A", "2021-03-01,0", "A on 2021-03-01: '0' is not above zero"),
        ("date,A", "2021-03-01,-2.5", "A on 2021-03-01: '-2.5' is not above zero"),
        ("date,A", "2021-03-01,10\n2021-03-01,11", "date 2021-03-01 appears twice"),
        ("date,A", "2021-03-01,10\n,11", r"p.csv row 3: the date is blank"),
        ("date,A", "2021-03-01,10\n03/32/2021,11", "row 3: the date is '03/32/2021', not a date"),
        ("day,A", "2021-03-01,10", "no 'date' column"),
    ],
)
def test_a_prices_file_that_cannot_be_read_right_is_refused_naming_the_place(
    tmp_path, header, row, message
):
    path = _write(tmp_path / "p.csv", f"{header}\n{row}\n")

    with pytest.raises(PricesCsvError, match=message):
        read_closes_csv(path)


def test_a_member_whose_closes_end_leaves_the_index_after_its_last_close(tmp_path):
    # given: B's closes end on day 3 while it is still a member; Z is a member with an
    # empty column and Y a member with no column at all
    prices = _prices(
        tmp_path,
        {
            "date": _days(6),
            "A": ["10"] * 6,
            "B": ["10", "10", "10", "12", "", ""],
            "Z": [""] * 6,
        },
    )
    # when
    universe = _universe(tmp_path, prices, members="Z,2000-01-01,\nY,2000-01-01,\n")
    model = MemberModel(universe=universe, stocks=10, seed=0)
    # then
    assert model.benchmark(3).tolist() == [0.5, 0.5, 0.0]
    assert model.benchmark(4).tolist() == [1.0, 0.0, 0.0]
    assert universe.notes == (
        "2 tickers are members in the membership file but have no close in the prices from "
        "2021-03-01 to 2021-03-06, so the index leaves them out: Y, Z",
        "1 members' closes end while they are members (delisted: the index drops them after "
        "their last close, and every account sells what it holds at that close on the next "
        "trading day): B (2021-03-04)",
    )


def test_a_sector_blank_or_missing_is_unknown_and_named_in_the_notes(tmp_path):
    # given: a tickers file with a byte-order mark, only the two columns, A's sector blank,
    # B absent, and a sector name the 2017 list does not have
    prices = _prices(tmp_path, {"date": _days(3), "A": ["10"] * 3, "B": ["10"] * 3, "C": ["5"] * 3})
    tickers = "\ufeffticker,gics_sector\nA,\nC,Communication Services\n"
    # when
    universe = _universe(tmp_path, prices, tickers=tickers, members="C,2000-01-01,\n")
    # then
    assert universe.history.sectors == ("Unknown", "Unknown", "Communication Services")
    assert universe.notes == (
        "2 members have no sector in the tickers file (sector 'Unknown'): A, B",
    )


@pytest.mark.parametrize(
    ("tickers", "members", "message"),
    [
        ("ticker,gics_sector\nA,Energy\nA,Utilities\n", "", r"t.csv row 3: A has sector"),
        ("ticker,gics_sector\n,Energy\n", "", r"t.csv row 2: the ticker is blank"),
        (None, "B\n", r"m.csv row 4 start_date: blank"),
        (None, "B,2020-01-01,2019-12-31\n", r"m.csv row 4: end_date 2019-12-31 is before"),
        (None, "B,2020-13-01,\n", r"m.csv row 4 start_date: '2020-13-01' is not a date"),
    ],
)
def test_tickers_and_membership_rows_that_cannot_be_used_are_refused_naming_the_row(
    tmp_path, tickers, members, message
):
    prices = _prices(tmp_path, {"date": _days(3), "A": ["10"] * 3, "B": ["10"] * 3})

    with pytest.raises(PricesCsvError, match=message):
        _universe(tmp_path, prices, tickers=tickers, members=members)


def test_a_period_outside_the_prices_is_refused_with_the_files_dates(tmp_path):
    prices = _prices(tmp_path, {"date": _days(3), "A": ["10"] * 3, "B": ["10"] * 3})

    with pytest.raises(PricesCsvError, match=r"its dates run 2021-03-01 to 2021-03-03"):
        load_universe(
            prices_csv=prices,
            tickers_csv=_write(tmp_path / "t.csv", "ticker,gics_sector\nA,Energy\n"),
            membership_csv=_write(
                tmp_path / "m.csv", "ticker,start_date,end_date\nA,2000-01-01,\n"
            ),
            start=date(2022, 1, 1),
        )


def _delisting_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A at 10 and B at 10 for 4 days, B at 12 on day 4 (its last close), then A alone at
    10 for 5 more days; both members throughout."""
    prices = _prices(
        tmp_path,
        {
            "date": _days(10),
            "A": ["10"] * 10,
            "B": ["10", "10", "10", "10", "12", "", "", "", "", ""],
        },
    )
    tickers = _write(tmp_path / "t.csv", "ticker,gics_sector\nA,Energy\nB,Energy\n")
    membership = _write(
        tmp_path / "m.csv", "ticker,start_date,end_date\nA,2000-01-01,\nB,2000-01-01,\n"
    )
    return prices, tickers, membership


def test_a_held_stock_whose_closes_end_is_sold_at_its_last_close_and_the_cash_invested(
    tmp_path,
):
    # given: every account buys about 49,500 shares of B at $10 on day 0
    prices, tickers, membership = _delisting_files(tmp_path)
    scenario = real_scenario(
        prices=prices, tickers=tickers, membership=membership, loss_use="realistic"
    )
    # when
    outcome = run_scenario(scenario=scenario, workers=1)
    # then: each policy sold what it held of B on day 5 at day 4's $12, without cost,
    # and its value stays whole; buy-and-hold put the proceeds into A (the model's only
    # stock left) the same day
    delisted = START + timedelta(days=5)
    for name, runs in outcome.runs.items():
        run = runs[0]
        rows = [row for row in run.realized if row.symbol == "B" and row.sold == delisted]
        shares = sum(row.quantity for row in rows)
        assert shares > 40_000, name
        assert all(row.sold <= delisted for row in run.realized if row.symbol == "B")
        assert sum(row.proceeds for row in rows) == pytest.approx(12 * shares, abs=0.01)
        assert run.sold_usd[5] == pytest.approx(12 * shares, abs=0.01)
        assert np.isfinite(run.value_usd).all()
        assert run.value_usd[5] == pytest.approx(run.value_usd[4], rel=1e-3), name
        assert run.engine is not None and run.engine["ledger_agrees"], name
    held = outcome.runs["buy_and_hold"][0]
    gain = sum(row.gain for row in held.realized)
    assert gain == pytest.approx(2 * held.sold_usd[5] / 12, abs=0.01)
    assert held.bought_usd[5] == pytest.approx(held.sold_usd[5], rel=0.01)
    assert held.value_usd[-2] == pytest.approx(held.value_usd[5], abs=0.01)


def _command(tmp_path: Path, *options: str) -> dict:
    prices, tickers, membership = _delisting_files(tmp_path)
    call_command(
        "backtest",
        f"--prices-csv={prices}",
        f"--tickers-csv={tickers}",
        f"--membership-csv={membership}",
        "--stocks=10",
        "--step=daily",
        "--workers=1",
        "--policies=nightly_optimizer",
        f"--out={tmp_path / 'out'}",
        *options,
    )
    return json.loads((tmp_path / "out" / "report.json").read_text())


def test_the_command_prints_the_data_notes_and_keeps_them_in_the_report(tmp_path, capsys):
    report = _command(tmp_path, "--accounts=1")

    out = capsys.readouterr().out
    assert "note: 1 members' closes end while they are members" in out
    assert report["scenario"]["data_notes"][0].endswith("B (2021-03-05)")


def test_one_account_has_no_dispersion_rather_than_a_dispersion_of_zero(tmp_path):
    report = _command(tmp_path, "--accounts=1")

    for by_policy in report["by_loss_use"].values():
        for figures in by_policy.values():
            assert figures["dispersion_pct"] == {"pretax_active": None, "aftertax_active": None}


def test_prices_alone_are_reported_as_their_whole_universe_whatever_the_stocks_asked(
    tmp_path, capsys
):
    # given: prices without tickers or membership (a cap-weighted model of every column)
    prices, _, _ = _delisting_files(tmp_path)
    # when
    call_command(
        "backtest",
        f"--prices-csv={prices}",
        "--accounts=1",
        "--stocks=30",
        "--step=monthly",
        "--workers=1",
        "--policies=action_forward",
        f"--out={tmp_path / 'out'}",
    )
    # then
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("scenario custom: 1 accounts, ")
    assert ", 2 stocks, optimizer monthly" in first


def test_the_command_refuses_an_end_before_the_start(tmp_path):
    with pytest.raises(CommandError, match="--end 2021-03-01 is before --start 2021-03-05"):
        _command(tmp_path, "--start=2021-03-05", "--end=2021-03-01")


def test_a_delisting_is_no_breach_of_a_do_not_sell_restriction(tmp_path):
    # given: a synthetic-style market where GONE's prices end after day 4, held under a
    # do-not-sell restriction by an account that never trades otherwise
    days = tuple(START + timedelta(days=k) for k in range(8))
    prices = np.array([[50.0, 40.0]] * 8)
    prices[5:, 1] = np.nan
    history = PriceHistory(
        days=days, symbols=("STAY", "GONE"), sectors=("Energy", "Energy"), prices=prices
    )
    spec = AccountSpec(id="ACC-R", entry=0, initial_usd=100_000.0, do_not_sell=("GONE",))
    # when
    run = run_one(history=history, policy=BuyAndHold(), spec=spec)
    # then: sold at its last $40 on day 5, no breach, the proceeds in STAY that day
    gone = [row for row in run.realized if row.symbol == "GONE"]
    assert gone and {row.sold for row in gone} == {days[5]}
    assert sum(row.proceeds for row in gone) == pytest.approx(run.sold_usd[5], abs=0.01)
    assert run.sold_usd[5] == pytest.approx(40 * sum(row.quantity for row in gone), abs=0.01)
    assert run.breaches == 0
    assert run.bought_usd[5] > 0.9 * run.sold_usd[5]
    assert np.isfinite(run.value_usd).all()


class _InlinePool:
    """A stand-in for the worker pool: runs each pair when submitted, and records how
    it is shut down."""

    shutdowns: list[dict] = []

    def __init__(self, *, max_workers, initializer, initargs):
        initializer(*initargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def submit(self, function, *args):
        future: Future = Future()
        future.set_result(function(*args))
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.shutdowns.append({"wait": wait, "cancel_futures": cancel_futures})


def test_a_failure_while_pairs_run_cancels_the_pairs_still_queued(tmp_path, monkeypatch):
    # given: two workers, and a progress callback that fails on the first finished pair
    prices, tickers, membership = _delisting_files(tmp_path)
    scenario = real_scenario(prices=prices, tickers=tickers, membership=membership)
    monkeypatch.setattr(runner, "ProcessPoolExecutor", _InlinePool)
    _InlinePool.shutdowns = []

    def fail(step):
        raise KeyboardInterrupt

    # when / then: the failure comes out, and the pool was told to drop the queued pairs
    with pytest.raises(KeyboardInterrupt):
        run_scenario(scenario=scenario, workers=2, progress=fail)
    assert _InlinePool.shutdowns[0] == {"wait": False, "cancel_futures": True}
