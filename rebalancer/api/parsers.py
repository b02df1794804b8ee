"""Request parsing that refuses text no database column can store.

JSON may carry NUL characters and unpaired surrogates; PostgreSQL cannot store either, so
a body holding one is refused as a bad request (a problem body naming the path), never a
server error halfway through a write. JSON nested deeper than ``MAX_JSON_DEPTH`` levels
(no request of this API needs more than a few) is refused the same way, before Python's
parser runs out of stack.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 64
TOO_DEEP = f"nested deeper than {MAX_JSON_DEPTH} levels"


def json_depth(data: Any) -> int:
    """How deeply objects and arrays nest in ``data`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _bad_text(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an unpaired surrogate (not valid Unicode)"
    return None


def find_unstorable_text(data: Any, path: str = "$") -> str | None:
    """The JSON path of the first string (key or value) that cannot be stored, and why."""
    if isinstance(data, str):
        problem = _bad_text(data)
        return f"{path} {problem}" if problem else None
    if isinstance(data, dict):
        for key, value in data.items():
            problem = _bad_text(str(key))
            if problem:
                return f"a key under {path} {problem}"
            found = find_unstorable_text(value, f"{path}.{key}")
            if found:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = find_unstorable_text(value, f"{path}[{index}]")
            if found:
                return found
    return None


class StrictJSONParser(JSONParser):
    """JSON, refusing NUL characters and unpaired surrogates anywhere in the body, and
    nesting deeper than ``MAX_JSON_DEPTH``."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - {TOO_DEEP}") from exc
        if json_depth(data) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON parse error - {TOO_DEEP}")
        problem = find_unstorable_text(data)
        if problem:
            raise ParseError(f"JSON parse error - {problem}")
        return data
