"""``python manage.py lots EVENTS.json`` (or ``-`` for stdin): the tax-lot engine.

Exactly as ``shared/contracts/lots.md`` specifies: the result as JSON on stdout and exit
status 0, or exit status 2 with a message on stderr naming the transaction and field
when the input is not valid JSON or breaks the contract (nothing is applied then).
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lot_engine import LotEngineInputError, dumps, parse_events, process

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Turn a household's transactions (JSON) into open lots and realized gains."
    requires_system_checks: list[str] = []  # a pure computation: no models, no URLs

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("events", help="path of the events JSON file, or - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["events"]
        try:
            text = sys.stdin.read() if path == "-" else _read(path)
            data = json.loads(text, parse_float=Decimal, parse_constant=_refuse_constant)
            result = process(parse_events(data))
        except (OSError, UnicodeDecodeError) as exc:
            self._fail(f"cannot read {path}: {exc}")
        except _NonFiniteNumberError as exc:
            self._fail(f"not valid JSON: {exc} is not a number")
        except json.JSONDecodeError as exc:
            self._fail(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        except LotEngineInputError as exc:
            self._fail(str(exc))
        self.stdout.write(dumps(result), ending="")

    def _fail(self, message: str) -> None:
        self.stderr.write(f"lots: {message}")
        sys.exit(EXIT_INVALID)


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


class _NonFiniteNumberError(ValueError):
    """JSON text used NaN or Infinity, which the contract does not allow."""


def _refuse_constant(name: str) -> None:
    raise _NonFiniteNumberError(name)
