"""Multi-factor sign-in in a real browser: set up an authenticator from the Security page
(QR code drawn, no script), save the recovery codes, sign in again with a code."""

from __future__ import annotations

import time

import pyotp
import pytest

from firms.models import MfaDevice
from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def test_a_person_sets_up_an_authenticator_and_signs_in_with_it(
    live_server, page, firm_a, advisor_a
):
    log_in(page, live_server, "advisor-a", PASSWORD)
    page.get_by_role("link", name="Security").click()
    page.get_by_role("button", name="Set up an authenticator app").click()
    assert (
        page.get_by_role("img", name="QR code to scan with your authenticator app")
        .locator("svg")
        .is_visible()
    )
    secret = page.locator("code.secret").first.inner_text().replace(" ", "")
    assert secret == MfaDevice.objects.get(user=advisor_a).secret
    shot(page, "mfa-setup")
    totp = pyotp.TOTP(secret)
    # the code of the step before now, which the server accepts for clock drift: not in
    # the last seconds of a step, or the server may check it two steps on
    if time.time() % 30 > 20:
        time.sleep(31 - time.time() % 30)
    page.get_by_label("Code from your app").fill(totp.at(time.time() - 30))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("Your recovery codes").wait_for()
    assert page.locator("ol.codes li").count() == 10
    page.get_by_role("link", name="I have saved them").click()
    page.get_by_text("Multi-factor sign-in is on").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill("advisor-a")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(totp.now())
    shot(page, "mfa-code-step")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    assert page.get_by_role("link", name="Security").is_visible()
