"""Query parameters checked against what the OpenAPI schema declares for the operation.

The schema is the contract: an integer parameter that is not an integer, an enum outside
its values, a date that is not ``YYYY-MM-DD`` is a 400 naming the parameter, instead of
being ignored or failing deeper down. The declarations are read once per process from the
generated schema, so a view's ``extend_schema(parameters=...)`` is the only place they
are written.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

_lock = threading.Lock()
_declared: dict[tuple[str, str], dict[str, dict]] | None = None
_INTEGER = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _load() -> dict[tuple[str, str], dict[str, dict]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    declared = {}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            declared[(path, method.upper())] = {
                p["name"]: p.get("schema", {})
                for p in operation.get("parameters", [])
                if p.get("in") == "query"
            }
    return declared


def declared_query_parameters(path: str, method: str) -> dict[str, dict] | None:
    """``{name: schema}`` for the operation at the schema ``path``; None if undocumented."""
    global _declared
    with _lock:
        if _declared is None:
            _declared = _load()
    return _declared.get((path, method.upper()))


def value_problem(value: str, schema: dict[str, Any]) -> str | None:
    """Why ``value`` breaks ``schema`` (a parameter's OpenAPI schema), or None."""
    kind = schema.get("type")
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            return f"must be an integer, not {value!r}"
        number = int(value)
        if "minimum" in schema and number < schema["minimum"]:
            return f"must be at least {schema['minimum']}"
        if "maximum" in schema and number > schema["maximum"]:
            return f"must be at most {schema['maximum']}"
    if kind == "boolean" and value not in ("true", "false"):
        return f"must be true or false, not {value!r}"
    if "enum" in schema and value not in schema["enum"]:
        return f"must be one of {', '.join(map(str, schema['enum']))}; not {value!r}"
    if kind == "string" and schema.get("format") == "date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            return f"must be a date YYYY-MM-DD, not {value!r}"
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        return f"must be at most {schema['maxLength']} characters"
    return None


def check_query_parameters(request: Request) -> None:
    """Raise a 400 ``ValidationError`` naming each declared parameter whose value breaks
    its schema. Parameters the schema does not declare are left alone."""
    match = request.resolver_match
    if match is None or not match.route or request.method is None:
        return
    path = "/" + _CONVERTER.sub(r"{\1}", match.route)
    declared = declared_query_parameters(path, request.method)
    if not declared:
        return
    errors: dict[str, list[str]] = {}
    for name, values in request.query_params.lists():
        if name not in declared:
            continue
        for value in values:
            problem = value_problem(value, declared[name])
            if problem:
                errors.setdefault(name, []).append(problem)
    if errors:
        raise ValidationError(errors)
