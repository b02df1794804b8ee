"""Idempotency-Key: a retry gets the first answer; another body with the same key is refused."""

from __future__ import annotations

import pytest

from accounts.models import Household
from firms.models import IdempotencyRecord
from tests.api.conftest import key_client, problem

pytestmark = pytest.mark.django_db


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(api_a, firm_a):
    first = api_a.post(
        "/api/v1/households/", {"name": "Rivera"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    again = api_a.post(
        "/api/v1/households/", {"name": "Rivera"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Household.objects.filter(firm=firm_a).count() == 1


def test_the_same_key_with_another_body_is_refused(api_a, firm_a):
    api_a.post("/api/v1/households/", {"name": "Rivera"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    other = api_a.post(
        "/api/v1/households/", {"name": "Chen"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert problem(other, 422)["type"].endswith("idempotency-key-reused")
    assert list(Household.objects.filter(firm=firm_a).values_list("name", flat=True)) == ["Rivera"]


def test_an_error_answer_is_replayed_too(api_a):
    first = api_a.post("/api/v1/households/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    again = api_a.post("/api/v1/households/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert problem(first, 400) == problem(again, 400)
    assert again["Idempotent-Replayed"] == "true"


def test_keys_belong_to_their_caller(firm_a, api_a):
    other = key_client(firm_a, name="second")
    api_a.post("/api/v1/households/", {"name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = other.post(
        "/api/v1/households/", {"name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="same"
    )
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert Household.objects.filter(firm=firm_a).count() == 2


def test_without_a_key_each_post_acts(api_a, firm_a):
    for _ in range(2):
        api_a.post("/api/v1/households/", {"name": "Rivera"}, format="json")
    assert Household.objects.filter(firm=firm_a).count() == 2


def test_a_request_still_in_progress_is_a_conflict(api_a, firm_a):
    first = api_a.post(
        "/api/v1/households/", {"name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="busy"
    )
    IdempotencyRecord.objects.filter(key="busy").update(status_code=None)
    again = api_a.post(
        "/api/v1/households/", {"name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="busy"
    )
    assert first.status_code == 201
    problem(again, 409)


def test_a_malformed_key_is_a_validation_problem(api_a):
    response = api_a.post(
        "/api/v1/households/", {"name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="x" * 256
    )
    assert problem(response, 400)["errors"][0]["field"] == "Idempotency-Key"


def test_a_csv_export_is_replayed_as_csv(firm_a, api_a):
    from trading.models import Blotter

    blotter = Blotter.objects.create(firm=firm_a, number=1, status="approved")
    first = api_a.post(
        f"/api/v1/blotters/{blotter.pk}/export/?format=csv", HTTP_IDEMPOTENCY_KEY="csv"
    )
    again = api_a.post(
        f"/api/v1/blotters/{blotter.pk}/export/?format=csv", HTTP_IDEMPOTENCY_KEY="csv"
    )
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"].startswith("text/csv")


def test_a_key_older_than_a_day_is_forgotten(api_a, firm_a):
    import datetime as dt

    from django.utils import timezone

    api_a.post("/api/v1/households/", {"name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    again = api_a.post(
        "/api/v1/households/", {"name": "R"}, format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert IdempotencyRecord.objects.count() == 1
