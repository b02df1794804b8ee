"""tax_calendar/ and money/ are pure: importing them loads no framework, no app code and,
but for the array form of the holding-period rule, nothing outside the standard library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = (
    "django",
    "celery",
    "rest_framework",
    "accounts",
    "models_library",
    "rebalancer",
    "trading",
    "optimizer",
    "lot_engine",
    "backtest",
    "demo",
)
STANDARD_LIBRARY_ONLY = (
    "money",
    "tax_calendar.holding",
    "tax_calendar.wash_sale",
    "tax_calendar.tax_year",
)


def _loaded_by_import(module: str) -> list[str]:
    """The modules that importing ``module`` loads, in a fresh interpreter."""
    script = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"import {module}\n"
        "print('\\n'.join(sorted(set(sys.modules) - before)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize("module", [*STANDARD_LIBRARY_ONLY, "tax_calendar.holding_arrays"])
def test_importing_loads_no_framework_or_app_module(module):
    loaded = _loaded_by_import(module)

    assert [m for m in loaded if m.split(".")[0] in FORBIDDEN] == []


@pytest.mark.parametrize("module", STANDARD_LIBRARY_ONLY)
def test_the_date_and_money_rules_need_only_the_standard_library(module):
    loaded = {m.split(".")[0] for m in _loaded_by_import(module)}

    assert loaded - set(sys.stdlib_module_names) - {"money", "tax_calendar"} == set()
