"""The books stay true, in a real browser: a steward enters a split over the API and the
account's lots follow it; a trader imports the custodian's CSV on the Reconciliation page,
sees the two accounts out of balance with their differences, accepts the custodian's
figures for one and marks the other pending, and the audit log shows both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from firms.models import AuditEvent
from firms.services.api_keys import api_key_create
from money import plain_digits
from rebalancer.actors import Actor
from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot
from trading.models import (
    CashBalance,
    CorporateActionApplication,
    Reconciliation,
    ReconciliationStatus,
    TaxLot,
)
from trading.services.reconciliation import ledger_positions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]

SPLIT_DAY = dt.date(2025, 7, 1)


def _vti_shares(account) -> Decimal:
    return sum(
        (lot.quantity for lot in TaxLot.objects.filter(account=account, security__symbol="VTI")),
        Decimal(0),
    )


def test_a_steward_enters_a_split_over_the_api_and_the_lots_follow(live_server, page, book):
    book.firm.manages_reference_data = True
    book.firm.save(update_fields=["manages_reference_data"])
    key = api_key_create(
        firm=book.firm, actor=Actor.system("test"), name="steward feed", scopes=["read", "import"]
    )
    account = book.accounts[0]
    before = _vti_shares(account)
    basis = sum(
        lot.cost_basis_usd for lot in TaxLot.objects.filter(account=account, security__symbol="VTI")
    )
    split = {
        "reference": "VTI-2025-SPLIT",
        "kind": "split",
        "symbol": "VTI",
        "effective_date": SPLIT_DAY.isoformat(),
        "ratio": "3:2",
    }
    headers = {"Authorization": f"Bearer {key.raw_key}"}

    entered = page.request.post(
        f"{live_server.url}/api/v1/corporate-actions/", headers=headers, data={"rows": [split]}
    )
    again = page.request.post(
        f"{live_server.url}/api/v1/corporate-actions/", headers=headers, data={"rows": [split]}
    )
    bad = page.request.post(
        f"{live_server.url}/api/v1/corporate-actions/",
        headers=headers,
        data={"rows": [{**split, "reference": "VTI-ZERO", "ratio": "0"}]},
    )

    assert entered.status == 200, entered.text()
    assert entered.json() == {"created": 1, "references": ["VTI-2025-SPLIT"]}
    assert again.json() == {"created": 0, "references": []}
    assert bad.status == 400 and "ratio" in bad.text()
    application = CorporateActionApplication.objects.get(firm=book.firm)
    assert application.households == len(book.accounts)
    lots = TaxLot.objects.filter(account=account, security__symbol="VTI")
    assert _vti_shares(account) == before * 3 / 2
    assert sum(lot.cost_basis_usd for lot in lots) == basis
    assert {lot.holding_period_start for lot in lots} == {dt.date(2022, 1, 3)}

    log_in(page, live_server, "a-admin", PASSWORD)
    page.goto(f"{live_server.url}/accounts/{account.pk}/")
    page.get_by_text("VTI").first.wait_for()
    shot(page, "books-split-lots")
    page.goto(f"{live_server.url}/audit/")
    assert page.get_by_text("Corporate action: apply").first.is_visible()


def _statement(accounts) -> str:
    """The custodian's CSV: the ledger's figures, but a missed fill of 7 VTI in the first
    account and an unreported dividend of $84.10 in the second."""
    lines = ["account_number,as_of,symbol,quantity"]
    for i, account in enumerate(accounts):
        positions = ledger_positions(firm=account.firm, account=account)
        cash = CashBalance.objects.get(account=account).amount_usd
        if i == 0:
            positions["VTI"] += 7
        if i == 1:
            cash += Decimal("84.10")
        for symbol, quantity in sorted(positions.items()):
            lines.append(f"{account.account_number},2025-06-30,{symbol},{quantity}")
        lines.append(f"{account.account_number},2025-06-30,CASH,{cash}")
    return "\n".join(lines) + "\n"


def test_a_trader_resolves_two_breaks_from_a_custodian_csv(live_server, page, book):
    missed, dividend = book.accounts[0], book.accounts[1]
    vti = _vti_shares(missed)
    log_in(page, live_server, "a-trader", PASSWORD)
    page.get_by_role("link", name="Reconciliation").click()
    page.get_by_label("Custodian positions CSV").set_input_files(
        files=[
            {
                "name": "positions.csv",
                "mimeType": "text/csv",
                "buffer": _statement(book.accounts).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import and compare").click()

    page.get_by_text(f"{len(book.accounts)} account(s) compared; 2 out of balance.").wait_for()
    rows = page.locator("tbody tr")
    missed_row = rows.filter(has_text=missed.account_number)
    dividend_row = rows.filter(has_text=dividend.account_number)
    assert f"VTI: {plain_digits(vti)} → {plain_digits(vti + 7)} (7)" in missed_row.inner_text()
    cash = CashBalance.objects.get(account=dividend).amount_usd
    assert (
        f"CASH: {plain_digits(cash)} → {plain_digits(cash + Decimal('84.10'))} (84.1)"
        in dividend_row.inner_text()
    )
    shot(page, "books-reconciliation-breaks")

    missed_row.get_by_label("Note").fill("fill of 7 VTI missed by the fills import")
    missed_row.get_by_role("button", name="Accept custodian's figures").click()
    page.get_by_text(f"{missed.account_number}: custodian's figures accepted.").wait_for()
    dividend_row = page.locator("tbody tr").filter(has_text=dividend.account_number)
    dividend_row.get_by_label("Note").fill("asked the custodian for the dividend notice")
    dividend_row.get_by_role("button", name="Mark pending").click()
    page.get_by_text(f"{dividend.account_number}: pending item.").wait_for()

    assert not page.locator("tbody tr").filter(has_text=missed.account_number).count()
    assert (
        "Pending" in page.locator("tbody tr").filter(has_text=dividend.account_number).inner_text()
    )
    assert _vti_shares(missed) == vti + 7
    statuses = dict(Reconciliation.objects.values_list("account_id", "status"))
    assert statuses[missed.pk] == ReconciliationStatus.ACCEPTED
    assert statuses[dividend.pk] == ReconciliationStatus.PENDING

    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, "a-compliance", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_text("Reconciliation: accept").first.wait_for()
    assert page.get_by_text("Reconciliation: pending").first.is_visible()
    shot(page, "books-reconciliation-audit")
    assert set(
        AuditEvent.objects.filter(action__startswith="reconciliation.").values_list(
            "action", flat=True
        )
    ) == {"reconciliation.import", "reconciliation.accept", "reconciliation.pending"}
