"""A published model version never changes: not by a draft save racing its publication,
not by a draft editor left open while someone publishes, not by SQL that bypasses the
services (the database itself refuses)."""

from __future__ import annotations

import os
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from firms.models import AuditEvent, Role
from models_library.models import ModelLine, ModelVersion, VersionStatus
from models_library.services.firm_reset import published_lines_release
from models_library.services.versions import draft_save, model_create, version_publish
from rebalancer import rowsecurity
from rebalancer.actors import Actor
from rebalancer.errors import DomainError
from tests.factories import SecurityFactory
from tests.test_row_security import app_role  # noqa: F401 - a fixture, used below
from tests.web.helpers import client_for

ON_POSTGRES = "postgres" in os.environ.get("DATABASE_URL", "")
ROUNDS = 20


@pytest.fixture
def etfs(db):
    return {s: SecurityFactory(symbol=s) for s in ("VTI", "BND", "AGG")}


def _lines(version_id: int) -> list[tuple[str, Decimal]]:
    return sorted(
        ModelLine.objects.filter(version_id=version_id).values_list("security__symbol", "weight")
    )


def _published(firm, actor, name: str = "Core") -> ModelVersion:
    model = model_create(firm=firm, actor=Actor.person(actor), name=name)
    draft = draft_save(
        firm=firm,
        actor=Actor.person(actor),
        model=model,
        rows=[{"security": "VTI", "weight": "0.6"}, {"security": "BND", "weight": "0.4"}],
    )
    return version_publish(firm=firm, actor=Actor.person(actor), version=draft)


# --- a draft save racing the publication of the same draft ------------------------------


def _race_round(firm, actor, round_no: int) -> tuple[ModelVersion, list]:
    """Publish model ``round_no``'s draft (AGG 100 %) while a draft save (BND 100 %) of
    the same model runs in another connection, both released by one barrier."""
    model = model_create(firm=firm, actor=Actor.person(actor), name=f"Race {round_no}")
    draft = draft_save(
        firm=firm, actor=Actor.person(actor), model=model, rows=[{"security": "AGG", "weight": "1"}]
    )
    start = threading.Barrier(2, timeout=30)
    errors: list = []

    def publish():
        try:
            start.wait()
            version_publish(
                firm=firm, actor=Actor.person(actor), version=ModelVersion.objects.get(pk=draft.pk)
            )
        except DomainError as exc:
            errors.append(exc)
        finally:
            connection.close()

    def save():
        try:
            start.wait()
            draft_save(
                firm=firm,
                actor=Actor.person(actor),
                model=model,
                rows=[{"security": "BND", "weight": "1"}],
            )
        except DomainError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=publish), threading.Thread(target=save)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return draft, errors


@pytest.mark.skipif(not ON_POSTGRES, reason="two connections writing at once: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_draft_save_racing_the_publication_never_changes_the_published_lines(
    firm_a, advisor_a, etfs
):
    changed = []
    for round_no in range(ROUNDS):
        draft, errors = _race_round(firm_a, advisor_a, round_no)
        assert errors == []
        version = ModelVersion.objects.get(pk=draft.pk)
        assert version.status == VersionStatus.PUBLISHED
        events = list(
            AuditEvent.objects.filter(object_id=str(version.pk), action__startswith="model_version")
            .order_by("pk")
            .values_list("action", "after")
        )
        publish_at = [action for action, _ in events].index("model_version.publish")
        published = events[publish_at][1]
        assert published is not None
        published_weights = published["weights"]
        lines = {symbol: weight for symbol, weight in _lines(version.pk)}
        # the lines are exactly those the publication audited, and no draft save of this
        # version was audited after its publication
        if {s: Decimal(w) for s, w in published_weights.items()} != lines or any(
            action == "model_version.draft_save" for action, _ in events[publish_at + 1 :]
        ):
            changed.append((round_no, published_weights, lines, [a for a, _ in events]))
    assert changed == []


# --- the database refuses changes to a published version --------------------------------


def test_the_database_refuses_to_change_a_published_versions_lines(firm_a, advisor_a, etfs):
    version = _published(firm_a, advisor_a)
    before = _lines(version.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        ModelLine.objects.filter(version=version).update(weight=Decimal("0.5"))
    with pytest.raises(DatabaseError), transaction.atomic():
        ModelLine.objects.create(
            firm=firm_a, version=version, security=etfs["AGG"], weight=Decimal("0.1")
        )
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE models_library_modelline SET weight = 0.2 WHERE version_id = %s", [version.pk]
        )
    assert _lines(version.pk) == before


def test_the_database_refuses_to_move_a_line_into_a_published_version(firm_a, advisor_a, etfs):
    version = _published(firm_a, advisor_a)
    draft = draft_save(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        model=version.model,
        rows=[{"security": "AGG", "weight": "1"}],
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        ModelLine.objects.filter(version=draft).update(version=version)
    assert _lines(version.pk) == [("BND", Decimal("0.4")), ("VTI", Decimal("0.6"))]
    assert _lines(draft.pk) == [("AGG", Decimal("1"))]


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="SQLite has no transaction-local setting for a firm reset to lift the refusal "
    "with, so deleting lines is refused on PostgreSQL only",
)
def test_the_database_refuses_to_delete_a_published_versions_lines(firm_a, advisor_a, etfs):
    version = _published(firm_a, advisor_a)
    with pytest.raises(DatabaseError), transaction.atomic():
        ModelLine.objects.filter(version=version).delete()
    assert _lines(version.pk) == [("BND", Decimal("0.4")), ("VTI", Decimal("0.6"))]


