"""The gain caps' menus say whose a cap is; the account page and the proposal show what is
left of the year's cap."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import GainCapScope, PreferenceSet
from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.trading.builders import AS_OF
from tests.web.helpers import client_for
from trading.services.review import proposal_reoptimize


def test_a_household_shares_its_cap_and_the_pages_show_what_is_left(book):
    # given the household of the first account sets a shared $6,000 cap on the menu
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("household_preferences", args=[account.household_id]),
        {"max_realized_gain_usd": "6000", "gain_cap_scope": "household"},
    )
    assert response.status_code == 302
    saved = PreferenceSet.objects.get(household=account.household)
    assert (saved.max_realized_gain_usd, saved.gain_cap_scope) == (
        Decimal("6000.00"),
        GainCapScope.HOUSEHOLD,
    )
    event = AuditEvent.objects.filter(action="preferences.update").latest("pk")
    assert event.before == {"gain_cap_scope": "account", "max_realized_gain_usd": None}
    assert event.after == {"gain_cap_scope": "household", "max_realized_gain_usd": "6000.00"}
    # then the account's menu says the cap is the household's, shared
    menu = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    assert "$6,000.00 shared by the household" in menu
    assert "otherwise the household&#x27;s (its own or shared" in menu
    # and the account page shows the room left (nothing realized, nothing approved)
    page = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert '<dd id="room-net">$6,000.00' in page
    assert "of the household's shared cap" in page
    # and a proposal made now shows the room it was given and what it leaves
    proposal = proposal_reoptimize(
        firm=book.firm, actor=Actor.person(book.people["advisor"]), account=account, as_of=AS_OF
    )
    shown = advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert '<td class="num" id="room-net">$6,000.00</td>' in shown


def test_whose_caps_is_refused_when_unknown_and_nothing_is_saved(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("household_preferences", args=[account.household_id]),
        {"max_realized_gain_usd": "6000", "gain_cap_scope": "family"},
    )
    assert response.status_code == 200
    assert "Select a valid choice. family is not one of the available choices." in (
        response.content.decode()
    )
    assert not PreferenceSet.objects.filter(household=account.household).exists()


def test_the_wait_for_long_term_is_a_menu_with_its_default_and_an_audit_record(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    menu = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    assert "Wait for long-term (days)" in menu
    assert "30 days" in menu
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]), {"long_term_wait_days": "400"}
    )
    assert "Ensure this value is less than or equal to 365." in response.content.decode()
    assert not PreferenceSet.objects.filter(account=account).exists()
    advisor.post(reverse("account_preferences", args=[account.pk]), {"long_term_wait_days": "10"})
    assert PreferenceSet.objects.get(account=account).long_term_wait_days == 10
    event = AuditEvent.objects.filter(action="preferences.update").latest("pk")
    assert (event.before, event.after) == (
        {"long_term_wait_days": None},
        {"long_term_wait_days": 10},
    )
