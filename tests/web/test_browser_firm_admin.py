"""Firm administration in a real browser: a firm admin invites a person (who sets their
password through the one-time link and signs in), changes a role, issues and revokes an API
key, turns four eyes on and asks to turn it off (a second admin approves), moves the
nightly run and sets the review rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from firms.models import ApiKey, Firm, Membership, Role
from firms.review_rules import BULK_APPROVABLE_FLAGS
from tests.factories import PASSWORD
from tests.web.browser import log_in, requires_chromium, shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    requires_chromium,
]


def test_a_firm_admin_runs_the_firm_from_the_web_ui(
    live_server, browser, page, firm_a, admin_a, advisor_a, advisor_b, member_factory
):
    member_factory(firm_a, Role.FIRM_ADMIN, "admin2-a")
    log_in(page, live_server, "admin-a", PASSWORD)
    page.get_by_role("link", name="Firm").click()
    page.get_by_role("heading", name="People and roles · Alpha Advisors").wait_for()
    assert page.locator('tr[data-member="advisor-a"]').is_visible()
    assert page.locator('tr[data-member="advisor-b"]').count() == 0

    # invite a trader
    page.get_by_label("Username").fill("tom")
    page.locator("#id_role").select_option("trader")
    page.get_by_role("button", name="Invite").click()
    link = page.get_by_test_id("set-password-link").inner_text()
    shot(page, "firm-admin-invited")

    # change advisor-a's role
    page.get_by_label("Role of advisor-a", exact=True).select_option("compliance")
    page.get_by_role("button", name="Change the role of advisor-a").click()
    page.get_by_text("advisor-a is now a Compliance.").wait_for()
    assert Membership.objects.get(user=advisor_a).role == Role.COMPLIANCE

    # issue and revoke an API key
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("custodian-feed")
    page.get_by_label("Read").check()
    page.get_by_role("button", name="Issue key").click()
    key = ApiKey.objects.get(firm=firm_a, name="custodian-feed")
    assert page.get_by_test_id("issued-key").inner_text().startswith(f"rbk_{key.prefix}_")
    shot(page, "firm-admin-key-issued")
    page.get_by_role("link", name="Revoke custodian-feed").click()
    page.get_by_role("button", name="Revoke custodian-feed").click()
    page.get_by_text("is revoked: it no longer works").wait_for()
    key.refresh_from_db()
    assert key.revoked_at is not None

    # four eyes on at once; off asked for, approved by the other admin
    page.get_by_role("link", name="Four eyes, review rules and nightly run").click()
    page.get_by_role("button", name="Turn four eyes on").click()
    page.get_by_text("Four eyes is on:", exact=False).first.wait_for()
    page.get_by_role("button", name="Ask to turn four eyes off").click()
    page.get_by_text("Another firm admin must approve.").wait_for()
    assert Firm.objects.get(pk=firm_a.pk).require_four_eyes

    # the nightly run
    page.get_by_label("Nightly run time (local, 24-hour)").fill("22:15")
    page.get_by_label("Time zone").fill("Europe/London")
    page.get_by_role("button", name="Save schedule").click()
    page.get_by_text("The nightly run is now at 22:15 Europe/London.").wait_for()
    firm = Firm.objects.get(pk=firm_a.pk)
    assert (firm.nightly_run_time, firm.timezone) == (dt.time(22, 15), "Europe/London")
    shot(page, "firm-admin-settings")

    # the review rules: the thresholds, and a flag that bulk approval lets through
    page.get_by_label("Flag a proposal that turns over more than (% of the account)").fill("30")
    page.get_by_label("Flag a proposal whose estimated tax is more than ($)").fill("2500")
    page.get_by_label(BULK_APPROVABLE_FLAGS["drift_forced"]).check()
    page.get_by_role("button", name="Save review rules").click()
    page.get_by_text("Review rules saved.", exact=False).wait_for()
    firm = Firm.objects.get(pk=firm_a.pk)
    assert firm.turnover_flag_threshold == Decimal("0.3")
    assert firm.tax_flag_threshold_usd == Decimal("2500")
    assert firm.bulk_approvable_flags == ["drift_forced"]
    assert page.get_by_label(BULK_APPROVABLE_FLAGS["drift_forced"]).is_checked()
    turnover = page.get_by_label("Flag a proposal that turns over more than (% of the account)")
    assert turnover.input_value() == "30"
    shot(page, "firm-admin-review-rules")

    second = browser.new_page()
    log_in(second, live_server, "admin2-a", PASSWORD)
    second.goto(f"{live_server.url}/firm/settings/")
    second.get_by_role("button", name="Approve turning four eyes off").click()
    second.get_by_text("Four eyes is off: one trader's approval is enough.").first.wait_for()
    assert not Firm.objects.get(pk=firm_a.pk).require_four_eyes

    # the invited person sets a password and signs in, and sees no firm administration
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    page.locator("#id_new_password1").fill("tom-s-own-password-9")
    page.locator("#id_new_password2").fill("tom-s-own-password-9")
    page.get_by_role("button", name="Set password").click()
    log_in(page, live_server, "tom", "tom-s-own-password-9")
    assert page.get_by_role("link", name="Firm", exact=True).count() == 0
    assert page.goto(f"{live_server.url}/firm/members/").status == 403
