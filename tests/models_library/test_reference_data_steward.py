"""The operator names the firms that may change the shared security master."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from firms.models import AuditEvent, Firm

pytestmark = pytest.mark.django_db


def _run(**options) -> str:
    out = io.StringIO()
    call_command("reference_data_steward", stdout=out, **options)
    return out.getvalue()


def test_the_operator_names_and_removes_stewards_with_an_audit_record(firm_a, firm_b):
    assert "manage reference data: none" in _run()
    assert "manage reference data: alpha" in _run(firm="alpha")
    assert Firm.objects.get(pk=firm_a.pk).manages_reference_data
    assert not Firm.objects.get(pk=firm_b.pk).manages_reference_data
    assert "manage reference data: none" in _run(firm="alpha", off=True)
    events = AuditEvent.objects.filter(firm=firm_a, action="firm.reference_data_steward")
    assert [e.after for e in events.order_by("pk")] == [
        {"manages_reference_data": True},
        {"manages_reference_data": False},
    ]


def test_an_unknown_firm_is_a_clear_error():
    with pytest.raises(CommandError, match="no firm with slug 'nope'"):
        _run(firm="nope")
