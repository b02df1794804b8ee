"""The tax calendar's rules and the money helpers are stated once, in tax_calendar/ and
money/: no other module of the application computes an anniversary or a 30-day window,
defines its own cent or zero, or reads and writes decimals with a helper of its own."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOMES = {"tax_calendar", "money"}
SKIPPED = HOMES | {"tests", "migrations", "node_modules", "static", "templates"}
RESTATED = {
    "a one-year anniversary": re.compile(r"\.replace\(\s*year\s*=|relativedelta\(\s*years\s*="),
    "a 30-day window": re.compile(r"timedelta\(\s*days\s*=\s*3[01]\s*\)"),
    "a wash-sale constant": re.compile(r"^\s*WASH\w*\s*=", re.MULTILINE),
    "a cent or a zero of its own": re.compile(
        r"^(CENT|CENTS|PENNY|ZERO|ZERO_CENTS)\s*=|Decimal\(\s*[\"']0\.01[\"']\s*\)", re.MULTILINE
    ),
    "a decimal reader of its own": re.compile(r"^def _d\(", re.MULTILINE),
    "plain digits of its own": re.compile(r"\.normalize\(\),\s*[\"']f[\"']\)"),
}


def application_modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not any(part in SKIPPED or part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def test_the_scan_covers_the_apps_and_the_pure_packages():
    names = {path.relative_to(ROOT).parts[0] for path in application_modules()}

    assert {"lot_engine", "optimizer", "backtest", "trading", "accounts", "demo"} <= names
    assert not names & HOMES


def test_no_module_outside_the_homes_restates_a_tax_calendar_rule_or_a_money_helper():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in application_modules()
        for what, pattern in RESTATED.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]

    assert found == []
