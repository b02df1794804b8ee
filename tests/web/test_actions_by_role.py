"""Every action: the roles that may not act get 403 and change nothing, another firm's
people get 404 and change nothing, and a role that may act does it (and it is audited)."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import ModelAssignment, PreferenceSet, Restriction
from firms.models import AuditEvent
from models_library.models import ModelPortfolio, ModelVersion, Security, VersionStatus
from rebalancer.actors import Actor
from tests.trading.builders import published_model
from tests.web.helpers import client_for
from tests.web.pages import MANAGERS, REVIEWERS, TRADERS
from trading.models import Blotter, BlotterStatus, Fill, Proposal, ProposalStatus, TaxLot
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.orders_export import orders_export_csv
from trading.services.review import proposals_bulk_approve

from .conftest import ROLES


def _refused(book, outsiders, allowed: set[str], url: str, data=None, *, state=None) -> None:
    """Every role outside ``allowed`` gets 403, firm B's admin 404; nothing changes."""
    before = (AuditEvent.objects.count(), state() if state else None)
    for name in set(ROLES) - allowed:
        response = client_for(book.people[name]).post(url, data or {})
        assert response.status_code == 403, (name, url)
    for name, user in outsiders.items():
        response = client_for(user).post(url, data or {})
        assert response.status_code == 404, (name, url)
    assert (AuditEvent.objects.count(), state() if state else None) == before


def _status(pk: int):
    return lambda: Proposal.objects.get(pk=pk).status


def test_approve(book, outsiders):
    proposal = book.proposals[0]
    url = reverse("proposal_approve", args=[proposal.pk])
    _refused(book, outsiders, REVIEWERS, url, state=_status(proposal.pk))
    response = client_for(book.people["advisor"]).post(url)
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.APPROVED


