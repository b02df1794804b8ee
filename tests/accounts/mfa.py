"""Helpers for the multi-factor sign-in tests: real enrolment through the services, real
TOTP codes from pyotp."""

from __future__ import annotations

import time

import pyotp
from django.urls import reverse

from firms.services.mfa import mfa_enrolment_confirm, mfa_enrolment_start
from tests.factories import PASSWORD


def enrol(user, firm=None) -> tuple[pyotp.TOTP, list[str]]:
    """Turn multi-factor sign-in on for ``user``; returns their app and recovery codes.

    Confirmed with the previous step's code, so the current code is still unused."""
    device = mfa_enrolment_start(user=user)
    totp = pyotp.TOTP(device.secret)
    codes = mfa_enrolment_confirm(user=user, firm=firm, code=totp.at(time.time() - 30))
    return totp, codes


def password_step(client, username: str, *, password: str = PASSWORD, address="10.0.0.1", **q):
    url = reverse("login") + (f"?next={q['next']}" if "next" in q else "")
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def code_step(client, code: str, *, address="10.0.0.1"):
    return client.post(reverse("login_code"), {"code": code}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session
