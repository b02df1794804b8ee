"""Signing in with multi-factor sign-in on: the password, then an authenticator code or a
recovery code (each works once), within five minutes."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from firms.recent_auth import SESSION_KEY
from firms.services import login_throttle
from firms.views.auth import PENDING_KEY
from tests.accounts.mfa import code_step, enrol, password_step, signed_in


def test_the_password_alone_does_not_sign_in(client, advisor_a):
    enrol(advisor_a)
    response = password_step(client, "advisor-a")
    assert response.status_code == 302
    assert response.url == reverse("login_code")
    assert not signed_in(client)
    assert client.session[PENDING_KEY]["user_id"] == advisor_a.pk
    assert client.get(reverse("dashboard")).url.startswith(reverse("login"))
    page = client.get(reverse("login_code")).content.decode()
    assert "authenticator app" in page and "advisor-a" in page


def test_an_authenticator_code_signs_in_and_goes_where_asked(client, advisor_a):
    totp, _ = enrol(advisor_a)
    password_step(client, "advisor-a", next="/accounts/")
    response = code_step(client, totp.now())
    assert response.status_code == 302
    assert response.url == "/accounts/"
    assert signed_in(client)
    assert PENDING_KEY not in client.session
    assert SESSION_KEY in client.session
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_wrong_code_does_not_sign_in(client, advisor_a):
    totp, _ = enrol(advisor_a)
    password_step(client, "advisor-a")
    wrong = str((int(totp.now()) + 1) % 1_000_000).zfill(6)
    response = code_step(client, wrong)
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)


def test_the_same_code_cannot_be_used_twice(advisor_a):
    totp, _ = enrol(advisor_a)
    code = totp.now()
    first, second = Client(), Client()
    password_step(first, "advisor-a")
    assert code_step(first, code).status_code == 302
    password_step(second, "advisor-a")
    replay = code_step(second, code)
    assert replay.status_code == 200
    assert "already used" in replay.content.decode()
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(advisor_a):
    _, codes = enrol(advisor_a)
    first = Client()
    password_step(first, "advisor-a")
    response = code_step(first, codes[0].upper().replace("-", " "))
    assert response.status_code == 302 and signed_in(first)
    page = first.get(response.url, follow=True).content.decode()
    assert "You signed in with a recovery code; 9 left." in page
    again = Client()
    password_step(again, "advisor-a")
    assert code_step(again, codes[0]).status_code == 200
    assert not signed_in(again)
    assert code_step(again, codes[1]).status_code == 302 and signed_in(again)


def test_a_pending_sign_in_expires_after_five_minutes(client, advisor_a):
    totp, _ = enrol(advisor_a)
    password_step(client, "advisor-a")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "until": 0}
    session.save()
    response = code_step(client, totp.now())
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert not signed_in(client)


def test_the_code_step_needs_the_password_step_first(client):
    response = client.get(reverse("login_code"))
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_a_right_password_still_clears_failed_password_counts(client, advisor_a):
    totp, _ = enrol(advisor_a)
    for _ in range(login_throttle.MAX_PER_USERNAME - 1):
        assert password_step(client, "advisor-a", password="wrong").status_code == 200
    assert password_step(client, "advisor-a").url == reverse("login_code")
    for _ in range(login_throttle.MAX_PER_USERNAME - 1):
        password_step(client, "advisor-a", password="wrong")
    assert password_step(client, "advisor-a").url == reverse("login_code")
    assert code_step(client, totp.now()).status_code == 302


def test_the_admin_site_signs_in_through_the_same_steps(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=%2Fadmin%2F"
    outside = client.get("/admin/login/?next=https://evil.example/")
    assert outside.url == reverse("login") + "?next=%2Fadmin%2F"
