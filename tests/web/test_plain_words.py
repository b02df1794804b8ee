"""People read words, not the product's internal names: messages name fields as the form
does, history entries say what happened with formatted values, and rule names read as
sentences."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from firms.templatetags.words import (
    action_words,
    change_words,
    family_words,
    object_words,
    rule_words,
)
from tests.web.helpers import client_for


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("restriction.add", "Restriction added"),
        ("cashwithdrawal.remove", "Withdrawal removed"),
        ("withdrawal.remove", "Withdrawal removed"),
        ("proposal.approved", "Proposal approved"),
        ("model_version.publish", "Model version published"),
        ("something_new.happened", "Something new: happened"),
    ],
)
def test_actions_in_words(action, words):
    assert action_words(action) == words


def test_before_and_after_are_formatted_values_without_internal_keys():
    recorded = {
        "id": 18,
        "firm": 1,
        "account": 4,
        "amount_usd": "5000.00",
        "start_date": "2025-07-01",
        "end_date": None,
        "frequency": "one_time",
        "quantity": "4E+1",
        "weights": {"VTI": "0.26000000", "BND": "7.6E-1"},
        "short_term_rate": "0.3500",
        "harvest_losses": True,
    }
    assert change_words(recorded) == [
        ("Amount", "$5,000.00"),
        ("From", "2025-07-01"),
        ("Until", "—"),
        ("Frequency", "one time"),
        ("Quantity", "40"),
        ("Weights", "VTI 26 %, BND 76 %"),
        ("Short-term tax rate", "35 %"),
        ("Harvest losses", "Yes"),
    ]


def test_draft_lines_read_as_symbols_and_percentages():
    lines = [{"security": "VTI", "sub_model": None, "weight": "0.6000"}]
    assert change_words(lines) == [("", "VTI 60 %")]


def test_object_and_family_and_rule_names_in_words():
    assert object_words("CashWithdrawal object (18)") == "Withdrawal #18"
    assert object_words("ALPHA-000 Account 0") == "ALPHA-000 Account 0"
    assert family_words("model_version") == "Model versions"
    assert rule_words({"rule": "restriction", "detail": "do_not_sell AMAT"}) == "Do not sell AMAT"
    assert rule_words({"rule": "substitution", "detail": "VEA -> IEFA"}) == (
        "Hold IEFA instead of VEA"
    )
    assert rule_words({"rule": "gain_cap", "detail": "max_realized_gain 1234.50"}) == (
        "Cap on realized gains of $1,234.50"
    )
    assert rule_words({"rule": "wash_sale", "detail": "no wash sales"}) == "No wash sales"
    harvest = "loss harvest: $9.00 of loss lots sold in 1 stock; not bought back until after X"
    assert rule_words({"rule": "wash_sale", "detail": harvest}) == (
        f"No wash sales after the {harvest}"
    )


@pytest.mark.django_db
def test_a_withdrawal_ending_before_it_starts_is_refused_in_words(book):
    account = book.accounts[0]
    response = client_for(book.people["advisor"]).post(
        reverse("account_rule_add", args=[account.pk, "withdrawal"]),
        {
            "withdrawal-amount_usd": "100",
            "withdrawal-frequency": "monthly",
            "withdrawal-start_date": "2025-08-01",
            "withdrawal-end_date": "2025-07-01",
        },
    )
    text = html.unescape(response.content.decode())
    assert "must be on or after the start date" in text
    assert "__all__" not in text and "withdrawal_end_after_start" not in text


@pytest.mark.django_db
def test_rule_history_and_audit_filter_use_plain_words(book):
    # given a restriction added and a withdrawal added then removed
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    advisor.post(
        reverse("account_rule_add", args=[account.pk, "restriction"]),
        {"restriction-symbol": "VTI", "restriction-type": "do_not_sell", "restriction-reason": "x"},
    )
    advisor.post(
        reverse("account_rule_add", args=[account.pk, "withdrawal"]),
        {
            "withdrawal-amount_usd": "250",
            "withdrawal-frequency": "one_time",
            "withdrawal-start_date": "2025-08-01",
        },
    )
    withdrawal = account.withdrawals.get()
    advisor.post(reverse("account_rule_remove", args=[account.pk, "withdrawal", withdrawal.pk]))
    # when the history and the audit log are read
    page = html.unescape(
        advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    )
    history = page[page.index('<th scope="col">Before</th>') :]
    audit = html.unescape(
        client_for(book.people["compliance"]).get(reverse("audit_log")).content.decode()
    )
    # then each entry is in words
    assert "Restriction added" in history and "Do not sell VTI" in history
    assert "Withdrawal removed" in history
    assert "Withdrawal of $250.00 one time from 2025-08-01" in history
    assert " object (" not in history and "firm_id" not in history and "None" not in history
    assert '<option value="withdrawal">Withdrawals</option>' in audit
    assert "cashwithdrawal" not in audit
