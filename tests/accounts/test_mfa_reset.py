"""A firm admin resets a member's multi-factor sign-in (lost phone, lost recovery codes):
after a confirmation page, the member's authenticator and recovery codes are deleted and
their open sessions end, audited in the admin's firm. Only the firm's admins, only the
firm's members, never their own; an admin of any firm the person works in may do it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from firms.models import AuditEvent, Firm, Membership, MfaDevice, MfaRecoveryCode, Role
from firms.services.mfa_reset import mfa_reset
from rebalancer.actors import Actor
from rebalancer.errors import DomainError
from tests.accounts.mfa import code_step, enrol, password_step, signed_in
from tests.factories import MembershipFactory, UserFactory
from tests.web.helpers import client_for


@pytest.fixture
def admin_b(firm_b, member_factory):
    return member_factory(firm_b, Role.FIRM_ADMIN, "admin-b")


def _url(user) -> str:
    return reverse("member_mfa_reset", args=[user.pk])


def _mfa_state() -> tuple[int, int, int]:
    return (
        MfaDevice.objects.count(),
        MfaRecoveryCode.objects.count(),
        AuditEvent.objects.filter(action="mfa.reset").count(),
    )


def test_the_security_page_lists_who_has_it_with_a_reset_link(firm_a, admin_a, advisor_a):
    enrol(advisor_a)
    enrol(admin_a)
    page = client_for(admin_a).get(reverse("firm_security")).content.decode()
    assert "Signed in with an authenticator (2)" in page
    assert f'href="{_url(advisor_a)}"' in page
    assert f'href="{_url(admin_a)}"' not in page
    assert "You: your Security page" in page
    assert "an admin of any of their firms may reset it" in page


def test_the_confirmation_page_explains_and_changes_nothing(firm_a, admin_a, advisor_a):
    enrol(advisor_a)
    before = _mfa_state()
    response = client_for(admin_a).get(_url(advisor_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Reset the multi-factor sign-in of advisor-a?" in body
    assert "if advisor-a also works in other firms, this resets it there too" in body
    assert 'method="post"' in body and "confirm(" not in body
    assert _mfa_state() == before


def test_resetting_deletes_the_authenticator_and_codes_and_is_audited(firm_a, admin_a, advisor_a):
    # given a member who lost their phone and codes
    totp, codes = enrol(advisor_a)
    # when an admin resets it
    response = client_for(admin_a).post(_url(advisor_a), follow=True)
    # then
    assert response.redirect_chain == [(reverse("firm_security"), 302)]
    assert "The multi-factor sign-in of advisor-a is reset" in response.content.decode()
    assert not MfaDevice.objects.filter(user=advisor_a).exists()
    assert MfaRecoveryCode.objects.count() == 0
    event = AuditEvent.objects.get(action="mfa.reset")
    assert (event.firm, event.actor, event.object_type, event.object_id) == (
        firm_a,
        admin_a,
        "firms.MfaDevice",
        str(advisor_a.pk),
    )
    assert event.object_repr == "Multi-factor sign-in of advisor-a"
    assert event.note == "admin-a reset the multi-factor sign-in of advisor-a."
    assert event.before is not None
    assert (event.before["mfa"], event.before["recovery_codes_left"], event.after) == (
        True,
        10,
        {"mfa": False, "sessions_ended": 0},
    )
    # and the member signs in with the password alone
    fresh = Client()
    assert password_step(fresh, "advisor-a").url == reverse("home")
    assert signed_in(fresh)


def test_when_the_firm_requires_it_the_member_is_sent_to_set_it_up_again(
    firm_a, admin_a, advisor_a
):
    totp, _ = enrol(advisor_a)
    enrol(admin_a)
    Firm.objects.filter(pk=firm_a.pk).update(require_mfa=True)
    member = Client()
    password_step(member, "advisor-a")
    code_step(member, totp.now())
    assert member.get(reverse("dashboard")).status_code == 200

    assert client_for(admin_a).post(_url(advisor_a)).status_code == 302

    # the member's session ended; signed in again with the password, they set it up first
    assert member.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    password_step(member, "advisor-a")
    assert member.get(reverse("dashboard"))["Location"] == reverse("security")


def test_resetting_ends_the_members_open_sessions_and_no_one_elses(
    firm_a, admin_a, advisor_a, member_factory
):
    enrol(advisor_a)
    phone, laptop = client_for(advisor_a), client_for(advisor_a)
    colleague = client_for(member_factory(firm_a, Role.ADVISOR, "advisor-2"))
    admin = client_for(admin_a)
    for client in (phone, laptop, colleague):
        assert client.get(reverse("dashboard")).status_code == 200
    assert admin.post(_url(advisor_a)).status_code == 302
    for client in (phone, laptop):
        assert client.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    assert colleague.get(reverse("dashboard")).status_code == 200
    assert admin.get(reverse("dashboard")).status_code == 200
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.after == {"mfa": False, "sessions_ended": 2}


def test_only_firm_admins_reset(firm_a, advisor_a, member_factory):
    trader = member_factory(firm_a, Role.TRADER, "trader-a")
    enrol(advisor_a)
    before = _mfa_state()
    client = client_for(trader)
    assert client.get(_url(advisor_a)).status_code == 403
    assert client.post(_url(advisor_a)).status_code == 403
    assert _mfa_state() == before


def test_signed_out_goes_to_sign_in(firm_a, advisor_a):
    enrol(advisor_a)
    response = Client().post(_url(advisor_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert MfaDevice.objects.filter(user=advisor_a).exists()


def test_another_firms_admin_gets_nothing_and_changes_nothing(firm_a, advisor_a, admin_b):
    enrol(advisor_a)
    before = _mfa_state()
    client = client_for(admin_b)
    assert client.get(_url(advisor_a)).status_code == 404
    assert client.post(_url(advisor_a)).status_code == 404
    assert f'href="{_url(advisor_a)}"' not in client.get(reverse("firm_security")).content.decode()
    assert _mfa_state() == before
    assert not AuditEvent.objects.filter(firm__in=[firm_a]).exclude(action="mfa.enable").exists()


def test_someone_in_no_firm_or_no_longer_in_it_is_not_found(firm_a, admin_a, advisor_a):
    loner = UserFactory(username="loner")
    enrol(loner)
    enrol(advisor_a)
    Membership.objects.filter(user=advisor_a, firm=firm_a).update(is_active=False)
    before = _mfa_state()
    client = client_for(admin_a)
    for user in (loner, advisor_a):
        assert client.get(_url(user)).status_code == 404
        assert client.post(_url(user)).status_code == 404
    assert client.post(reverse("member_mfa_reset", args=[999_999])).status_code == 404
    assert _mfa_state() == before


def test_an_admin_cannot_reset_their_own_here(firm_a, admin_a):
    enrol(admin_a)
    client = client_for(admin_a)
    page = client.get(_url(admin_a)).content.decode()
    assert "This is you." in page and 'method="post"' not in page.split("<main")[-1]
    response = client.post(_url(admin_a), follow=True)
    assert "You cannot reset your own multi-factor sign-in here" in response.content.decode()
    assert MfaDevice.objects.filter(user=admin_a).exists()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


def test_a_member_without_it_has_nothing_to_reset(firm_a, admin_a, advisor_a):
    client = client_for(admin_a)
    assert "there is nothing to reset" in client.get(_url(advisor_a)).content.decode()
    response = client.post(_url(advisor_a), follow=True)
    assert "advisor-a does not use multi-factor sign-in" in response.content.decode()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


def test_an_admin_of_any_of_the_persons_firms_may_reset_recorded_in_their_firm(
    firm_a, firm_b, advisor_a, admin_b
):
    # given advisor-a also works in firm B
    MembershipFactory(user=advisor_a, firm=firm_b, role=Role.ADVISOR)
    enrol(advisor_a)
    # when firm B's admin resets it
    assert client_for(admin_b).post(_url(advisor_a)).status_code == 302
    # then it is gone for the person, recorded in firm B only
    assert not MfaDevice.objects.filter(user=advisor_a).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert (event.firm, event.actor) == (firm_b, admin_b)


def test_the_service_refuses_the_actor_themselves(firm_a, admin_a):
    enrol(admin_a)
    with pytest.raises(DomainError, match="your Security page"):
        mfa_reset(firm=firm_a, actor=Actor.person(admin_a), user_id=admin_a.pk)