@pytest.fixture
def published(firm_a, advisor_a, etfs) -> ModelVersion:
    return _published(firm_a, advisor_a)


@pytest.mark.skipif(not ON_POSTGRES, reason="database roles exist on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_the_application_role_cannot_lift_the_refusal_as_a_demo_reset_does(
    published,
    app_role,  # noqa: F811 - the fixture imported above
):
    """Only the tables' owner may delete a published version's lines, in a reset."""
    for change in (
        lambda lines: lines.delete(),
        lambda lines: lines.update(weight=Decimal("0.5")),
    ):
        with pytest.raises(DatabaseError, match="its lines never change"), transaction.atomic():
            rowsecurity.set_firm(published.firm_id)
            published_lines_release(firm_id=published.firm_id)
            change(ModelLine.objects.filter(version_id=published.pk))
    with transaction.atomic():
        rowsecurity.set_firm(published.firm_id)
        assert _lines(published.pk) == [("BND", Decimal("0.4")), ("VTI", Decimal("0.6"))]


def test_the_database_refuses_to_change_a_published_versions_own_fields(firm_a, advisor_a, etfs):
    version = _published(firm_a, advisor_a)
    for change in ({"status": VersionStatus.DRAFT}, {"note": "edited"}, {"number": 7}):
        with pytest.raises(DatabaseError), transaction.atomic():
            ModelVersion.objects.filter(pk=version.pk).update(**change)
    stored = ModelVersion.objects.get(pk=version.pk)
    assert (stored.status, stored.note, stored.number) == (VersionStatus.PUBLISHED, "", 1)


def test_deleting_the_publisher_still_forgets_who_published(firm_a, advisor_a, etfs):
    publisher = get_user_model().objects.create_user(username="leaver", password="x")
    version = _published(firm_a, publisher)
    publisher.delete()
    stored = ModelVersion.objects.get(pk=version.pk)
    assert (stored.published_by_id, stored.created_by_id) == (None, None)
    assert stored.status == VersionStatus.PUBLISHED


def test_a_draft_still_takes_any_change(firm_a, advisor_a, etfs):
    model = model_create(firm=firm_a, actor=Actor.person(advisor_a), name="Open")
    draft = draft_save(
        firm=firm_a,
        actor=Actor.person(advisor_a),
        model=model,
        rows=[{"security": "VTI", "weight": "1"}],
    )
    ModelLine.objects.filter(version=draft).update(weight=Decimal("0.5"))
    ModelVersion.objects.filter(pk=draft.pk).update(note="edited")
    ModelLine.objects.filter(version=draft).delete()
    assert _lines(draft.pk) == []
    assert ModelVersion.objects.get(pk=draft.pk).note == "edited"


# --- a draft editor left open while the draft is published ------------------------------


def test_saving_a_draft_that_was_published_meanwhile_is_refused_clearly(
    firm_a, member_factory, etfs
):
    # given: a model manager opened the editor of draft v1 (AGG 100 %)
    modeler = member_factory(firm_a, Role.MODEL_MANAGER, "modeler")
    model = model_create(firm=firm_a, actor=Actor.person(modeler), name="Core")
    draft = draft_save(
        firm=firm_a,
        actor=Actor.person(modeler),
        model=model,
        rows=[{"security": "AGG", "weight": "1"}],
    )
    client = client_for(modeler)
    url = reverse("draft_edit", args=[model.pk])
    editor = client.get(url).content.decode()
    # ... and a colleague published v1 before the editor was saved
    version_publish(firm=firm_a, actor=Actor.person(modeler), version=draft)
    audit_before = AuditEvent.objects.count()
    # when
    response = client.post(
        url,
        {
            "version": str(draft.pk),
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-security": "BND",
            "form-0-weight": "100",
        },
    )
    # then: the page says why, and nothing changed
    assert response.status_code == 200
    page = response.content.decode()
    assert "v1 has been published since you opened it" in page
    assert _lines(draft.pk) == [("AGG", Decimal("1"))]
    assert list(model.versions.values_list("number", "status")) == [(1, VersionStatus.PUBLISHED)]
    assert AuditEvent.objects.count() == audit_before
    # the editor posts the draft it was opened on
    assert f'name="version" value="{draft.pk}"' in editor


def test_the_service_refuses_a_draft_save_of_a_published_version(firm_a, advisor_a, etfs):
    version = _published(firm_a, advisor_a)
    with pytest.raises(DomainError) as info:
        draft_save(
            firm=firm_a,
            actor=Actor.person(advisor_a),
            model=version.model,
            version=version,
            rows=[{"security": "AGG", "weight": "1"}],
        )
    assert info.value.message == (
        "Draft v1 has been published since you opened it; a published version never "
        "changes. Reload the editor to start a new draft from it."
    )
    assert _lines(version.pk) == [("BND", Decimal("0.4")), ("VTI", Decimal("0.6"))]
    assert version.model.versions.count() == 1
