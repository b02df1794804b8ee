"""The audit log keeps who acted, even after that person's account is deleted."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent, Role
from firms.services.audit import audit_record
from rebalancer.actors import Actor


@pytest.mark.django_db
def test_deleting_a_person_who_acted_leaves_their_audit_events_as_written(firm_a, member_factory):
    # given: an event by a person who then leaves
    leaver = member_factory(firm_a, Role.ADVISOR, "leaver")
    leaver_id = leaver.pk
    event = audit_record(
        firm=firm_a,
        actor=Actor.person(leaver),
        action="household.create",
        object_type="household",
        object_id="1",
        object_repr="Smith",
    )
    # when: their account is deleted (on PostgreSQL, as the application's role, which may
    # never update the append-only audit log)
    leaver.delete()
    # then: the event is unchanged: their id and their name
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.actor_label, stored.action) == (
        leaver_id,
        "leaver",
        "household.create",
    )
