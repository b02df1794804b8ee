"""The lot engine is a pure library: the standard library only, no Django, no app code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "celery", "rest_framework", "accounts", "models_library", "rebalancer")


def test_importing_and_running_the_engine_loads_no_framework_or_app_module():
    script = (
        "import sys\n"
        "from lot_engine import run\n"
        "run({'transactions': [{'id': 'b', 'date': '2024-01-02', 'account': 'A',"
        " 'type': 'buy', 'symbol': 'X', 'quantity': '1', 'amount': '1'}]})\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        "bad += sorted(m for m in sys.modules if m.startswith('trading.')"
        " and not m.startswith('lot_engine'))\n"
        "print(bad)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
