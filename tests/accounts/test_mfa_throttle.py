"""Wrong codes are limited per person and per address, answered 429 with a retry time."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from firms.services import mfa_throttle
from firms.services.attempt_throttle import Lockout
from tests.accounts.mfa import code_step, enrol, password_step, signed_in
from tests.factories import PASSWORD
from tests.web.helpers import client_for


def _wrong(totp) -> str:
    return str((int(totp.now()) + 1) % 1_000_000).zfill(6)


def test_five_wrong_codes_lock_the_person_even_with_the_right_code(client, advisor_a):
    totp, codes = enrol(advisor_a)
    password_step(client, "advisor-a")
    for _ in range(mfa_throttle.MAX_PER_USER):
        assert code_step(client, _wrong(totp)).status_code == 200
    response = code_step(client, totp.now())
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many wrong codes. For your security, try again in 15 minutes." in (
        response.content.decode()
    )
    assert code_step(client, codes[0]).status_code == 429
    assert not signed_in(client)
    # from another address too: the count is the person's
    other = Client()
    password_step(other, "advisor-a", address="10.9.9.9")
    assert code_step(other, totp.now(), address="10.9.9.9").status_code == 429


def test_one_address_trying_many_people_is_locked(firm_a, member_factory):
    people = [member_factory(firm_a, "advisor", f"person-{i}") for i in range(5)]
    apps = [enrol(person)[0] for person in people]
    per_person = mfa_throttle.MAX_PER_ADDRESS // len(people[:-1])
    for person, totp in zip(people[:-1], apps, strict=False):
        client = Client()
        password_step(client, person.username, address="192.0.2.7")
        for _ in range(per_person):
            code_step(client, _wrong(totp), address="192.0.2.7")
    last, last_app = people[-1], apps[-1]
    locked = Client()
    password_step(locked, last.username, address="192.0.2.7")
    assert code_step(locked, last_app.now(), address="192.0.2.7").status_code == 429
    elsewhere = Client()
    password_step(elsewhere, last.username, address="192.0.2.8")
    assert code_step(elsewhere, last_app.now(), address="192.0.2.8").status_code == 302


def test_a_right_code_clears_the_persons_count(advisor_a):
    totp, codes = enrol(advisor_a)
    client = Client()
    password_step(client, "advisor-a")
    for _ in range(mfa_throttle.MAX_PER_USER - 1):
        code_step(client, _wrong(totp))
    assert code_step(client, codes[0]).status_code == 302
    again = Client()
    password_step(again, "advisor-a")
    for _ in range(mfa_throttle.MAX_PER_USER - 1):
        assert code_step(again, _wrong(totp)).status_code == 200
    assert code_step(again, codes[1]).status_code == 302


def test_codes_asked_again_are_throttled_too(advisor_a):
    totp, _ = enrol(advisor_a)
    client = client_for(advisor_a)
    for _ in range(mfa_throttle.MAX_PER_USER):
        response = client.post(reverse("reauth"), {"password": PASSWORD, "code": _wrong(totp)})
        assert response.status_code == 200
    locked = client.post(reverse("reauth"), {"password": PASSWORD, "code": totp.now()})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    off = client.post(reverse("mfa_turn_off"), {"password": PASSWORD, "code": totp.now()})
    assert off.status_code == 429
    assert "Too many wrong codes" in off.content.decode()


def test_the_lockout_message_names_what_failed():
    assert Lockout(retry_after_seconds=61, what="wrong codes").message == (
        "Too many wrong codes. For your security, try again in 2 minutes."
    )
