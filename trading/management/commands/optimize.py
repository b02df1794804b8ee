"""``python manage.py optimize CASE.json | CASES.jsonl | -``: one account in, trades out.

Exactly as ``shared/contracts/optimize.md`` specifies. One case: its result as JSON on
stdout, exit 0 (an infeasible account is an answer), or exit 2 with a message on stderr
naming the case and field when the input is not valid JSON or breaks the contract. A
``.jsonl`` file (or stdin holding several lines of JSON): one result per line, in order;
a bad line is answered ``"status": "invalid"`` and the others still run. A thin wrapper
over ``optimizer.optimize_account``.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from optimizer import optimize_account, result_to_dict

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Optimize one account (JSON) or many (JSON lines) per the optimize contract."
    requires_system_checks: list[str] = []  # pure computation: no database, URLs or apps

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cases", help="CASE.json, CASES.jsonl, or - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["cases"]
        try:
            text = sys.stdin.read() if path == "-" else _read(path)
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"cannot read {path}: {exc}")
        if path.endswith(".jsonl") or (path == "-" and _is_json_lines(text)):
            self._run_lines(text)
            return
        try:
            data = _loads(text)
        except ValueError as exc:
            self._fail(f"case {path}: not valid JSON: {exc}")
        result = optimize_account(_unwrap(data))
        self.stdout.write(json.dumps(result_to_dict(result), indent=2))
        if result.status == "invalid":
            self._fail(result.message)

    def _run_lines(self, text: str) -> None:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = _loads(line)
            except ValueError as exc:
                answer: dict[str, Any] = {
                    "account": None,
                    "status": "invalid",
                    "message": f"line {number}: not valid JSON: {exc}",
                    "trades": [],
                }
            else:
                answer = result_to_dict(optimize_account(_unwrap(data)))
            self.stdout.write(json.dumps(answer))

    def _fail(self, message: str) -> None:
        self.stderr.write(f"optimize: {message}")
        sys.exit(EXIT_INVALID)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _loads(text: str) -> Any:
    """JSON with decimals kept exact; NaN and Infinity refused."""
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _is_json_lines(text: str) -> bool:
    """Stdin holding more than one JSON document, one per line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        _loads(text)
    except ValueError:
        return True
    return False


def _unwrap(data: Any) -> Any:
    """Accept a worked example ({"id", "input", "expect"}) as well as a bare case."""
    if isinstance(data, dict) and "account" not in data and isinstance(data.get("input"), dict):
        return data["input"]
    return data
