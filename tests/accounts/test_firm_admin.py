"""Firm administration: people and roles, API keys, the four-eyes rule and the nightly
schedule, for the firm's admins only, each change audited, one firm never seeing another's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from firms.models import ApiKey, AuditEvent, Firm, FourEyesOffRequest, Membership, Role
from firms.services.api_keys import api_key_authenticate, api_key_create
from firms.services.firm_settings import (
    firm_schedule_update,
    four_eyes_off_approve,
    four_eyes_off_cancel,
    four_eyes_off_request,
    four_eyes_turn_on,
)
from firms.services.members import member_invite, member_remove, member_role_change
from firms.services.review_rules import firm_review_rules_update
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from tests.factories import PASSWORD
from tests.web.helpers import client_for
from trading.services.schedule import firms_due

PAGES = ["firm_members", "firm_api_keys", "firm_settings"]


@pytest.fixture
def admin2_a(firm_a, member_factory):
    return member_factory(firm_a, Role.FIRM_ADMIN, "admin2-a")


@pytest.fixture
def admin_b(firm_b, member_factory):
    return member_factory(firm_b, Role.FIRM_ADMIN, "admin-b")


def _fields(exc: ValidationFailed) -> set[str | None]:
    return {field for _, field, _ in exc.errors}


# --- people and roles -------------------------------------------------------------------


def test_inviting_creates_a_member_with_a_one_time_password_link(firm_a, admin_a):
    invitation = member_invite(
        firm=firm_a, actor=Actor.person(admin_a), username="New.Person", email="", role="advisor"
    )
    user = invitation.membership.user
    assert (user.username, invitation.membership.role) == ("new.person", Role.ADVISOR)
    assert not user.has_usable_password()
    event = AuditEvent.objects.get(action="member.invite")
    assert (event.firm, event.actor, (event.after or {})["role"]) == (firm_a, admin_a, "advisor")

    client = Client()
    page = client.get(invitation.set_password_path)
    assert page.status_code == 200 and "Set your password, new.person" in page.content.decode()
    new = "a-long-new-password-42"
    done = client.post(invitation.set_password_path, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.login(username="new.person", password=new)
    # the link works once
    assert Client().get(invitation.set_password_path).status_code == 404


def test_inviting_refuses_bad_input_naming_each_field(firm_a, admin_a, advisor_b):
    with pytest.raises(ValidationFailed) as exc:
        member_invite(
            firm=firm_a,
            actor=Actor.person(admin_a),
            username="advisor-b",
            email="not-an-email",
            role="king",
        )
    assert _fields(exc.value) == {"username", "email", "role"}
    assert not Membership.objects.filter(firm=firm_a, user=advisor_b).exists()


def test_the_last_admin_is_neither_demoted_nor_removed(firm_a, admin_a, advisor_a):
    actor = Actor.person(admin_a)
    with pytest.raises(DomainError, match="only admin"):
        member_role_change(firm=firm_a, actor=actor, user_id=admin_a.pk, role="advisor")
    with pytest.raises(DomainError, match="only admin"):
        member_remove(firm=firm_a, actor=actor, user_id=admin_a.pk)
    member_role_change(firm=firm_a, actor=actor, user_id=advisor_a.pk, role="firm_admin")
    member_remove(firm=firm_a, actor=actor, user_id=admin_a.pk)
    assert not Membership.objects.get(firm=firm_a, user=admin_a).is_active
    assert list(
        AuditEvent.objects.filter(action__startswith="member.")
        .order_by("pk")
        .values_list("action", "object_repr")
    ) == [("member.role_change", "advisor-a"), ("member.remove", "admin-a")]


def test_services_never_reach_another_firms_member(firm_a, admin_a, advisor_b):
    with pytest.raises(DomainError):
        member_remove(firm=firm_a, actor=Actor.person(admin_a), user_id=advisor_b.pk)
    with pytest.raises(DomainError):
        member_role_change(
            firm=firm_a, actor=Actor.person(admin_a), user_id=advisor_b.pk, role="trader"
        )
    assert Membership.objects.get(user=advisor_b).is_active


def test_the_people_page_lists_only_the_firms_people_and_invites(
    firm_a, admin_a, advisor_a, advisor_b
):
    client = client_for(admin_a)
    page = client.get(reverse("firm_members")).content.decode()
    assert 'data-member="advisor-a"' in page and 'data-member="admin-a"' in page
    assert "advisor-b" not in page
    answer = client.post(
        reverse("firm_members"), {"username": "tina", "email": "t@example.com", "role": "trader"}
    )
    body = answer.content.decode()
    assert "tina is invited as Trader" in body and "/set-password/" in body
    bad = client.post(reverse("firm_members"), {"username": "", "role": "trader"})
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()
    taken = client.post(reverse("firm_members"), {"username": "advisor-a", "role": "trader"})
    assert "&#x27;advisor-a&#x27; is taken" in taken.content.decode()


def test_role_change_and_removal_through_the_pages(firm_a, admin_a, advisor_a, advisor_b):
    client = client_for(admin_a)
    done = client.post(reverse("member_role", args=[advisor_a.pk]), {"role": "trader"}, follow=True)
    assert "advisor-a is now a Trader." in done.content.decode()
    assert Membership.objects.get(user=advisor_a).role == Role.TRADER
    last = client.post(reverse("member_role", args=[admin_a.pk]), {"role": "advisor"}, follow=True)
    assert "the firm&#x27;s only admin" in last.content.decode()
    confirm = client.get(reverse("member_remove", args=[advisor_a.pk]))
    assert "Remove advisor-a from Alpha Advisors?" in confirm.content.decode()
    client.post(reverse("member_remove", args=[advisor_a.pk]))
    assert not Membership.objects.get(user=advisor_a).is_active
    # another firm's member is not found
    assert client.post(reverse("member_remove", args=[advisor_b.pk])).status_code == 404
    assert (
        client.post(reverse("member_role", args=[advisor_b.pk]), {"role": "trader"}).status_code
        == 404
    )


# --- API keys ---------------------------------------------------------------------------


def test_issuing_shows_the_key_once_and_it_works_until_revoked(firm_a, admin_a):
    client = client_for(admin_a)
    answer = client.post(reverse("firm_api_keys"), {"name": "feed", "scopes": ["read", "import"]})
    body = answer.content.decode()
    key = ApiKey.objects.get(firm=firm_a, name="feed")
    assert answer["Cache-Control"] == "no-store"
    raw = body.split('data-testid="issued-key">')[1].split("<")[0]
    assert raw.startswith(f"rbk_{key.prefix}_")
    assert api_key_authenticate(raw_key=raw) == key
    listing = client.get(reverse("firm_api_keys")).content.decode()
    assert key.prefix in listing and raw not in listing and "import, read" in listing
    client.post(reverse("firm_api_key_revoke", args=[key.pk]))
    assert api_key_authenticate(raw_key=raw) is None
    assert "Revoked" in client.get(reverse("firm_api_keys")).content.decode()
    assert set(
        AuditEvent.objects.filter(firm=firm_a, action__startswith="api_key.").values_list(
            "action", flat=True
        )
    ) == {"api_key.create", "api_key.revoke"}


def test_a_bad_key_is_refused_naming_the_field(firm_a, admin_a):
    client = client_for(admin_a)
    no_scope = client.post(reverse("firm_api_keys"), {"name": "x"})
    assert no_scope.status_code == 400 and "This field is required" in no_scope.content.decode()
    client.post(reverse("firm_api_keys"), {"name": "dup", "scopes": ["read"]})
    dup = client.post(reverse("firm_api_keys"), {"name": "dup", "scopes": ["read"]})
    assert (
        dup.status_code == 400
        and "a key named &#x27;dup&#x27; already exists" in dup.content.decode()
    )
    assert ApiKey.objects.filter(firm=firm_a).count() == 1


def test_an_admin_sees_and_revokes_only_their_firms_keys(firm_a, firm_b, admin_a, admin_b):
    theirs = api_key_create(
        firm=firm_b, actor=Actor.person(admin_b), name="b-feed", scopes=["read"]
    )
    client = client_for(admin_a)
    assert "b-feed" not in client.get(reverse("firm_api_keys")).content.decode()
    url = reverse("firm_api_key_revoke", args=[theirs.api_key.pk])
    assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    theirs.api_key.refresh_from_db()
    assert theirs.api_key.revoked_at is None


# --- four eyes and the schedule ---------------------------------------------------------


def test_four_eyes_on_is_immediate_off_needs_a_second_admin(firm_a, admin_a, admin2_a):
    first, second = Actor.person(admin_a), Actor.person(admin2_a)
    four_eyes_turn_on(firm=firm_a, actor=first)
    assert Firm.objects.get(pk=firm_a.pk).require_four_eyes
    request = four_eyes_off_request(firm=firm_a, actor=first, reason="one trader on leave")
    assert Firm.objects.get(pk=firm_a.pk).require_four_eyes
    with pytest.raises(InvalidTransition, match="already waiting"):
        four_eyes_off_request(firm=firm_a, actor=second)
    with pytest.raises(DomainError, match="second firm admin"):
        four_eyes_off_approve(firm=firm_a, actor=first, request_id=request.pk)
    assert Firm.objects.get(pk=firm_a.pk).require_four_eyes
    four_eyes_off_approve(firm=firm_a, actor=second, request_id=request.pk)
    assert not Firm.objects.get(pk=firm_a.pk).require_four_eyes
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", admin2_a)
    assert list(
        AuditEvent.objects.filter(firm=firm_a, action__startswith="firm.four_eyes")
        .order_by("pk")
        .values_list("action", "actor__username")
    ) == [
        ("firm.four_eyes_on", "admin-a"),
        ("firm.four_eyes_off_request", "admin-a"),
        ("firm.four_eyes_off", "admin2-a"),
    ]


def test_a_request_to_turn_four_eyes_off_can_be_withdrawn(firm_a, admin_a, admin2_a):
    four_eyes_turn_on(firm=firm_a, actor=Actor.person(admin_a))
    request = four_eyes_off_request(firm=firm_a, actor=Actor.person(admin_a))
    four_eyes_off_cancel(firm=firm_a, actor=Actor.person(admin_a), request_id=request.pk)
    with pytest.raises(InvalidTransition, match="already cancelled"):
        four_eyes_off_approve(firm=firm_a, actor=Actor.person(admin2_a), request_id=request.pk)
    assert Firm.objects.get(pk=firm_a.pk).require_four_eyes


def test_a_request_of_another_firm_is_not_found(firm_a, firm_b, admin_a, admin_b):
    four_eyes_turn_on(firm=firm_b, actor=Actor.person(admin_b))
    theirs = four_eyes_off_request(firm=firm_b, actor=Actor.person(admin_b))
    with pytest.raises(DomainError, match="No such request"):
        four_eyes_off_approve(firm=firm_a, actor=Actor.person(admin_a), request_id=theirs.pk)
    assert Firm.objects.get(pk=firm_b.pk).require_four_eyes


def test_four_eyes_through_the_page(firm_a, admin_a, admin2_a):
    url = reverse("firm_four_eyes")
    first, second = client_for(admin_a), client_for(admin2_a)
    first.post(url, {"do": "on"})
    page = first.post(url, {"do": "request_off"}, follow=True).content.decode()
    assert "stays on until another admin approves" in page
    assert "Another firm admin must approve." in page
    request = FourEyesOffRequest.objects.get(firm=firm_a)
    seen = second.get(reverse("firm_settings")).content.decode()
    assert "Approve turning four eyes off" in seen
    second.post(url, {"do": "approve", "request_id": request.pk})
    assert not Firm.objects.get(pk=firm_a.pk).require_four_eyes
    nothing = first.post(url, {"do": "approve"}, follow=True).content.decode()
    assert "Four eyes: the request to approve or cancel is missing." in nothing


def test_the_schedule_is_saved_audited_and_read_by_the_scheduler(firm_a, admin_a):
    client = client_for(admin_a)
    done = client.post(
        reverse("firm_settings"),
        {"nightly_run_time": "23:30", "timezone": "Asia/Tokyo"},
        follow=True,
    )
    assert "The nightly run is now at 23:30 Asia/Tokyo." in done.content.decode()
    firm = Firm.objects.get(pk=firm_a.pk)
    assert (firm.nightly_run_time, firm.timezone) == (dt.time(23, 30), "Asia/Tokyo")
    event = AuditEvent.objects.get(action="firm.schedule_update")
    assert event.before == {"nightly_run_time": "02:00:00", "timezone": "America/New_York"}
    # 14:29 UTC is 23:29 in Tokyo: not due; 14:30 UTC is: due for that Tokyo date
    before = dt.datetime(2026, 3, 2, 14, 29, tzinfo=dt.UTC)
    assert firm not in [f for f, _ in firms_due(now=before)]
    assert (firm, dt.date(2026, 3, 2)) in firms_due(now=before + dt.timedelta(minutes=1))


def test_a_bad_schedule_is_refused_naming_the_field(firm_a, admin_a):
    client = client_for(admin_a)
    bad_zone = client.post(
        reverse("firm_settings"), {"nightly_run_time": "01:00", "timezone": "Mars/Base"}
    )
    assert bad_zone.status_code == 400
    assert "&#x27;Mars/Base&#x27; is not a known time zone" in bad_zone.content.decode()
    bad_time = client.post(
        reverse("firm_settings"), {"nightly_run_time": "25:00", "timezone": "UTC"}
    )
    assert bad_time.status_code == 400 and "Enter a valid time" in bad_time.content.decode()
    with pytest.raises(ValidationFailed) as exc:
        firm_schedule_update(
            firm=firm_a, actor=Actor.person(admin_a), nightly_run_time=None, time_zone="x"
        )
    assert _fields(exc.value) == {"nightly_run_time", "timezone"}
    assert not AuditEvent.objects.filter(action="firm.schedule_update").exists()


def test_the_review_rules_are_saved_and_audited(firm_a, admin_a):
    client = client_for(admin_a)
    page = client.get(reverse("firm_settings")).content.decode()
    assert 'name="turnover_flag_threshold" value="25"' in page
    done = client.post(
        reverse("firm_review_rules"),
        {
            "turnover_flag_threshold": "30.5",
            "tax_flag_threshold_usd": "2500",
            "bulk_approvable_flags": ["drift_forced", "tax_above_threshold"],
        },
        follow=True,
    )
    assert "Review rules saved." in done.content.decode()
    firm = Firm.objects.get(pk=firm_a.pk)
    assert firm.turnover_flag_threshold == Decimal("0.305")
    assert firm.tax_flag_threshold_usd == Decimal("2500")
    assert firm.bulk_approvable_flags == ["drift_forced", "tax_above_threshold"]
    event = AuditEvent.objects.get(action="firm.review_rules_update")
    assert event.before == {
        "turnover_flag_threshold": "0.2500",
        "tax_flag_threshold_usd": "5000.00",
        "bulk_approvable_flags": [],
    }
    assert event.after == {
        "turnover_flag_threshold": "0.3050",
        "tax_flag_threshold_usd": "2500.00",
        "bulk_approvable_flags": ["drift_forced", "tax_above_threshold"],
    }
    assert "30.5 % turnover or $2,500.00 of tax" in event.note


def test_bad_review_rules_are_refused_naming_the_field(firm_a, admin_a):
    client = client_for(admin_a)
    too_high = client.post(
        reverse("firm_review_rules"),
        {"turnover_flag_threshold": "150", "tax_flag_threshold_usd": "10"},
    )
    assert too_high.status_code == 400
    assert "Ensure this value is less than or equal to 100." in too_high.content.decode()
    always_holds = client.post(
        reverse("firm_review_rules"),
        {
            "turnover_flag_threshold": "20",
            "tax_flag_threshold_usd": "10",
            "bulk_approvable_flags": ["withdrawal_not_met"],
        },
    )
    assert always_holds.status_code == 400
    assert "withdrawal_not_met is not one of the available choices" in (
        always_holds.content.decode()
    )
    with pytest.raises(ValidationFailed) as exc:
        firm_review_rules_update(
            firm=firm_a,
            actor=Actor.person(admin_a),
            turnover_flag_threshold="a lot",
            tax_flag_threshold_usd="1.005",
            bulk_approvable_flags=["optimizer_fallback"],
        )
    assert _fields(exc.value) == {
        "turnover_flag_threshold",
        "tax_flag_threshold_usd",
        "bulk_approvable_flags",
    }
    with pytest.raises(ValidationFailed) as exc:
        firm_review_rules_update(
            firm=firm_a,
            actor=Actor.person(admin_a),
            turnover_flag_threshold=Decimal("0.12345"),
            tax_flag_threshold_usd="-1",
            bulk_approvable_flags=[],
        )
    assert _fields(exc.value) == {"turnover_flag_threshold", "tax_flag_threshold_usd"}
    assert not AuditEvent.objects.filter(action="firm.review_rules_update").exists()
    assert Firm.objects.get(pk=firm_a.pk).bulk_approvable_flags == []


# --- roles and re-authentication --------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.FIRM_ADMIN])
def test_other_roles_get_403_and_no_firm_link(firm_a, member_factory, role):
    person = member_factory(firm_a, role, f"p-{role}")
    client = client_for(person)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("firm_four_eyes"), {"do": "on"}).status_code == 403
    rules = {"turnover_flag_threshold": "90", "tax_flag_threshold_usd": "1"}
    assert client.post(reverse("firm_review_rules"), rules).status_code == 403
    assert (
        client.post(reverse("firm_members"), {"username": "x", "role": "firm_admin"}).status_code
        == 403
    )
    home = client.get(reverse("security")).content.decode()
    assert reverse("firm_members") not in home
    assert not Firm.objects.get(pk=firm_a.pk).require_four_eyes
    assert Firm.objects.get(pk=firm_a.pk).turnover_flag_threshold == Decimal("0.25")


def test_an_admin_sees_the_firm_link(firm_a, admin_a):
    assert reverse("firm_members") in client_for(admin_a).get(reverse("security")).content.decode()


def test_changes_need_a_recent_sign_in(firm_a, admin_a, settings):
    client = Client()
    assert client.login(username="admin-a", password=PASSWORD)
    settings.RECENT_AUTH_SECONDS = 0
    answer = client.post(reverse("firm_four_eyes"), {"do": "on"})
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("reauth"))
    answer = client.post(reverse("firm_members"), {"username": "z", "role": "advisor"})
    assert answer["Location"].startswith(reverse("reauth"))
    assert not Firm.objects.get(pk=firm_a.pk).require_four_eyes
    assert not Membership.objects.filter(user__username="z").exists()
