"""The reconciliation page: a trader imports the custodian's CSV and resolves breaks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from firms.models import AuditEvent
from trading.models import Reconciliation

from .helpers import client_for

pytestmark = pytest.mark.django_db


def _csv(number: str, vti: str) -> SimpleUploadedFile:
    text = (
        "account_number,as_of,symbol,quantity\n"
        f"{number},2025-06-30,VTI,{vti}\n"
        f"{number},2025-06-30,BND,100\n"
        f"{number},2025-06-30,CASH,2000.00\n"
    )
    return SimpleUploadedFile("positions.csv", text.encode(), content_type="text/csv")


def test_a_trader_imports_a_break_and_accepts_the_custodians_figures(book):
    trader = client_for(book.people["trader"])
    number = book.accounts[0].account_number

    imported = trader.post(reverse("reconciliation_import"), {"file": _csv(number, "101")})
    page = trader.get(reverse("reconciliation")).content.decode()
    flagged = Reconciliation.objects.get()
    resolved = trader.post(
        reverse("reconciliation_resolve", args=[flagged.pk]),
        {"decision": "accept", "note": "late fill"},
    )

    assert imported.status_code == 302
    assert "VTI: 100 → 101 (1)" in page
    assert resolved.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == "accepted"
    assert AuditEvent.objects.get(action="reconciliation.accept").actor == book.people["trader"]


def test_a_file_with_a_repeated_row_is_refused_naming_it(book):
    trader = client_for(book.people["trader"])
    number = book.accounts[0].account_number
    text = "account_number,as_of,symbol,quantity\n" + f"{number},2025-06-30,VTI,1\n" * 2

    response = trader.post(
        reverse("reconciliation_import"),
        {"file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert "repeats row 1" in response.content.decode()
    assert not Reconciliation.objects.exists()


def test_compliance_reads_the_page_but_cannot_resolve(book):
    number = book.accounts[0].account_number
    client_for(book.people["trader"]).post(
        reverse("reconciliation_import"), {"file": _csv(number, "101")}
    )
    compliance = client_for(book.people["compliance"])
    flagged = Reconciliation.objects.get()

    page = compliance.get(reverse("reconciliation"))
    refused = compliance.post(
        reverse("reconciliation_resolve", args=[flagged.pk]), {"decision": "accept"}
    )

    assert page.status_code == 200
    assert "Accept custodian" not in page.content.decode()
    assert refused.status_code == 403


def test_another_firm_cannot_resolve_it(book, outsiders):
    number = book.accounts[0].account_number
    client_for(book.people["trader"]).post(
        reverse("reconciliation_import"), {"file": _csv(number, "101")}
    )
    flagged = Reconciliation.objects.get()

    response = client_for(outsiders["trader"]).post(
        reverse("reconciliation_resolve", args=[flagged.pk]), {"decision": "accept"}
    )

    assert response.status_code == 404
    flagged.refresh_from_db()
    assert flagged.status == "out_of_balance"
