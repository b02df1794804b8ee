"""Every page of the firm: its own users see it, another firm's users get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from firms.models import Role
from tests.factories import AccountFactory, ClientFactory, HouseholdFactory


@pytest.fixture
def book_a(firm_a, advisor_a):
    household = HouseholdFactory(firm=firm_a, name="Lovelace Family", advisor=advisor_a)
    ClientFactory(household=household, first_name="Ada", last_name="Lovelace")
    account = AccountFactory(household=household, account_number="A-0001", name="Ada Taxable")
    return household, account


def _login(client, user):
    client.force_login(user)
    return client


def test_login_page_renders_for_anonymous(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("households"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_with_password_then_logout(client, advisor_a):
    # when
    response = client.post(
        reverse("login"), {"username": "advisor-a", "password": "correct-horse-battery-staple"}
    )
    # then
    assert response.status_code == 302
    assert client.get(reverse("households")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("households")).status_code == 302


def test_owner_sees_household_and_account(client, advisor_a, book_a):
    household, account = book_a
    _login(client, advisor_a)
    assert b"Lovelace Family" in client.get(reverse("households")).content
    assert b"A-0001" in client.get(reverse("accounts")).content
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200
    assert client.get(reverse("account_detail", args=[account.pk])).status_code == 200


@pytest.mark.parametrize("name", ["household_detail", "account_detail"])
def test_other_firm_gets_404_on_detail_pages(client, advisor_b, book_a, name):
    household, account = book_a
    _login(client, advisor_b)
    pk = household.pk if name == "household_detail" else account.pk
    assert client.get(reverse(name, args=[pk])).status_code == 404


def test_other_firm_lists_and_search_show_nothing(client, advisor_b, book_a):
    _login(client, advisor_b)
    for url in (reverse("households"), reverse("accounts")):
        content = client.get(url, {"q": "Lovelace"}).content
        assert b"Lovelace Family" not in content
        assert b"A-0001" not in client.get(url).content


def test_advisor_sees_only_own_households_unless_firm_allows_all(
    client, firm_a, advisor_a, member_factory, book_a
):
    # given another advisor in the same firm
    other = member_factory(firm_a, Role.ADVISOR, "advisor-a2")
    _login(client, other)
    household, account = book_a
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 404
    assert b"A-0001" not in client.get(reverse("accounts")).content
    # when the firm lets advisors see every household
    firm_a.advisors_see_all_households = True
    firm_a.save()
    # then
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200


def test_compliance_sees_every_household_of_its_firm(client, firm_a, member_factory, book_a):
    household, _ = book_a
    _login(client, member_factory(firm_a, Role.COMPLIANCE, "compliance-a"))
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200


def test_user_without_firm_gets_404(client, db):
    from tests.factories import UserFactory

    _login(client, UserFactory(username="loner"))
    assert client.get(reverse("households")).status_code == 404
