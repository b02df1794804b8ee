"""A firm's equivalence sets: kept by its model managers on a page and over the API, every
change audited, another firm's sets never seen or touched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firms.models import AuditEvent, Role
from models_library.models import EquivalenceSet
from models_library.selectors.equivalents import firm_equivalents
from models_library.services.equivalents import equivalence_set_delete, equivalence_set_save
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed
from tests.api.conftest import key_client
from tests.factories import SecurityFactory
from tests.web.helpers import client_for

SYMBOLS = ("VTI", "ITOT", "SCHB", "VEA", "IEFA")


@pytest.fixture
def securities(db):
    return {s: SecurityFactory(symbol=s, asset_class="equity", sector="") for s in SYMBOLS}


def _save(firm, **kwargs) -> EquivalenceSet:
    return equivalence_set_save(firm=firm, actor=Actor.system("test"), **kwargs)


def test_a_set_is_saved_changed_and_deleted_with_an_audit_record_each(firm_a, securities):
    # when
    made = _save(firm_a, name="US total market", symbols=["vti", " ITOT ", "SCHB", "VTI"])
    _save(firm_a, name="Developed", symbols=["VEA", "IEFA"])

    # then: symbols cleaned, duplicates dropped, sets sorted for the optimizer
    assert firm_equivalents(firm=firm_a) == (("IEFA", "VEA"), ("ITOT", "SCHB", "VTI"))
    created = AuditEvent.objects.get(action="equivalence_set.create", object_id=str(made.pk))
    assert created.before is None
    assert created.after == {
        "name": "US total market",
        "note": "",
        "symbols": ["ITOT", "SCHB", "VTI"],
    }

    # when SCHB leaves the set
    _save(firm_a, name="US total", symbols=["VTI", "ITOT"], note="n", equivalence_set=made)

    # then
    updated = AuditEvent.objects.get(action="equivalence_set.update")
    assert updated.before == {
        "name": "US total market",
        "note": "",
        "symbols": ["ITOT", "SCHB", "VTI"],
    }
    assert updated.after == {"name": "US total", "note": "n", "symbols": ["ITOT", "VTI"]}
    assert firm_equivalents(firm=firm_a) == (("IEFA", "VEA"), ("ITOT", "VTI"))

    # when
    equivalence_set_delete(firm=firm_a, actor=Actor.system("test"), equivalence_set=made)

    # then
    assert firm_equivalents(firm=firm_a) == (("IEFA", "VEA"),)
    deleted = AuditEvent.objects.get(action="equivalence_set.delete")
    assert deleted.before == {"name": "US total", "note": "n", "symbols": ["ITOT", "VTI"]}


def test_every_problem_is_named_and_nothing_is_saved(firm_a, securities):
    _save(firm_a, name="US total market", symbols=["VTI", "ITOT"])

    with pytest.raises(ValidationFailed) as caught:
        _save(firm_a, name="Other", symbols=["VTI", "NOPE", "SCHB"])

    assert [(f, m) for _, f, m in caught.value.errors] == [
        ("symbols", "'NOPE' is not in the security master"),
        ("symbols", "'VTI' is already in the set 'US total market'"),
    ]
    with pytest.raises(ValidationFailed, match="at least 2 different"):
        _save(firm_a, name="Alone", symbols=["SCHB", "schb"])
    with pytest.raises(ValidationFailed, match="already exists"):
        _save(firm_a, name="US total market", symbols=["VEA", "IEFA"])
    assert EquivalenceSet.objects.filter(firm=firm_a).count() == 1


def test_firms_keep_their_own_sets(firm_a, firm_b, securities):
    # given both firms put VTI in a set: a security is in one set per firm, not overall
    _save(firm_a, name="A", symbols=["VTI", "ITOT"])
    _save(firm_b, name="B", symbols=["VTI", "SCHB"])

    assert firm_equivalents(firm=firm_a) == (("ITOT", "VTI"),)
    assert firm_equivalents(firm=firm_b) == (("SCHB", "VTI"),)


def test_the_api_lists_creates_replaces_and_deletes(firm_a, firm_b, securities):
    api, other = key_client(firm_a), key_client(firm_b)
    url = "/api/v1/equivalence-sets/"

    # when
    created = api.post(url, {"name": "US", "symbols": ["VTI", "ITOT"]}, format="json")

    # then
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["symbols"], body["note"]) == ("US", ["ITOT", "VTI"], "")
    detail = f"{url}{body['id']}/"
    assert [s["name"] for s in api.get(url).json()["results"]] == ["US"]

    # and another firm sees nothing, and changes nothing
    assert other.get(url).json()["results"] == []
    assert other.get(detail).status_code == 404
    assert (
        other.put(detail, {"name": "X", "symbols": ["VTI", "SCHB"]}, format="json").status_code
        == 404
    )
    assert other.delete(detail).status_code == 404

    # when
    replaced = api.put(detail, {"name": "US", "symbols": ["VTI", "SCHB"]}, format="json")
    refused = api.post(url, {"name": "Dup", "symbols": ["SCHB", "IEFA"]}, format="json")

    # then
    assert replaced.json()["symbols"] == ["SCHB", "VTI"]
    assert refused.status_code == 400
    assert "already in the set 'US'" in refused.content.decode()
    assert api.delete(detail).json()["symbols"] == ["SCHB", "VTI"]
    assert api.get(detail).status_code == 404
    assert AuditEvent.objects.filter(action__startswith="equivalence_set.").count() == 3


def test_a_read_only_key_reads_but_does_not_change(firm_a, securities):
    reader = key_client(firm_a, scopes=("read",))
    url = "/api/v1/equivalence-sets/"

    assert reader.get(url).status_code == 200
    assert (
        reader.post(url, {"name": "US", "symbols": ["VTI", "ITOT"]}, format="json").status_code
        == 403
    )
    assert not EquivalenceSet.objects.exists()


def test_model_managers_keep_sets_on_the_page_and_advisors_only_read(
    firm_a, member_factory, securities
):
    modeler = client_for(member_factory(firm_a, Role.MODEL_MANAGER, "m"))
    advisor = client_for(member_factory(firm_a, Role.ADVISOR, "a"))
    url = reverse("equivalence_sets")

    # when
    saved = modeler.post(url, {"name": "US total", "symbols": "VTI, ITOT SCHB", "note": ""})
    bad = modeler.post(url, {"name": "Dev", "symbols": "VEA NOPE"})

    # then
    assert saved.status_code == 302
    assert "&#x27;NOPE&#x27; is not in the security master" in bad.content.decode()
    made = EquivalenceSet.objects.get(firm=firm_a)
    page = advisor.get(url).content.decode()
    assert "ITOT, SCHB, VTI" in page and "Save set" not in page
    assert advisor.post(url, {"name": "X", "symbols": "VEA IEFA"}).status_code == 403

    # when the modeler edits and then deletes it
    modeler.post(url, {"set_id": made.pk, "name": "US total", "symbols": "VTI ITOT"})
    assert firm_equivalents(firm=firm_a) == (("ITOT", "VTI"),)
    modeler.post(reverse("equivalence_set_remove", args=[made.pk]))
    assert not EquivalenceSet.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="equivalence_set.").count() == 3


def test_another_firms_set_is_not_found_on_the_page(firm_a, firm_b, member_factory, securities):
    theirs = _save(firm_b, name="B", symbols=["VTI", "ITOT"])
    modeler = client_for(member_factory(firm_a, Role.MODEL_MANAGER, "m"))

    assert modeler.get(reverse("equivalence_sets"), {"edit": theirs.pk}).status_code == 404
    remove = modeler.post(reverse("equivalence_set_remove", args=[theirs.pk]))
    assert remove.status_code == 404
    assert EquivalenceSet.objects.filter(pk=theirs.pk).exists()
