"""``python manage.py lots``: exit status, stdout and stderr exactly as the contract says.

These run the real command in a subprocess (no database is touched).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lot_engine import run

from .events import buy, household, sell

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_EXAMPLE = {
    "method": "FIFO",
    "wash_sale": True,
    "accounts": {"TAX-1": {"tax_status": "taxable"}, "IRA-1": {"tax_status": "tax_deferred"}},
    "identical_groups": [["VOO", "IVV"]],
    "transactions": [
        buy("t1", "2024-01-02", "100", "1000.00"),
        sell("t2", "2024-06-01", "100", "750.00"),
        buy("t3", "2024-06-15", "100", "800.00"),
        sell("t4", "2024-09-03", "10", "95.00", lots=[("t3", "10")]),
    ],
}
CONTRACT_OUTPUT = {
    "lots": [
        {
            "id": "t3",
            "account": "TAX-1",
            "symbol": "X",
            "quantity": "90",
            "cost_basis": "945.00",
            "acquired": "2024-06-15",
            "holding_period_start": "2024-01-16",
            "wash_sale_adjustment": "225.00",
        },
    ],
    "realized": [
        {
            "sale": "t2",
            "lot": "t1",
            "account": "TAX-1",
            "symbol": "X",
            "quantity": "100",
            "acquired": "2024-01-02",
            "sold": "2024-06-01",
            "proceeds": "750.00",
            "cost_basis": "1000.00",
            "gain": "-250.00",
            "term": "short",
            "disallowed_loss": "250.00",
        },
        {
            "sale": "t4",
            "lot": "t3",
            "account": "TAX-1",
            "symbol": "X",
            "quantity": "10",
            "acquired": "2024-06-15",
            "sold": "2024-09-03",
            "proceeds": "95.00",
            "cost_basis": "105.00",
            "gain": "-10.00",
            "term": "short",
            "disallowed_loss": "0.00",
        },
    ],
    "totals": {"short_term_gain": "-10.00", "long_term_gain": "0.00", "disallowed_loss": "250.00"},
}


def _lots(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "manage.py", "lots", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_the_contract_example_gives_the_contract_output_exactly():
    assert run(CONTRACT_EXAMPLE) == CONTRACT_OUTPUT


def test_a_file_is_processed_to_json_on_stdout_with_exit_0(tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps(CONTRACT_EXAMPLE))

    done = _lots(str(path))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == CONTRACT_OUTPUT
    assert done.stderr == ""


def test_stdin_is_read_with_a_dash():
    done = _lots("-", stdin=json.dumps(CONTRACT_EXAMPLE))

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == CONTRACT_OUTPUT


def test_output_is_the_same_bytes_whatever_the_hash_seed():
    stdin = json.dumps(CONTRACT_EXAMPLE)

    first = _lots("-", stdin=stdin, env={"PYTHONHASHSEED": "1"})
    second = _lots("-", stdin=stdin, env={"PYTHONHASHSEED": "2"})

    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


@pytest.mark.parametrize(
    ("events", "names"),
    [
        (
            household(buy("b1", "2024-01-02", "10", "100.00"), sell("s1", "2024-02-01", "11", "1")),
            ["'s1'", "'quantity'"],
        ),
        (
            household(
                buy("b1", "2024-01-02", "10", "100.00"),
                sell("s1", "2024-02-01", "1", "1", lots=[("zz", "1")]),
            ),
            ["'s1'", "'lots[0].lot'"],
        ),
        (
            household(buy("b1", "2024-01-02", "10", "100.00"), method="WHATEVER"),
            ["'method'", "WHATEVER"],
        ),
        (household(buy("b1", "2024-13-02", "10", "100.00")), ["'b1'", "'date'"]),
        (household(buy("b1", "2024-01-02", "ten", "100.00")), ["'b1'", "'quantity'"]),
        (household(buy("b1", "2024-01-02", "10", "1e")), ["'b1'", "'amount'"]),
        (
            household(
                {
                    "date": "2024-01-02",
                    "account": "A",
                    "type": "buy",
                    "symbol": "X",
                    "quantity": "1",
                    "amount": "1",
                }
            ),
            ["transactions[0]", "'id'"],
        ),
    ],
)
def test_contract_breaches_exit_2_naming_transaction_and_field_with_nothing_on_stdout(
    events, names
):
    done = _lots("-", stdin=json.dumps(events))

    assert done.returncode == 2
    assert done.stdout == ""
    for name in names:
        assert name in done.stderr


@pytest.mark.parametrize("text", ["{bad json", "", '{"transactions": [NaN]}', "[1, 2"])
def test_invalid_json_exits_2(text):
    done = _lots("-", stdin=text)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "not valid JSON" in done.stderr


def test_a_missing_file_exits_2(tmp_path):
    done = _lots(str(tmp_path / "absent.json"))

    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_decimal_numbers_in_json_keep_every_digit(tmp_path):
    text = (
        '{"transactions": [{"id": "b1", "date": "2024-01-02", "account": "A", "type": "buy",'
        ' "symbol": "X", "quantity": 0.1, "amount": 1000.005}]}'
    )

    done = _lots("-", stdin=text)

    assert done.returncode == 0, done.stderr
    (lot,) = json.loads(done.stdout)["lots"]
    assert (lot["quantity"], lot["cost_basis"]) == ("0.1", "1000.01")


def test_the_benchmark_command_prints_its_figure():
    done = subprocess.run(
        [sys.executable, "manage.py", "bench_lots", "--transactions", "300", "--repeat", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr
    assert "300 transactions" in done.stdout
    assert " s (parse " in done.stdout


CASES_DIR = ROOT.parent / "shared" / "cases" / "lots"
REFUSED_CASES = (
    [p for p in sorted(CASES_DIR.glob("*.json")) if '"exit_status": 2' in p.read_text()]
    if CASES_DIR.is_dir()
    else []
)


@pytest.mark.skipif(not REFUSED_CASES, reason="no refused case in ../shared/cases/lots")
@pytest.mark.parametrize("path", REFUSED_CASES, ids=[p.stem for p in REFUSED_CASES])
def test_shared_cases_that_must_be_refused_exit_2_through_the_command(path):
    case = json.loads(path.read_text())

    done = _lots("-", stdin=json.dumps(case["input"]))

    assert done.returncode == 2
    assert done.stdout == ""
    assert "transaction" in done.stderr and "field" in done.stderr
