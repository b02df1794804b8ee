"""The back-test is a pure library: no Django, no app code beyond the optimizer and the
lot engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "celery", "rest_framework", "accounts", "models_library", "rebalancer")
ALLOWED = ("backtest", "lot_engine")


def test_running_a_back_test_loads_no_framework_or_app_module():
    script = (
        "import sys\n"
        "from backtest import Scenario, build_report, run_scenario\n"
        "scenario = Scenario(name='p', n_accounts=1, years=0.2, n_stocks=5, step='weekly')\n"
        "build_report(outcome=run_scenario(scenario=scenario, workers=1))\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "bad += sorted(m for m in sys.modules if m.startswith('trading.')"
        f" and not m.startswith({ALLOWED!r}))\n"
        "print(bad)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
