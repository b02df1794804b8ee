"""OpenAPI helpers: paginated envelopes, shared parameters, and a post-processing hook that
adds the ``Idempotency-Key`` header to every POST and problem responses to every operation."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

_PAGES: dict[str, type[serializers.Serializer]] = {}

CURSOR_PARAMETERS = [
    OpenApiParameter(
        "cursor", OpenApiTypes.STR, description="Opaque cursor from a `next`/`previous` link."
    ),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description="Items per page (default 100, at most 1000)."
    ),
]


def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """A ``{next, previous, results: [item]}`` envelope for cursor pagination."""
    name = f"Paginated{item.__name__.removesuffix('Serializer')}List"
    if name not in _PAGES:
        _PAGES[name] = type(
            name,
            (serializers.Serializer,),
            {
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _PAGES[name]


def example(name: str, value, *, request: bool = False, status: int = 200) -> OpenApiExample:
    if request:
        return OpenApiExample(name, value=value, request_only=True)
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer", "nullable": True},
                    "field": {"type": "string", "nullable": True},
                    "message": {"type": "string"},
                },
                "required": ["row", "field", "message"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
    "example": {
        "type": "urn:rebalancer:problem:validation",
        "title": "Your request is not valid.",
        "status": 400,
        "detail": "Row 3 quantity: must be greater than 0",
        "instance": "/api/v1/transactions/bulk/",
        "errors": [{"row": 3, "field": "quantity", "message": "must be greater than 0"}],
    },
}

IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Any unique string (a UUID). A retry with the same key and body gets "
    "the first answer (same status and body, header `Idempotent-Replayed: true`); the same "
    "key with a different body is refused with 422. Kept for 24 hours.",
}

PROBLEM_STATUSES = {
    "400": "Invalid input; `errors` lists each row, field and message.",
    "401": "No valid API key or session.",
    "403": "The key lacks the scope, or the role may not do this.",
    "404": "Not found (including any object of another firm).",
    "409": "The object's state does not allow this (or a retry is still in progress).",
    "422": "The Idempotency-Key was used with a different request.",
    "429": "Rate limit exceeded; see the `Retry-After` header.",
}


def add_problems_and_idempotency(result, generator, request, public):
    """drf-spectacular post-processing hook."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, text in PROBLEM_STATUSES.items():
                if code in {"409", "422"} and method == "get":
                    continue
                responses.setdefault(
                    code,
                    {"description": text, "content": {"application/problem+json": {"schema": ref}}},
                )
            if method == "post":
                operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
    return result


def query_date(params, name: str):
    """A ``YYYY-MM-DD`` query parameter, or a 400 naming it."""
    try:
        return dt.date.fromisoformat(params[name])
    except ValueError as exc:
        raise ValidationError({name: ["must be a date YYYY-MM-DD"]}) from exc
