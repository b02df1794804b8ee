"""`python manage.py optimize`: exit codes, single case, JSON lines, stdin."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def case(account_id: str = "CMD-1") -> dict:
    return {
        "as_of": "2025-06-30",
        "account": {"id": account_id, "tax_status": "tax_exempt", "cash": "1000.00"},
        "securities": {
            "VTI": {"price": "100.00", "asset_class": "eq"},
            "BND": {"price": "50.00", "asset_class": "bond"},
        },
        "lots": [
            {
                "id": "L1",
                "symbol": "VTI",
                "quantity": "100",
                "cost_basis": "5000.00",
                "acquired": "2020-01-02",
            }
        ],
        "target": {"VTI": "0.5", "BND": "0.5"},
    }


def run(*args: str, stdin: str = "") -> tuple[str | int | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command("optimize", *args, stdout=out, stderr=err)
        code: str | int | None = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue(), err.getvalue()


def test_single_case_prints_one_result_and_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case()))

    code, out, _ = run(str(path))

    assert code == 0
    result = json.loads(out)
    assert result["account"] == "CMD-1" and result["status"] == "optimal"
    assert {t["symbol"] for t in result["trades"]} == {"VTI", "BND"}


def test_stdin_is_read_with_a_dash() -> None:
    code, out, _ = run("-", stdin=json.dumps(case()))

    assert code == 0
    assert json.loads(out)["status"] == "optimal"


def test_invalid_json_exits_two_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text("{not json")

    code, _, err = run(str(path))

    assert code == 2
    assert "not valid JSON" in err and "case.json" in err


def test_contract_breach_exits_two_naming_case_and_field(tmp_path: Path) -> None:
    data = case()
    data["lots"][0]["cost_basis"] = "lots"
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))

    code, out, err = run(str(path))

    assert code == 2
    assert "CMD-1" in err and "lots[0].cost_basis" in err
    assert json.loads(out)["status"] == "invalid"


def test_infeasible_account_is_an_answer_exit_zero(tmp_path: Path) -> None:
    data = case()
    data["preferences"] = {"cash": {"withdrawal": "1000000.00"}}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(data))

    code, out, _ = run(str(path))

    assert code == 0
    assert json.loads(out)["status"] == "infeasible"


def test_json_lines_answer_every_line_in_order_and_bad_lines_are_invalid(tmp_path: Path) -> None:
    breach = case("BAD")
    breach["lots"][0].pop("acquired")
    lines = [json.dumps(case("A")), "{oops", json.dumps(breach), "", json.dumps(case("B"))]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n")

    code, out, _ = run(str(path))

    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in results] == ["optimal", "invalid", "invalid", "optimal"]
    assert [r["account"] for r in results] == ["A", None, "BAD", "B"]
    assert "lots[0].acquired" in results[2]["message"]


def test_json_lines_on_stdin() -> None:
    code, out, _ = run("-", stdin=json.dumps(case("A")) + "\n" + json.dumps(case("B")) + "\n")

    assert code == 0
    assert [json.loads(line)["account"] for line in out.splitlines()] == ["A", "B"]


@pytest.mark.parametrize("name", ["01-contract-example.json", "06-infeasible-withdrawal.json"])
def test_real_process_exit_code_on_shared_cases(name: str) -> None:
    path = ROOT.parent / "shared" / "cases" / "optimize" / name
    if not path.exists():
        pytest.skip("shared cases absent")
    bare = json.loads(path.read_text())["input"]

    done = subprocess.run(
        [sys.executable, "manage.py", "optimize", "-"],
        cwd=ROOT,
        input=json.dumps(bare),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["account"] == bare["account"]["id"]
