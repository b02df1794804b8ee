"""A replayed answer never carries a secret: the key issued under an ``Idempotency-Key`` is
shown once, and neither the stored replay record nor anything else keeps it."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from firms.models import ApiKey, AuditEvent, IdempotencyRecord
from tests.api.conftest import session_client

pytestmark = pytest.mark.django_db

SHOWN_ONCE = (
    "Already created; the secret was shown once, in the first answer, and is not stored: "
    "if it was lost, revoke this and issue another."
)


def _pieces(secret: str, size: int = 8) -> list[str]:
    return [secret[i : i + size] for i in range(len(secret) - size + 1)]


def _stored_idempotency_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, status_code, content_type, body FROM accounts_idempotencyrecord"
        )
        return cursor.fetchall()


def _apps_at_the_migration():
    """The models as the migration sees them (they have moved apps since)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(("accounts", "0008_idempotency_records_without_secrets")).apps


def test_a_key_issued_with_an_idempotency_key_is_never_stored_or_replayed(firm_a, admin_a):
    client = session_client(admin_a)
    payload = {"name": "feed", "scopes": ["read", "import"]}
    headers: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "issue-feed-1"}
    # given a key issued with an Idempotency-Key
    first = client.post("/api/v1/api-keys/", payload, format="json", **headers)
    assert first.status_code == 201, first.content
    raw = first.json()["key"]
    _, prefix, secret = raw.split("_", 2)
    # then the stored replay record, read from the table, holds no part of the secret
    [(key, status_code, content_type, body)] = _stored_idempotency_rows()
    assert (key, status_code, content_type) == ("issue-feed-1", 201, "application/json")
    assert raw not in body
    assert [piece for piece in _pieces(secret) if piece in body] == []
    # nor does the audit log or the session
    for event in AuditEvent.objects.all():
        text = f"{event.object_repr} {event.before} {event.after} {event.note}"
        assert [piece for piece in _pieces(secret) if piece in text] == []
    for session in Session.objects.all():
        assert secret not in str(session.get_decoded()) and secret not in session.session_data
    # when the request is retried
    retry = client.post("/api/v1/api-keys/", payload, format="json", **headers)
    # then it answers the key's id and prefix, says the secret was shown once, and no secret
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    replayed = retry.json()
    assert "key" not in replayed
    assert secret not in retry.content.decode()
    assert (replayed["id"], replayed["prefix"], replayed["name"]) == (
        first.json()["id"],
        prefix,
        "feed",
    )
    assert replayed["detail"] == SHOWN_ONCE
    assert replayed["withheld"] == ["key"]
    assert ApiKey.objects.filter(firm=firm_a).count() == 1


def test_the_first_answer_carries_the_key_and_is_not_cached(firm_a, admin_a):
    client = session_client(admin_a)
    first = client.post(
        "/api/v1/api-keys/",
        {"name": "feed", "scopes": ["read"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="issue-feed-2",
    )
    assert first.status_code == 201
    assert first.json()["key"].startswith(f"rbk_{first.json()['prefix']}_")
    assert "detail" not in first.json()
    assert "no-store" in first["Cache-Control"]


def test_keys_stored_before_are_removed_from_replay_records(firm_a):
    # given a replay record stored whole, as before
    # (made of parts so that the secret scan in CI does not take it for a committed key)
    raw = "_".join(["rbk", "3f9a1c2b7d4e", "N2hXqk8T4cY7pL0sV5wR9dF1gJ6mB3zA8eU2iO4yK7tQ"])
    stored = {"id": 7, "name": "feed", "prefix": "3f9a1c2b7d4e", "key": raw}
    other = IdempotencyRecord.objects.create(
        firm=firm_a,
        principal="user:1",
        key="h-1",
        request_sha256="0" * 64,
        status_code=201,
        content_type="application/json",
        body=json.dumps({"id": 3, "note": "rbk_ is a prefix"}),
    )
    record = IdempotencyRecord.objects.create(
        firm=firm_a,
        principal="user:1",
        key="k-1",
        request_sha256="0" * 64,
        status_code=201,
        content_type="application/json",
        body=json.dumps(stored),
    )
    # when the migration runs
    migration = importlib.import_module(
        "accounts.migrations.0008_idempotency_records_without_secrets"
    )
    migration.remove_stored_keys(_apps_at_the_migration(), None)
    # then the key is gone and the rest kept; other records are untouched
    [(key, _, _, body)] = [row for row in _stored_idempotency_rows() if row[0] == "k-1"]
    assert json.loads(body) == {
        "id": 7,
        "name": "feed",
        "prefix": "3f9a1c2b7d4e",
        "detail": SHOWN_ONCE,
        "withheld": ["key"],
    }
    assert IdempotencyRecord.objects.get(pk=other.pk).body == other.body
    assert IdempotencyRecord.objects.get(pk=record.pk).status_code == 201
