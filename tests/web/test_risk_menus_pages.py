"""The risk menus on the pages: the preference page's rows with where each effective value
comes from, the account page's card, the model page's own limit; bad input named on its
field, nothing saved; only model managers set a model's limit."""

from __future__ import annotations

from django.urls import reverse

from accounts.models import PreferenceSet
from firms.models import AuditEvent
from models_library.models import ModelPortfolio
from tests.web.helpers import client_for
from tests.web.pages import MANAGERS

from .test_actions_by_role import _refused


def _row(html: str, label: str, next_label: str) -> str:
    return html[html.index(label) : html.index(next_label)]


def test_the_account_page_and_preferences_say_where_each_limit_comes_from(book):
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    # the book's model holds securities typed as stocks: a direct-index model
    detail = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    card = detail[detail.index("Tracking and trade limits") :]
    assert '1 % a year <span class="source">(default for a direct-index model)' in card
    assert 'Medium: the product default (1) <span class="source">(default)' in card
    assert 'No limit <span class="source">(default)' in card
    # when the household sets a sector limit and the account a tracking-error limit
    household_url = reverse("household_preferences", args=[account.household_id])
    assert advisor.post(household_url, {"sector_limit_pct": "2"}).status_code == 302
    url = reverse("account_preferences", args=[account.pk])
    saved = advisor.post(url, {"tracking_error_limit_pct": "0.8", "risk_aversion": "0.25"})
    assert saved.status_code == 302
    html = advisor.get(url).content.decode()
    te = _row(html, "Tracking-error limit (% a year)", "Tax sensitivity")
    assert 'value="0.80"' in te and "0.8 % a year" in te and "(account)" in te
    assert "The model&#x27;s" in te
    sensitivity = _row(html, "Tax sensitivity", "Minimum benefit beyond cost ($)")
    assert '<option value="0.25" selected>' in sensitivity
    sector = _row(html, "Sector limit (", "Asset-class limit (")
    assert "± 2 %" in sector and "(household)" in sector
    detail = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert '0.8 % a year <span class="source">(account)' in detail
    assert '± 2 % <span class="source">(household)' in detail


def test_menu_errors_name_the_field_and_save_nothing(book):
    account = book.accounts[0]
    response = client_for(book.people["advisor"]).post(
        reverse("account_preferences", args=[account.pk]),
        {
            "tracking_error_limit_pct": "-1",
            "sector_limit_pct": "101",
            "asset_class_limit_pct": "many",
            "risk_aversion": "-3",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Must be greater than 0 (percent a year)." in html
    assert "Must be at most 100 (percent)." in html
    assert "Enter a number (percent)." in html
    assert "Select a valid choice. -3 is not one of the available choices." in html
    assert not PreferenceSet.objects.filter(account=account).exists()


def test_a_model_manager_sets_the_models_own_limit(book, outsiders):
    model = book.model
    url = reverse("model_settings", args=[model.pk])
    state = lambda: ModelPortfolio.objects.get(pk=model.pk).tracking_error_limit_pct  # noqa: E731
    _refused(book, outsiders, MANAGERS, url, {"tracking_error_limit_pct": "0.4"}, state=state)
    modeler = client_for(book.people["modeler"])
    page = modeler.get(reverse("model_detail", args=[model.pk])).content.decode()
    assert "This is a direct-index model" in page
    assert "the product default is 1.0 % a year" in page
    # a bad limit is named and nothing is saved
    bad = modeler.post(url, {"tracking_error_limit_pct": "150"})
    assert bad.status_code == 200
    assert "Must be at most 100 (percent a year)." in bad.content.decode()
    assert state() is None
    # a good one is saved, audited, and the model's accounts take it
    assert modeler.post(url, {"tracking_error_limit_pct": "0.4"}).status_code == 302
    assert str(state()) == "0.40"
    assert AuditEvent.objects.filter(action="model.update", object_id=str(model.pk)).count() == 1
    account = book.accounts[0]
    advisor = client_for(book.people["advisor"])
    detail = advisor.get(reverse("account_detail", args=[account.pk])).content.decode()
    assert f'0.4 % a year <span class="source">(model {model.name})' in detail
