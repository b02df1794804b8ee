"""The tax menus on the preference page; the account page and the proposal show what is
left of the year's tax budget."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import PreferenceSet
from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.trading.builders import AS_OF
from tests.web.helpers import client_for
from trading.services.review import proposal_reoptimize


def test_the_tax_budget_is_a_menu_and_the_pages_show_what_is_left(book):
    # given the advisor sets an $8,000 tax budget and a filer on the account's menu
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]),
        {"annual_tax_budget_usd": "8000", "tax_filer": "Pat", "carryforward_years": "2"},
    )
    assert response.status_code == 302
    saved = PreferenceSet.objects.get(account=account)
    assert (saved.annual_tax_budget_usd, saved.tax_filer, saved.carryforward_years) == (
        Decimal("8000.00"),
        "Pat",
        Decimal("2.00"),
    )
    assert AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk)
    # then the account page shows the budget left (nothing realized this year)
    page = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert '<dd id="tax-budget-left">$8,000.00' in page
    assert "realized this year by Pat have cost $0.00" in page
    # and a proposal made now shows the room it was given, what it spends and what is left
    proposal = proposal_reoptimize(
        firm=book.firm, actor=Actor.person(book.people["advisor"]), account=account, as_of=AS_OF
    )
    shown = advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert '<td class="num" id="budget-room">$8,000.00</td>' in shown
    assert 'id="budget-left">' in shown


def test_a_negative_tax_budget_is_refused_naming_the_field_and_nothing_is_saved(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]), {"annual_tax_budget_usd": "-5"}
    )
    assert response.status_code == 200
    assert "Tax budget this year" in response.content.decode()
    assert not PreferenceSet.objects.filter(account=account, annual_tax_budget_usd__lt=0)
    assert not AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk)