def test_reject_needs_a_comment(book, outsiders):
    proposal = book.proposals[0]
    url = reverse("proposal_reject", args=[proposal.pk])
    _refused(book, outsiders, REVIEWERS, url, {"comment": "no"}, state=_status(proposal.pk))
    advisor = client_for(book.people["advisor"])
    empty = advisor.post(url, {"comment": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    assert advisor.post(url, {"comment": "Client is travelling"}).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_comment) == ("rejected", "Client is travelling")


def test_edit_quantity_with_htmx(book, outsiders):
    trade = book.proposals[0].trades.order_by("-value_usd").first()
    url = reverse("trade_edit", args=[trade.pk])
    smaller = (trade.quantity / 2).to_integral_value()
    state = lambda: type(trade).objects.get(pk=trade.pk).quantity  # noqa: E731
    _refused(book, outsiders, REVIEWERS, url, {"quantity": str(smaller)}, state=state)
    response = client_for(book.people["advisor"]).post(
        url, {"quantity": str(smaller)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="proposal-body"' in response.content.decode()
    assert "<html" not in response.content.decode()
    trade.refresh_from_db()
    assert (trade.quantity, trade.original_quantity is not None) == (smaller, True)


def test_edit_that_breaks_a_rule_is_refused_with_the_reason(book):
    trade = book.proposals[0].trades.filter(side="sell").first() or book.proposals[0].trades.first()
    held = sum(lot.quantity for lot in TaxLot.objects.filter(account=book.accounts[0]))
    response = client_for(book.people["advisor"]).post(
        reverse("trade_edit", args=[trade.pk]),
        {"quantity": str(held * 100)},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Edit refused" in body
    assert type(trade).objects.get(pk=trade.pk).quantity == trade.quantity


def test_reoptimize_supersedes_and_shows_the_new_proposal(book, outsiders):
    account = book.accounts[0]
    old = book.proposals[0]
    url = reverse("account_reoptimize", args=[account.pk])
    _refused(book, outsiders, REVIEWERS, url, state=_status(old.pk))
    response = client_for(book.people["advisor"]).post(url)
    new = Proposal.objects.filter(account=account).exclude(status="superseded").get()
    assert response["Location"] == reverse("proposal_detail", args=[new.pk])
    assert Proposal.objects.get(pk=old.pk).status == ProposalStatus.SUPERSEDED
    page = client_for(book.people["advisor"]).get(response["Location"]).content.decode()
    assert "What changed since proposal" in page


def test_bulk_approve_skips_flagged(book, outsiders):
    first, second = book.proposals
    Proposal.objects.filter(pk=second.pk).update(flags=["tax_above_threshold"])
    url = reverse("proposals_bulk_approve")
    data = {"proposal": [first.pk, second.pk]}
    _refused(book, outsiders, REVIEWERS, url, data, state=_status(first.pk))
    client_for(book.people["advisor"]).post(url, data)
    assert _status(first.pk)() == ProposalStatus.APPROVED
    assert _status(second.pk)() == ProposalStatus.PENDING_REVIEW


def test_preferences_save_on_account_and_household(book, outsiders):
    account = book.accounts[0]
    url = reverse("account_preferences", args=[account.pk])
    data = {"short_term_rate": "30", "max_realized_gain_usd": "1000"}
    state = lambda: PreferenceSet.objects.count()  # noqa: E731
    _refused(book, outsiders, REVIEWERS, url, data, state=state)
    assert client_for(book.people["advisor"]).post(url, data).status_code == 302
    pset = PreferenceSet.objects.get(account=account)
    assert (str(pset.short_term_rate), pset.max_realized_gain_override) == ("0.3000", True)
    household_url = reverse("household_preferences", args=[account.household_id])
    _refused(book, outsiders, REVIEWERS, household_url, {"long_term_rate": "15"}, state=state)
    client_for(book.people["advisor"]).post(household_url, {"long_term_rate": "15"})
    assert str(PreferenceSet.objects.get(household=account.household).long_term_rate) == "0.1500"


def test_rules_add_and_remove(book, outsiders):
    account = book.accounts[0]
    url = reverse("account_rule_add", args=[account.pk, "restriction"])
    data = {"restriction-symbol": "vti", "restriction-type": "do_not_sell"}
    state = lambda: Restriction.objects.count()  # noqa: E731
    _refused(book, outsiders, REVIEWERS, url, data, state=state)
    assert client_for(book.people["advisor"]).post(url, data).status_code == 302
    rule = Restriction.objects.get(account=account)
    assert rule.symbol == "VTI"
    remove = reverse("account_rule_remove", args=[account.pk, "restriction", rule.pk])
    _refused(book, outsiders, REVIEWERS, remove, state=state)
    client_for(book.people["advisor"]).post(remove)
    assert not Restriction.objects.filter(pk=rule.pk).exists()


def test_model_create_draft_publish_and_what_if(book, outsiders):
    state = lambda: (ModelPortfolio.objects.count(), ModelVersion.objects.count())  # noqa: E731
    create = reverse("models")
    _refused(book, {}, MANAGERS, create, {"name": "Income"}, state=state)
    modeler = client_for(book.people["modeler"])
    assert modeler.post(create, {"name": "Income"}).status_code == 302
    assert ModelPortfolio.objects.filter(firm=book.firm, name="Income").exists()
    draft_url = reverse("draft_edit", args=[book.model.pk])
    rows = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-security": "VTI",
        "form-0-weight": "50",
        "form-1-security": "AGG",
        "form-1-weight": "45",
    }
    _refused(book, outsiders, MANAGERS, draft_url, rows, state=state)
    assert modeler.post(draft_url, rows).status_code == 302
    draft = book.model.versions.get(status=VersionStatus.DRAFT)
    publish = reverse("version_publish", args=[draft.pk])
    status = lambda: ModelVersion.objects.get(pk=draft.pk).status  # noqa: E731
    _refused(book, outsiders, MANAGERS, publish, state=status)
    what_if = reverse("version_what_if", args=[draft.pk])
    _refused(book, outsiders, MANAGERS, what_if)
    page = modeler.post(what_if).content.decode()
    assert "What if every account followed v2" in page
    assert "ALPHA-000" in page
    modeler.post(publish)
    assert ModelVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED


def _approved_blotter(book) -> Blotter:
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    return blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))


def _blotter_status(blotter):
    return lambda: Blotter.objects.get(pk=blotter.pk).status


def test_blotter_create(book, outsiders):
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    url = reverse("blotter_create")
    _refused(book, {}, TRADERS, url, state=lambda: Blotter.objects.count())
    response = client_for(book.people["trader"]).post(url)
    blotter = Blotter.objects.get(firm=book.firm)
    assert response["Location"] == reverse("blotter_detail", args=[blotter.pk])


def test_blotter_approve_with_four_eyes(book, outsiders, member_factory):
    book.firm.require_four_eyes = True
    book.firm.save()
    blotter = _approved_blotter(book)
    url = reverse("blotter_approve", args=[blotter.pk])
    _refused(book, outsiders, TRADERS, url, state=_blotter_status(blotter))
    trader = client_for(book.people["trader"])
    trader.post(url)
    assert _blotter_status(blotter)() == BlotterStatus.PARTLY_APPROVED
    trader.post(url)
    assert _blotter_status(blotter)() == BlotterStatus.PARTLY_APPROVED
    client_for(member_factory(book.firm, "trader", "a-trader-2")).post(url)
    assert _blotter_status(blotter)() == BlotterStatus.APPROVED


def _fills_csv(export: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"])
    for i, row in enumerate(csv.DictReader(io.StringIO(export))):
        writer.writerow(
            [
                f"F{i}",
                row["order_id"],
                row["account_number"],
                row["allocation_quantity"],
                row["estimated_price"],
                "2025-07-01",
            ]
        )
    return out.getvalue().encode()


def test_export_and_import_fills(book, outsiders):
    blotter = _approved_blotter(book)
    blotter_approve(firm=book.firm, actor=Actor.person(book.people["trader"]), blotter=blotter)
    export = reverse("blotter_export", args=[blotter.pk])
    _refused(book, outsiders, TRADERS, export, state=_blotter_status(blotter))
    trader = client_for(book.people["trader"])
    response = trader.post(export)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="blotter-1-orders.csv"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.splitlines()[0].startswith("blotter,order_id,symbol")
    url = reverse("blotter_import", args=[blotter.pk])

    def upload(content: bytes):
        return {"file": SimpleUploadedFile("fills.csv", content, content_type="text/csv")}

    before = (AuditEvent.objects.count(), Fill.objects.count())
    for name in set(ROLES) - TRADERS:
        assert client_for(book.people[name]).post(url, upload(b"x")).status_code == 403
    assert client_for(outsiders["admin"]).post(url, upload(b"x")).status_code == 404
    assert (AuditEvent.objects.count(), Fill.objects.count()) == before
    bad = trader.post(url, upload(b"fill_id,order_id\nF1,1\n"))
    assert bad.status_code == 400
    assert "account_number: column is missing" in bad.content.decode()
    good = trader.post(
        url,
        upload(
            _fills_csv(
                orders_export_csv(
                    firm=book.firm, actor=Actor.person(book.people["trader"]), blotter=blotter
                )
            )
        ),
    )
    assert good.status_code == 302
    assert Fill.objects.filter(firm=book.firm).count() == len(text.splitlines()) - 1
    assert _blotter_status(blotter)() == BlotterStatus.FILLED


def test_rerun_failed_accounts(book, outsiders, django_capture_on_commit_callbacks):
    failed = book.proposals[0]
    Proposal.objects.filter(pk=failed.pk).update(status=ProposalStatus.FAILED, message="no price")
    url = reverse("run_rerun_failed", args=[book.run.pk])
    _refused(book, outsiders, {"admin"}, url, state=_status(failed.pk))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(book.people["admin"]).post(url)
    assert _status(failed.pk)() == ProposalStatus.SUPERSEDED
    new = Proposal.objects.filter(account_id=failed.account_id).exclude(status="superseded").get()
    assert new.status == ProposalStatus.PENDING_REVIEW


def test_assign_a_model(book, outsiders):
    securities = {s.symbol: s for s in Security.objects.all()}
    income = published_model(
        firm=book.firm, weights={"BND": "0.9"}, securities=securities, name="Income"
    )
    account = book.accounts[0]
    url = reverse("account_model_assign", args=[account.pk])
    state = lambda: ModelAssignment.objects.get(account=account).model_id  # noqa: E731
    _refused(book, outsiders, MANAGERS, url, {"model": income.pk}, state=state)
    client_for(book.people["modeler"]).post(url, {"model": income.pk})
    assert state() == income.pk
