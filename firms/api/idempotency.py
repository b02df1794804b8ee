"""``Idempotency-Key`` on POSTs: a retry gets the first answer, never a second effect.

The first request with a key claims it (a committed row, so a concurrent retry sees it and
gets 409); its answer (any status below 500) is stored and replayed, with the same status
and body, to a retry with the same key and the same request. The same key with a different
request is refused (422). Keys belong to the caller (an API key or a person) within the
firm and are kept for ``TTL`` (a caller's expired keys are dropped at its next keyed POST);
a 5xx answer releases the key so the client may retry. An answer that carries a secret
(``SecretResponse``) is stored without it, and a retry is told the secret was shown once.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from firms.models import IdempotencyRecord
from rebalancer.api.problems import Conflict, UnprocessableKey
from rebalancer.api.secrets import secret_fields_of, without_secrets

HEADER = "Idempotency-Key"
TTL = dt.timedelta(hours=24)
MAX_KEY_LENGTH = 255


def _request_digest(request) -> str:
    """The method, path and query, and the parsed body (so key order and whitespace in a
    JSON body do not make a retry look different)."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    data = request.data
    body = data if isinstance(data, str) else json.dumps(data, sort_keys=True, cls=JSONEncoder)
    digest.update(body.encode())
    return digest.hexdigest()


def _clean_key(raw: str) -> str:
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise exceptions.ValidationError(
            {HEADER: [f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"]}
        )
    return key


def _claim(*, principal, key: str, digest: str) -> tuple[IdempotencyRecord, bool]:
    lookup = {"firm": principal.firm, "principal": principal.label, "key": key}
    IdempotencyRecord.objects.filter(
        firm=principal.firm, principal=principal.label, created_at__lt=timezone.now() - TTL
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(**lookup, request_sha256=digest), True
    except IntegrityError:
        return IdempotencyRecord.objects.get(**lookup), False


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response: HttpResponse
    if "json" in record.content_type:
        response = Response(
            json.loads(record.body) if record.body else None,
            status=record.status_code,
            content_type=record.content_type,
        )
    else:
        response = HttpResponse(
            record.body, status=record.status_code, content_type=record.content_type
        )
    response["Idempotent-Replayed"] = "true"
    return response


def _store(record: IdempotencyRecord, response) -> None:
    secrets = secret_fields_of(response)
    if secrets:
        body = json.dumps(without_secrets(response.data, secrets), cls=JSONEncoder)
        content_type = "application/json"
    elif isinstance(response, Response) and isinstance(response.data, str):
        body, content_type = response.data, response.content_type or "text/plain"
    elif isinstance(response, Response):
        body = "" if response.data is None else json.dumps(response.data, cls=JSONEncoder)
        content_type = response.content_type or "application/json"
    else:
        body, content_type = response.content.decode(), response["Content-Type"]
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code, content_type=content_type, body=body
    )


def idempotent(handler):
    """Decorate an API view's ``post``; ``request.principal`` must be set (it is, by the
    permission check)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return handler(view, request, *args, **kwargs)
        key = _clean_key(raw)
        digest = _request_digest(request)
        record, created = _claim(principal=request.principal, key=key, digest=digest)
        if not created:
            if record.request_sha256 != digest:
                raise UnprocessableKey()
            if record.status_code is None:
                raise Conflict("A request with this Idempotency-Key is still in progress.")
            return _replay(record)
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - stored like any answer, below
            response = view.handle_exception(exc)
        if response.status_code >= 500:
            record.delete()
        else:
            _store(record, response)
        return response

    return wrapper
