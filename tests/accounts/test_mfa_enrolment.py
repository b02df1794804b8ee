"""Setting up an authenticator app, recovery codes shown once and stored hashed, new
codes and turning it off (each with the password and a code), all audited."""

from __future__ import annotations

import hashlib
import re
import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from firms.models import AuditEvent, MfaDevice, MfaRecoveryCode
from firms.services.mfa_codes import mfa_verify
from rebalancer.errors import DomainError
from tests.accounts.mfa import enrol, password_step, signed_in
from tests.factories import PASSWORD
from tests.web.helpers import client_for

CODE = re.compile(r"<code>([0-9a-z]{5}-[0-9a-z]{5})</code>")


def _start(client) -> pyotp.TOTP:
    assert client.post(reverse("mfa_enrol")).status_code == 302
    return pyotp.TOTP(MfaDevice.objects.get().secret)


def test_the_security_page_needs_a_sign_in(client):
    response = client.get(reverse("security"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_nav_links_to_the_security_page(advisor_a):
    page = client_for(advisor_a).get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("security")}"' in page


def test_starting_shows_the_secret_and_a_qr_code_and_changes_nothing_at_sign_in(advisor_a):
    client = client_for(advisor_a)
    totp = _start(client)
    page = client.get(reverse("security"))
    body = page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert "<svg" in body and "otpauth://totp/Rebalancer:advisor-a?secret=" in body
    assert totp.secret[:4] + " " + totp.secret[4:8] in body
    assert MfaDevice.objects.get(user=advisor_a).confirmed_at is None
    # an unconfirmed device is not asked for at sign-in
    anonymous = Client()
    assert password_step(anonymous, "advisor-a").status_code == 302
    assert signed_in(anonymous)


def test_a_wrong_code_is_refused(advisor_a):
    client = client_for(advisor_a)
    totp = _start(client)
    wrong = str((int(totp.now()) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("mfa_confirm"), {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert MfaDevice.objects.get().confirmed_at is None
    assert MfaRecoveryCode.objects.count() == 0
    assert not AuditEvent.objects.filter(action="mfa.enable").exists()


def test_the_right_code_turns_it_on_and_shows_ten_recovery_codes_once(advisor_a, firm_a):
    client = client_for(advisor_a)
    totp = _start(client)
    response = client.post(reverse("mfa_confirm"), {"code": totp.now()})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    device = MfaDevice.objects.get(user=advisor_a)
    assert device.confirmed_at is not None
    # stored only as salted digests
    stored = list(MfaRecoveryCode.objects.filter(device=device))
    assert len(stored) == 10
    assert len({row.salt for row in stored}) == 10
    columns = {value for row in stored for value in (row.salt, row.digest)}
    for code in codes:
        assert code not in columns and code.replace("-", "") not in columns
        assert hashlib.sha256(code.replace("-", "").encode()).hexdigest() not in columns
    # and never shown again
    later = client.get(reverse("security")).content.decode()
    assert not any(code in later for code in codes)
    assert "10 of 10" in later
    event = AuditEvent.objects.get(action="mfa.enable")
    assert event.after is not None
    assert (event.firm, event.actor, event.before, event.after["mfa"]) == (
        firm_a,
        advisor_a,
        {"mfa": False},
        True,
    )


def test_enrolling_twice_is_refused(advisor_a):
    enrol(advisor_a)
    response = client_for(advisor_a).post(reverse("mfa_enrol"), follow=True)
    assert "Multi-factor sign-in is already on." in response.content.decode()


def test_new_recovery_codes_need_the_password_and_a_code(advisor_a, firm_a):
    totp, old = enrol(advisor_a)
    client = client_for(advisor_a)
    url = reverse("mfa_codes_regenerate")
    wrong_password = client.post(url, {"password": "nope", "code": totp.now()})
    assert wrong_password.status_code == 400
    assert "That password is not right." in wrong_password.content.decode()
    no_code = client.post(url, {"password": PASSWORD, "code": ""})
    assert no_code.status_code == 400
    response = client.post(url, {"password": PASSWORD, "code": totp.now()})
    assert response.status_code == 200
    new = CODE.findall(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    with pytest.raises(DomainError):
        mfa_verify(user=advisor_a, code=old[0])
    assert mfa_verify(user=advisor_a, code=new[0]) == "recovery"
    assert AuditEvent.objects.filter(firm=firm_a, action="mfa.recovery_codes_regenerate").count()


def test_turning_it_off_needs_the_password_and_a_code(advisor_a, firm_a):
    totp, codes = enrol(advisor_a)
    client = client_for(advisor_a)
    url = reverse("mfa_turn_off")
    refused = client.post(url, {"password": PASSWORD, "code": "000000"})
    assert refused.status_code == 400
    assert MfaDevice.objects.filter(user=advisor_a).exists()
    response = client.post(url, {"password": PASSWORD, "code": codes[3]})
    assert response.status_code == 302
    assert not MfaDevice.objects.filter(user=advisor_a).exists()
    assert MfaRecoveryCode.objects.count() == 0
    event = AuditEvent.objects.get(action="mfa.disable")
    assert (event.firm, event.actor, event.after) == (firm_a, advisor_a, {"mfa": False})
    # a password alone signs in again
    fresh = Client()
    assert password_step(fresh, "advisor-a").status_code == 302 and signed_in(fresh)


def test_the_second_factor_belongs_to_the_person_not_a_firm():
    assert "firm" not in {f.name for f in MfaDevice._meta.get_fields()}
    assert "firm" not in {f.name for f in MfaRecoveryCode._meta.get_fields()}


def test_a_code_from_one_step_either_side_is_accepted_but_not_two(advisor_a):
    device = MfaDevice(user=advisor_a)
    device.secret = pyotp.random_base32()
    device.save()
    totp = pyotp.TOTP(device.secret)
    client = client_for(advisor_a)
    two_steps_ago = client.post(reverse("mfa_confirm"), {"code": totp.at(time.time() - 60)})
    assert two_steps_ago.status_code == 400
    next_step = client.post(reverse("mfa_confirm"), {"code": totp.at(time.time() + 30)})
    assert next_step.status_code == 200
