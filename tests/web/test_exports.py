"""CSV downloads of the proposals list, the accounts list, an account's lots and the audit
log: every row the filters match (not one page), plain numbers, only for roles that may
see the page, never another firm's rows; the audit log says when a date is not a date."""

from __future__ import annotations

import csv
import html
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.web.helpers import client_for
from trading.models import Proposal
from trading.services.review import proposal_approve

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_proposals_csv_is_the_filtered_list_in_plain_numbers(book):
    # given two proposals, one approved, one worth a figure that normalises to an exponent
    first, second = book.proposals
    Proposal.objects.filter(pk=second.pk).update(total_value_usd=Decimal("400.00"))
    proposal_approve(firm=book.firm, actor=Actor.person(book.people["advisor"]), proposal=first)
    advisor = client_for(book.people["advisor"])
    # when the pending proposals are exported
    rows = _rows(advisor.get(reverse("proposals") + "?status=pending_review&format=csv"))
    # then only the pending one is there, its value as plain digits
    assert rows[0][:4] == ["Proposal", "Account", "Account name", "Date"]
    assert [r[0] for r in rows[1:]] == [str(second.pk)]
    assert rows[1][4] == "Pending review"
    assert rows[1][6] == "400"
    assert "E+" not in "".join(rows[1])
    approved = _rows(advisor.get(reverse("proposals") + "?status=approved&format=csv"))
    assert [r[0] for r in approved[1:]] == [str(first.pk)]


def test_accounts_csv_lists_every_matching_account(book):
    rows = _rows(client_for(book.people["trader"]).get(reverse("accounts") + "?format=csv"))
    assert rows[0] == [
        "Account",
        "Name",
        "Household",
        "Tax status",
        "Model",
        "Value (USD)",
        "Drift (%)",
        "Proposal status",
        "Flagged",
    ]
    assert sorted(r[0] for r in rows[1:]) == sorted(a.account_number for a in book.accounts)
    searched = _rows(
        client_for(book.people["advisor"]).get(
            reverse("accounts") + f"?q={book.accounts[0].account_number}&format=csv"
        )
    )
    assert [r[0] for r in searched[1:]] == [book.accounts[0].account_number]
    assert searched[1][4] == book.model.name


def test_lots_csv_matches_the_account_page(book):
    account = book.accounts[0]
    lots = list(account.tax_lots.select_related("security").order_by("pk"))
    rows = _rows(
        client_for(book.people["advisor"]).get(reverse("account_lots_csv", args=[account.pk]))
    )
    assert rows[0][:6] == ["Lot", "Security", "Acquired", "Term", "Quantity", "Cost basis (USD)"]
    assert len(rows) == len(lots) + 1
    by_ref = {r[0]: r for r in rows[1:]}
    for lot in lots:
        row = by_ref[lot.lot_ref]
        assert row[1] == lot.security.symbol
        assert Decimal(row[4]) == lot.quantity
        assert Decimal(row[5]) == lot.cost_basis_usd
        assert "E" not in row[4] + row[5]


def test_audit_csv_is_the_filtered_log_in_words(book):
    # given an approval and a rejection in the log
    first, second = book.proposals
    advisor = Actor.person(book.people["advisor"])
    proposal_approve(firm=book.firm, actor=advisor, proposal=first)
    compliance = client_for(book.people["compliance"])
    # when the proposal events of that advisor are exported, the actor typed in capitals
    username = book.people["advisor"].get_username().upper()
    rows = _rows(
        compliance.get(reverse("audit_log") + f"?action=Proposal&actor={username}&format=csv")
    )
    # then the one approval is there, in words
    assert rows[0] == ["When (UTC)", "Who", "What", "Object", "Before", "After", "Note"]
    assert len(rows) == 2
    assert rows[1][2] == "Proposal approved"
    assert rows[1][4] == "Status: pending review"
    assert rows[1][5].startswith("Status: approved")
    everything = _rows(compliance.get(reverse("audit_log") + "?format=csv"))
    assert len(everything) == AuditEvent.objects.filter(firm=book.firm).count() + 1


def test_audit_log_says_when_a_date_is_not_a_date(book):
    page = client_for(book.people["compliance"]).get(
        reverse("audit_log") + "?since=2026-13-01&until=2026-02-01"
    )
    text = html.unescape(page.content.decode())
    assert (
        "From: “2026-13-01” is not a date (use YYYY-MM-DD, e.g. 2026-01-31); the log is shown "
        "without it" in text
    )
    assert "To: " not in text.split("the log is shown without it")[1].split("</p>")[0]


def test_exports_only_for_roles_that_see_the_page(book):
    account = book.accounts[0]
    assert (
        client_for(book.people["advisor"]).get(reverse("audit_log") + "?format=csv").status_code
        == 403
    )
    assert (
        client_for(book.people["trader"]).get(reverse("audit_log") + "?format=csv").status_code
        == 403
    )
    modeler = client_for(book.people["modeler"])
    assert modeler.get(reverse("account_lots_csv", args=[account.pk])).status_code == 200


def test_another_firm_gets_nothing(book, outsiders):
    account = book.accounts[0]
    advisor = client_for(outsiders["advisor"])
    assert advisor.get(reverse("account_lots_csv", args=[account.pk])).status_code == 404
    assert len(_rows(advisor.get(reverse("proposals") + "?status=&format=csv"))) == 1
    assert len(_rows(advisor.get(reverse("accounts") + "?format=csv"))) == 1
    audit = _rows(client_for(outsiders["compliance"]).get(reverse("audit_log") + "?format=csv"))
    assert all(book.accounts[0].account_number not in "".join(r) for r in audit)
