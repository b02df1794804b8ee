"""Each role opens the pages it may read (200) and is refused the others (403); another
firm's people get 404 on every page that names one of this firm's objects."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firms.permissions import ROLE_ACTIONS, Action, can
from tests.web.helpers import client_for
from tests.web.pages import object_pages, pages

from .conftest import ROLES


def test_each_role_gets_exactly_its_pages(book):
    for name, role in ROLES.items():
        client = client_for(book.people[name])
        for page, url, allowed in pages(book):
            expected = 200 if name in allowed else 403
            assert client.get(url).status_code == expected, (name, role, page, url)


def test_other_firm_gets_404_on_every_object_page(book, outsiders):
    for name, user in outsiders.items():
        client = client_for(user)
        for page, url in object_pages(book):
            assert client.get(url).status_code == 404, (name, page)


def test_other_firm_lists_show_none_of_this_firm(book, outsiders):
    client = client_for(outsiders["admin"])
    number = book.accounts[0].account_number
    for name in ("dashboard", "households", "accounts", "proposals", "models", "runs", "audit_log"):
        for query in ({}, {"q": number}):
            content = client.get(reverse(name), query).content.decode()
            assert f">{number}</a>" not in content, name
            assert ">60/40<" not in content, name


def test_anonymous_is_sent_to_login(book):
    from django.test import Client

    for page, url, _ in pages(book):
        response = Client().get(url)
        assert response.status_code == 302, page
        assert response["Location"].startswith(reverse("login"))


def test_home_sends_each_role_to_its_start_page(book):
    starts = {
        "admin": "dashboard",
        "advisor": "dashboard",
        "compliance": "dashboard",
        "modeler": "models",
        "trader": "blotters",
    }
    for name, target in starts.items():
        response = client_for(book.people[name]).get(reverse("home"))
        assert response["Location"] == reverse(target), name


def test_navigation_shows_what_the_role_may_open(book):
    trader = client_for(book.people["trader"]).get(reverse("blotters")).content.decode()
    assert 'href="/blotters/"' in trader
    assert 'href="/audit/"' not in trader
    assert 'href="/models/"' not in trader
    compliance = client_for(book.people["compliance"]).get(reverse("dashboard")).content.decode()
    assert 'href="/audit/"' in compliance


@pytest.mark.parametrize("role", list(ROLES.values()))
def test_compliance_reads_everything_and_changes_nothing(role):
    allowed = ROLE_ACTIONS[role]
    if role == "compliance":
        assert {Action.VIEW_AUDIT, Action.VIEW_BLOTTERS, Action.VIEW_RUNS} <= allowed
        assert not allowed & {
            Action.REVIEW_PROPOSALS,
            Action.EDIT_PREFERENCES,
            Action.MANAGE_MODELS,
            Action.TRADE,
            Action.RERUN,
        }
    if role == "firm_admin":
        assert allowed == frozenset(Action)


def test_can_is_false_without_membership():
    assert can(None, Action.VIEW_BOOK) is False


def test_buttons_appear_only_for_roles_that_may_press_them(book):
    proposal = book.proposals[0]
    account = book.accounts[0]
    pages = {
        reverse("proposal_detail", args=[proposal.pk]): (">Approve</button>", {"admin", "advisor"}),
        reverse("account_preferences", args=[account.pk]): (
            "Save preferences",
            {"admin", "advisor"},
        ),
        reverse("account_detail", args=[account.pk]): ("Re-optimize now", {"admin", "advisor"}),
        reverse("version_detail", args=[book.version.pk]): (
            "What if? (sample of accounts)",
            {"admin", "modeler"},
        ),
        reverse("run_detail", args=[book.run.pk]): ("Rerun failed accounts", set()),
    }
    for name in ROLES:
        client = client_for(book.people[name])
        for url, (button, allowed) in pages.items():
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert (button in response.content.decode()) == (name in allowed), (name, url)
    edit_box = f'id="qty-{proposal.trades.first().pk}"'
    assert (
        edit_box
        not in client_for(book.people["compliance"])
        .get(reverse("proposal_detail", args=[proposal.pk]))
        .content.decode()
    )
