"""The transition plan is a menu on the preference page (audited, bad input refused naming
the field); the account page shows the plan's progress and a proposal in a plan year says
it is a transition step with the year's budget used and left."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import PreferenceSet
from firms.models import AuditEvent
from rebalancer.actors import Actor
from tests.trading.builders import AS_OF
from tests.web.helpers import client_for
from trading.services.review import proposal_reoptimize


def test_the_transition_plan_is_a_menu_and_the_pages_show_its_progress(book):
    # given the advisor sets a three-year plan of $1,200 of tax a year from 2025
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]),
        {
            "transition_start_year": "2025",
            "transition_years": "3",
            "transition_budget_per_year_usd": "1200",
        },
    )
    assert response.status_code == 302
    saved = PreferenceSet.objects.get(account=account)
    assert (
        saved.transition_start_year,
        saved.transition_years,
        saved.transition_budget_per_year_usd,
    ) == (2025, 3, Decimal("1200.00"))
    assert AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk)
    # and a proposal made now is a transition step of year 1 of 3
    proposal = proposal_reoptimize(
        firm=book.firm, actor=Actor.person(book.people["advisor"]), account=account, as_of=AS_OF
    )
    shown = advisor.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    assert "transition plan: year 1 of 3" in shown
    assert "Of the year's $1,200.00 of tax, $1,200.00 was left" in shown
    # each of its trades says it is a transition step, as a chip and in its sentence
    trades = list(proposal.trades.all())
    assert trades and all("transition_step" in t.reasons for t in trades)
    assert shown.count('data-reason="transition_step">Transition step</span>') == len(trades)
    assert "A step of the account&#x27;s transition plan" in shown
    # then the account page shows the plan: its years, the tax spent, the tracking error
    page = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert "Transition plan 2025–2027" in page
    assert '<dd id="transition-spent-earlier">$0.00</dd>' in page
    assert 'id="transition-te-now"' in page
    assert page.count("%/yr</td></tr>") >= 3


def test_a_bad_transition_plan_is_refused_naming_the_field_and_nothing_is_saved(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]), {"transition_years": "0"}
    )
    assert response.status_code == 200
    assert "Transition plan: years" in response.content.decode()
    assert not PreferenceSet.objects.filter(account=account, transition_years=0)
    assert not AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk)
