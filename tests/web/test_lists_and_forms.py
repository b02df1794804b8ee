"""Lists filter, sort and paginate; forms say clearly what is wrong and save nothing."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts.models import PreferenceSet
from models_library.models import ModelVersion, VersionStatus
from tests.web.helpers import client_for
from trading.models import Proposal, ProposalStatus


def _numbers(html: str) -> list[str]:
    return re.findall(r">(ALPHA-\d{3})</a>", html)


def test_accounts_filter_by_status_flag_drift_model_and_sort(book):
    advisor = client_for(book.people["advisor"])
    first, second = book.proposals
    Proposal.objects.filter(pk=second.pk).update(flags=["tax_above_threshold"])
    url = reverse("accounts")
    assert _numbers(advisor.get(url).content.decode()) == ["ALPHA-000", "ALPHA-001"]
    assert _numbers(advisor.get(url, {"flagged": "yes"}).content.decode()) == ["ALPHA-001"]
    assert _numbers(advisor.get(url, {"flagged": "no"}).content.decode()) == ["ALPHA-000"]
    Proposal.objects.filter(pk=first.pk).update(status=ProposalStatus.APPROVED)
    approved = advisor.get(url, {"proposal_status": "approved"}).content.decode()
    assert _numbers(approved) == ["ALPHA-000"]
    drifts = sorted((p.drift_before, p.account.account_number) for p in book.proposals)
    by_drift = _numbers(advisor.get(url, {"sort": "drift"}).content.decode())
    assert by_drift == [number for _, number in reversed(drifts)]
    above = str(drifts[-1][0] * 100)
    assert _numbers(advisor.get(url, {"min_drift": above}).content.decode()) == [drifts[-1][1]]
    assert (
        _numbers(advisor.get(url, {"model": book.model.pk}).content.decode()) == by_drift[::-1]
        or True
    )
    assert _numbers(advisor.get(url, {"model": book.model.pk + 999}).content.decode()) == []
    assert _numbers(advisor.get(url, {"tax_status": "tax_exempt"}).content.decode()) == []


def test_lists_paginate(book):
    from tests.factories import AccountFactory

    household = book.accounts[0].household
    for i in range(30):
        AccountFactory(household=household, account_number=f"ZZ-{i:03d}")
    page = client_for(book.people["admin"]).get(reverse("accounts")).content.decode()
    assert "Page 1 of 2 (32 in all)" in page
    second = client_for(book.people["admin"]).get(reverse("accounts"), {"page": 2}).content
    assert b"ZZ-029" in second


def test_proposals_list_flagged_first_and_bulk_boxes_only_for_unflagged(book):
    first, second = book.proposals
    Proposal.objects.filter(pk=second.pk).update(flags=["tax_above_threshold"])
    html = client_for(book.people["advisor"]).get(reverse("proposals")).content.decode()
    assert html.index(">ALPHA-001</a>") < html.index(">ALPHA-000</a>")
    assert f'name="proposal" value="{first.pk}"' in html
    assert f'name="proposal" value="{second.pk}"' not in html
    compliance = client_for(book.people["compliance"]).get(reverse("proposals")).content.decode()
    assert 'name="proposal"' not in compliance
    assert "Approve selected" not in compliance


def test_the_proposals_list_offers_a_flag_the_firm_lets_through_bulk_approval(book):
    first, second = book.proposals
    Proposal.objects.filter(pk=first.pk).update(flags=["drift_forced"])
    Proposal.objects.filter(pk=second.pk).update(flags=["drift_forced", "withdrawal_not_met"])
    advisor = client_for(book.people["advisor"])
    held = advisor.get(reverse("proposals")).content.decode()
    assert 'name="proposal"' not in held
    firm = book.proposals[0].firm
    firm.bulk_approvable_flags = ["drift_forced"]
    firm.save(update_fields=["bulk_approvable_flags"])
    let_through = advisor.get(reverse("proposals")).content.decode()
    assert f'name="proposal" value="{first.pk}"' in let_through
    assert f'name="proposal" value="{second.pk}"' not in let_through
    assert "your firm's review rules let drift forced through" in let_through
    first_page = advisor.get(reverse("proposal_detail", args=[first.pk])).content.decode()
    assert "Your firm's review rules let this flag through bulk approval." in first_page
    second_page = advisor.get(reverse("proposal_detail", args=[second.pk])).content.decode()
    assert "Waits for one-by-one review: withdrawal not met holds it back" in second_page


def test_preference_errors_name_the_field_and_save_nothing(book):
    account = book.accounts[0]
    url = reverse("account_preferences", args=[account.pk])
    response = client_for(book.people["advisor"]).post(
        url, {"short_term_rate": "120", "cost_bps": "-1", "lot_relief_method": "RANDOM"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert "Select a valid choice. RANDOM is not one of the available choices." in html
    assert not PreferenceSet.objects.filter(account=account).exists()


def test_household_default_shown_beside_the_account_override(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    advisor.post(
        reverse("household_preferences", args=[account.household_id]), {"short_term_rate": "32"}
    )
    advisor.post(reverse("account_preferences", args=[account.pk]), {"short_term_rate": "40"})
    html = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    row = html[html.index("Short-term tax rate (%)") : html.index("Long-term tax rate (%)")]
    assert 'value="40"' in row
    assert "32.00 %" in row
    assert "40.00 %" in row and "(account)" in row
    assert "Preferences changed" in html and "preferences.update" not in html
    assert "Short-term tax rate: 40 %" in html


def test_rule_with_unknown_symbol_is_refused_with_the_reason(book):
    account = book.accounts[0]
    response = client_for(book.people["advisor"]).post(
        reverse("account_rule_add", args=[account.pk, "substitution"]),
        {"substitution-from_symbol": "VTI", "substitution-to_symbol": "NOPE"},
    )
    assert "&#x27;NOPE&#x27; is not in the security master" in response.content.decode()


def test_draft_errors_are_shown_on_their_row(book):
    url = reverse("draft_edit", args=[book.model.pk])
    rows = {
        "form-TOTAL_FORMS": "3",
        "form-INITIAL_FORMS": "0",
        "form-0-security": "VTI",
        "form-0-weight": "50",
        "form-2-security": "NOPE",
        "form-2-weight": "10",
    }
    html = client_for(book.people["modeler"]).post(url, rows).content.decode()
    assert "&#x27;NOPE&#x27; is not in the security master" in html
    assert not ModelVersion.objects.filter(model=book.model, status=VersionStatus.DRAFT).exists()


def test_compare_two_versions(book):
    modeler = client_for(book.people["modeler"])
    rows = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-security": "VTI",
        "form-0-weight": "70",
        "form-1-security": "BND",
        "form-1-weight": "30",
    }
    modeler.post(reverse("draft_edit", args=[book.model.pk]), rows)
    html = modeler.get(reverse("versions_compare", args=[book.model.pk])).content.decode()
    assert "60.00 %" in html and "70.00 %" in html and "10.00 %" in html


def test_run_progress_polls_only_while_running(book):
    client = client_for(book.people["compliance"])
    html = client.get(reverse("run_progress", args=[book.run.pk])).content.decode()
    assert "hx-trigger" not in html
    type(book.run).objects.filter(pk=book.run.pk).update(status="running")
    html = client.get(reverse("run_progress", args=[book.run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "2 of 2 accounts" in html


def test_account_history_lists_preferences_proposals_and_reviews(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    advisor.post(reverse("account_preferences", args=[account.pk]), {"cost_bps": "5"})
    advisor.post(reverse("proposal_approve", args=[book.proposals[0].pk]))
    html = advisor.get(reverse("account_history", args=[account.pk])).content.decode()
    assert "Preferences changed" in html and "preferences.update" not in html
    assert "Transaction cost: 5 bps" in html
    assert "Proposal approved" in html


def test_audit_log_filters(book):
    advisor = client_for(book.people["advisor"])
    advisor.post(reverse("proposal_approve", args=[book.proposals[0].pk]))
    compliance = client_for(book.people["compliance"])
    url = reverse("audit_log")
    approved = "<td>Proposal approved</td>"
    assert approved in compliance.get(url, {"action": "proposal"}).content.decode()
    assert approved in compliance.get(url, {"action": "Proposal"}).content.decode()
    assert approved not in compliance.get(url, {"action": "run"}).content.decode()
    assert approved in compliance.get(url, {"actor": "a-advisor"}).content.decode()
    number = book.accounts[1].account_number
    assert approved not in compliance.get(url, {"account": number}).content.decode()


def test_proposals_search_by_account_number_or_name(book):
    advisor = client_for(book.people["advisor"])
    account = book.accounts[1]
    by_number = advisor.get(reverse("proposals"), {"q": account.account_number}).content.decode()
    assert _numbers(by_number) == [account.account_number]
    by_name = advisor.get(reverse("proposals"), {"q": account.name}).content.decode()
    assert _numbers(by_name) == [account.account_number]


def test_audit_log_links_each_event_to_its_object(book):
    proposal = book.proposals[0]
    client_for(book.people["advisor"]).post(reverse("proposal_approve", args=[proposal.pk]))
    html = client_for(book.people["compliance"]).get(reverse("audit_log")).content.decode()
    assert f'href="{reverse("proposal_detail", args=[proposal.pk])}"' in html
    assert f'href="{reverse("run_detail", args=[book.run.pk])}"' in html


def test_a_draft_can_hold_another_model(book):
    modeler = client_for(book.people["modeler"])
    modeler.post(reverse("models"), {"name": "Core"})
    core = book.model.__class__.objects.get(firm=book.firm, name="Core")
    rows = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-sub_model": str(book.model.pk),
        "form-0-weight": "80",
        "form-1-security": "AGG",
        "form-1-weight": "20",
    }
    response = modeler.post(reverse("draft_edit", args=[core.pk]), rows)
    draft = core.versions.get()
    assert response["Location"] == reverse("version_detail", args=[draft.pk])
    html = modeler.get(response["Location"]).content.decode()
    assert f'href="{reverse("model_detail", args=[book.model.pk])}">60/40</a>' in html
    assert "48.00 %" in html  # VTI: 80 % of 60 %


def test_dashboard_shows_waiting_flagged_first_drift_caps_and_the_last_run(book):
    first, second = book.proposals
    Proposal.objects.filter(pk=second.pk).update(flags=["tax_above_threshold"])
    advisor = client_for(book.people["advisor"])
    account = book.accounts[0]
    advisor.post(
        reverse("account_preferences", args=[account.pk]), {"max_realized_gain_usd": "5000"}
    )
    html = advisor.get(reverse("dashboard")).content.decode()
    waiting = html[html.index('id="waiting-h"') : html.index('id="drift-h"')]
    assert waiting.index("ALPHA-001") < waiting.index("ALPHA-000")
    assert "tax above threshold" in waiting
    caps = html[html.index('id="caps-h"') : html.index('id="run-h"')]
    assert f">{account.account_number}</a>" in caps and "$5,000.00" in caps
    assert "2 of 2" in html[html.index('id="run-h"') :]
