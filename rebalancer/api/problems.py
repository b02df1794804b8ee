"""Problem details (RFC 9457) for every API error, as ``application/problem+json``.

Body: ``type``, ``title``, ``status``, ``detail``, ``instance`` (the request path), and for
validation errors ``errors``: ``[{"row": 3, "field": "quantity", "message": "..."}]``, rows
numbered from 1 (null when the error is not about one row). A validation problem's
``detail`` says the same in plain words, as the web UI does (``Row 3 quantity: ...``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "urn:rebalancer:problem:"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the object's current state."
    default_code = "conflict"


class Unavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is busy; retry shortly."
    default_code = "unavailable"


class UnprocessableKey(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with a different request."
    default_code = "idempotency_key_reused"


TITLES = {
    400: ("validation", "Your request is not valid."),
    401: ("unauthenticated", "Authentication is required."),
    403: ("forbidden", "You may not do this."),
    404: ("not-found", "Not found."),
    405: ("method-not-allowed", "Method not allowed."),
    406: ("not-acceptable", "Not acceptable."),
    409: ("conflict", "Conflict with the current state."),
    415: ("unsupported-media-type", "Unsupported media type."),
    422: ("idempotency-key-reused", "Idempotency-Key reused with a different request."),
    429: ("rate-limited", "Too many requests."),
    500: ("server-error", "Server error."),
    503: ("unavailable", "Service unavailable."),
}


def flatten_errors(detail: Any, path: tuple = ()) -> list[dict]:
    """DRF's nested error detail as a flat list of {row, field, message}.

    An index directly under the top-level ``rows`` field is the row number (from 1).
    """
    if isinstance(detail, dict):
        return [e for key, value in detail.items() for e in flatten_errors(value, (*path, key))]
    if isinstance(detail, list) and detail and all(isinstance(d, dict | list) for d in detail):
        return [e for i, value in enumerate(detail) for e in flatten_errors(value, (*path, i))]
    messages = detail if isinstance(detail, list) else [detail]
    row = None
    parts = list(path)
    if len(parts) >= 2 and parts[0] == "rows" and isinstance(parts[1], int):
        row = parts[1] + 1
        parts = parts[2:]
    field = ".".join(str(p) for p in parts if p != "non_field_errors") or None
    return [{"row": row, "field": field, "message": str(m)} for m in messages]


def error_in_words(row: int | None, field: str | None, message: str) -> str:
    """One error as the web UI words it: ``Row 2 quantity: is not a number: 'NaN'``."""
    where = " ".join(p for p in (f"Row {row}" if row else "", field or "") if p)
    return f"{where}: {message}" if where else message


def errors_in_words(errors: list[dict], *, at_most: int = 5) -> str:
    """A validation problem's ``detail``: its errors in plain words, the first few."""
    words = [error_in_words(e["row"], e["field"], e["message"]) for e in errors[:at_most]]
    if len(errors) > at_most:
        words.append(f"and {len(errors) - at_most} more (see 'errors')")
    return "; ".join(words) or "Your request is not valid."


def problem_response(
    status_code: int,
    detail: str,
    *,
    instance: str = "",
    errors: list[dict] | None = None,
    headers: dict | None = None,
) -> Response:
    slug, title = TITLES.get(status_code, ("error", "Error."))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def _domain_to_api(exc: Exception) -> tuple[Exception, list[dict] | None]:
    if isinstance(exc, ValidationFailed):
        errors = [{"row": r, "field": f, "message": m} for r, f, m in exc.errors]
        return exceptions.ValidationError(str(exc)), errors
    if isinstance(exc, InvalidTransition):
        return Conflict(exc.message), None
    if isinstance(exc, DomainError):
        if exc.message == "Not found.":
            return exceptions.NotFound(), None
        return exceptions.ValidationError(exc.message), [
            {"row": exc.row, "field": exc.field, "message": exc.message}
        ]
    if isinstance(exc, Http404):
        return exceptions.NotFound(), None
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None), None
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ValidationError(str(exc)), None
    if isinstance(exc, OperationalError) and "locked" in str(exc):
        return Unavailable(), None
    return exc, None


def problem_exception_handler(exc: Exception, context: dict) -> Response:
    request = context.get("request")
    instance = request.path if request is not None else ""
    exc, errors = _domain_to_api(exc)
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return problem_response(500, "An unexpected error occurred.", instance=instance)
    if isinstance(exc, exceptions.ValidationError):
        if errors is None:
            errors = flatten_errors(exc.detail)
        detail = errors_in_words(errors)
    elif isinstance(exc, exceptions.APIException):
        detail = str(exc.detail) if not isinstance(exc.detail, list | dict) else str(exc)
    else:  # DRF answers its own exceptions only: not reached
        detail = str(exc)
    # Throttled sets ``wait`` in its constructor; the stubs do not declare it
    wait: float | None = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        detail = f"Rate limit exceeded; retry in {int(wait) + 1} s."
    headers = {
        k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(exc, Unavailable):
        headers["Retry-After"] = "1"
    return problem_response(
        response.status_code, detail, instance=instance, errors=errors, headers=headers
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler: a problem for an /api/ URL, the site's error page otherwise."""
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    body = {
        "type": TYPE_BASE + "server-error",
        "title": TITLES[500][1],
        "status": 500,
        "detail": "An unexpected error occurred.",
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body), status=500, content_type=PROBLEM_CONTENT_TYPE)
