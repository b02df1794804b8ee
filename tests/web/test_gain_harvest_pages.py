"""The gain-harvest menu on the preference page: saved, audited, a negative amount refused."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from accounts.models import PreferenceSet
from firms.models import AuditEvent
from tests.web.helpers import client_for


def test_harvest_gains_up_to_is_set_on_the_account_menu_and_audited(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    form = advisor.get(reverse("account_preferences", args=[account.pk])).content.decode()
    assert "Harvest gains up to ($ of long-term gain)" in form

    response = advisor.post(
        reverse("account_preferences", args=[account.pk]), {"harvest_gains_up_to_usd": "12000"}
    )

    assert response.status_code == 302
    saved = PreferenceSet.objects.get(account=account)
    assert saved.harvest_gains_up_to_usd == Decimal("12000.00")
    event = AuditEvent.objects.get(action="preferences.update", account_id_ref=account.pk)
    assert event.after == {"harvest_gains_up_to_usd": "12000.00"}


def test_a_negative_harvest_amount_is_refused_and_nothing_is_saved(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    response = advisor.post(
        reverse("account_preferences", args=[account.pk]), {"harvest_gains_up_to_usd": "-5"}
    )
    assert response.status_code == 200
    assert "Harvest gains up to" in response.content.decode()
    assert not PreferenceSet.objects.filter(account=account, harvest_gains_up_to_usd__isnull=False)
    assert not AuditEvent.objects.filter(action="preferences.update", account_id_ref=account.pk)
