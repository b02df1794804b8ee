"""``.ci/tally.py``: the CI run's closing line is the suites' totals in pytest's own format."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TALLY = Path(__file__).resolve().parents[1] / ".ci" / "tally.py"


def _tally(tmp_path: Path, *logs: str) -> subprocess.CompletedProcess:
    paths = []
    for i, text in enumerate(logs):
        path = tmp_path / f"suite{i}.log"
        path.write_text(text)
        paths.append(str(path))
    return subprocess.run(
        [sys.executable, str(TALLY), *paths], capture_output=True, text=True, check=False
    )


def test_the_closing_line_is_the_suites_totals_in_pytests_format(tmp_path):
    sqlite = "....s.\n1264 passed, 11 skipped, 2 warnings in 354.20s (0:05:54)\n"
    postgres = (
        "....\n"
        "= 3 passed in 1.00s =\n"  # an earlier summary in the same log is not the closing one
        "1275 passed in 258.11s (0:04:18)\n"
        "after the summary: nothing counted\n"
    )
    result = _tally(tmp_path, sqlite, postgres)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "=========== 2539 passed, 11 skipped, 2 warnings in 612.31s (0:10:12) ==========="
    ]


def test_failures_and_errors_are_counted_and_fail_the_tally(tmp_path):
    result = _tally(
        tmp_path,
        "2 failed, 10 passed, 1 error in 12.50s\n",
        "= 1 failed, 5 passed in 3.00s =\n",
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "==================== 3 failed, 15 passed, 1 error in 15.50s ===================="
    ]


def test_a_log_without_a_pytest_summary_fails_the_tally(tmp_path):
    result = _tally(tmp_path, "1 passed in 1.00s\n", "the suite crashed before its summary\n")
    assert result.returncode == 1
    assert result.stdout == ""
    assert "no pytest summary in" in result.stderr
