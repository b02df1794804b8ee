"""`optimizer` is a pure library: importing it loads no Django, Celery or app code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("django", "celery", "accounts", "models_library", "trading", "rebalancer")


def test_importing_the_optimizer_loads_no_django_celery_or_app_code() -> None:
    # given a fresh interpreter
    script = (
        "import sys, optimizer, optimizer.api, optimizer.cvx_model, optimizer.synthetic\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )

    # when
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )

    # then
    loaded = done.stdout.split()
    leaks = [m for m in loaded if m.split(".")[0] in FORBIDDEN]
    assert leaks == []


def test_public_names_are_re_exported() -> None:
    import optimizer

    assert set(optimizer.__all__) >= {
        "optimize_account",
        "parse_case",
        "result_to_dict",
        "OptimizerInputError",
        "OptimizeResult",
    }
