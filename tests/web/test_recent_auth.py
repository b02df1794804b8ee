"""Sensitive changes need a recent authentication: approving a blotter, changing a model or
its assignments, changing a client's preferences, changing the firm's security settings,
resetting a member's multi-factor sign-in. With a sign-in older than the limit the change
is not made; the person confirms it's them, comes back to the page they were on, and the
same change then works."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts.models import (
    CashWithdrawal,
    ModelAssignment,
    PreferenceSet,
    Restriction,
    Screen,
    Substitution,
)
from firms.models import AuditEvent, MfaDevice
from firms.recent_auth import SESSION_KEY
from firms.services import login_throttle
from models_library.models import ModelPortfolio, ModelVersion, Security, VersionStatus
from models_library.services.versions import draft_save
from rebalancer.actors import Actor
from tests.accounts.mfa import enrol
from tests.factories import PASSWORD
from tests.trading.builders import published_model
from tests.web.helpers import client_for
from trading.models import Blotter, BlotterStatus
from trading.services.blotters import blotter_create
from trading.services.review import proposals_bulk_approve

LIMIT = 900


@dataclass
class Case:
    role: str
    url: str
    page: str
    data: dict
    done: Callable[[], bool]


def _stale(client, seconds: float = LIMIT + 1) -> None:
    session = client.session
    session[SESSION_KEY] = time.time() - seconds
    session.save()


def _blotter_approve(book) -> Case:
    proposals_bulk_approve(
        firm=book.firm,
        actor=Actor.person(book.people["advisor"]),
        proposal_ids=[p.pk for p in book.proposals],
    )
    blotter = blotter_create(firm=book.firm, actor=Actor.person(book.people["trader"]))
    page = reverse("blotter_detail", args=[blotter.pk])
    status = lambda: Blotter.objects.get(pk=blotter.pk).status  # noqa: E731
    return Case(
        "trader",
        reverse("blotter_approve", args=[blotter.pk]),
        page,
        {},
        lambda: status() == BlotterStatus.APPROVED,
    )


def _model_create(book) -> Case:
    done = lambda: ModelPortfolio.objects.filter(name="Income").exists()  # noqa: E731
    return Case("modeler", reverse("models"), reverse("models"), {"name": "Income"}, done)


def _draft_save(book) -> Case:
    rows = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-security": "VTI",
        "form-0-weight": "50",
        "form-1-security": "AGG",
        "form-1-weight": "50",
    }
    url = reverse("draft_edit", args=[book.model.pk])
    done = lambda: book.model.versions.filter(status=VersionStatus.DRAFT).exists()  # noqa: E731
    return Case("modeler", url, url, rows, done)


def _version_publish(book) -> Case:
    draft = draft_save(
        firm=book.firm,
        actor=Actor.person(book.people["modeler"]),
        model=book.model,
        rows=[{"security": "VTI", "weight": "1"}],
    )
    status = lambda: ModelVersion.objects.get(pk=draft.pk).status  # noqa: E731
    return Case(
        "modeler",
        reverse("version_publish", args=[draft.pk]),
        reverse("version_detail", args=[draft.pk]),
        {},
        lambda: status() == VersionStatus.PUBLISHED,
    )


def _model_assign(book) -> Case:
    securities = {s.symbol: s for s in Security.objects.all()}
    income = published_model(firm=book.firm, weights={"BND": "1"}, securities=securities, name="I")
    account = book.accounts[0]
    done = lambda: ModelAssignment.objects.get(account=account).model_id == income.pk  # noqa: E731
    return Case(
        "modeler",
        reverse("account_model_assign", args=[account.pk]),
        reverse("account_detail", args=[account.pk]),
        {"model": income.pk},
        done,
    )


def _account_preferences(book) -> Case:
    account = book.accounts[0]
    url = reverse("account_preferences", args=[account.pk])
    done = lambda: PreferenceSet.objects.filter(account=account).exists()  # noqa: E731
    return Case("advisor", url, url, {"short_term_rate": "30"}, done)


def _household_preferences(book) -> Case:
    household = book.accounts[0].household
    url = reverse("household_preferences", args=[household.pk])

    def done() -> bool:
        pset = PreferenceSet.objects.filter(household=household).first()
        return pset is not None and str(pset.long_term_rate) == "0.1500"

    return Case("advisor", url, url, {"long_term_rate": "15"}, done)


RuleModel = type[Restriction] | type[Screen] | type[Substitution] | type[CashWithdrawal]
RULES: dict[str, tuple[dict[str, str], RuleModel]] = {
    "restriction": ({"symbol": "VTI", "type": "do_not_sell"}, Restriction),
    "screen": ({"field": "symbol", "value": "ITOT"}, Screen),
    "substitution": ({"from_symbol": "VTI", "to_symbol": "ITOT"}, Substitution),
    "withdrawal": (
        {"amount_usd": "1000", "frequency": "one_time", "start_date": "2025-07-15"},
        CashWithdrawal,
    ),
}


def _rule_add(kind: str) -> Callable:
    def case(book) -> Case:
        account = book.accounts[0]
        data, model = RULES[kind]
        done = lambda: model.objects.filter(account=account).exists()  # noqa: E731
        return Case(
            "advisor",
            reverse("account_rule_add", args=[account.pk, kind]),
            reverse("account_preferences", args=[account.pk]),
            {f"{kind}-{name}": value for name, value in data.items()},
            done,
        )

    return case


def _rule_remove(book) -> Case:
    account = book.accounts[0]
    rule = Restriction.objects.create(
        firm=book.firm, account=account, symbol="VTI", type="do_not_sell"
    )
    return Case(
        "advisor",
        reverse("account_rule_remove", args=[account.pk, "restriction", rule.pk]),
        reverse("account_preferences", args=[account.pk]),
        {},
        lambda: not Restriction.objects.filter(pk=rule.pk).exists(),
    )


def _firm_security(book) -> Case:
    url = reverse("firm_security")
    done = lambda: type(book.firm).objects.get(pk=book.firm.pk).require_mfa  # noqa: E731
    return Case("admin", url, url, {"require_mfa": "on"}, done)


def _member_mfa_reset(book) -> Case:
    advisor = book.people["advisor"]
    enrol(advisor)
    url = reverse("member_mfa_reset", args=[advisor.pk])
    done = lambda: not MfaDevice.objects.filter(user=advisor).exists()  # noqa: E731
    return Case("admin", url, url, {}, done)


CASES = {
    "blotter approve": _blotter_approve,
    "model create": _model_create,
    "draft save": _draft_save,
    "version publish": _version_publish,
    "model assign": _model_assign,
    "account preferences": _account_preferences,
    "household preferences": _household_preferences,
    **{f"{kind} add": _rule_add(kind) for kind in RULES},
    "rule remove": _rule_remove,
    "firm security": _firm_security,
    "member mfa reset": _member_mfa_reset,
}


@pytest.mark.parametrize("name", CASES)
def test_a_stale_sign_in_confirms_first_then_the_change_works(book, name):
    case = CASES[name](book)
    client = client_for(book.people[case.role])
    _stale(client)
    events = AuditEvent.objects.count()

    # when a change is posted long after signing in, it is not made
    refused = client.post(case.url, case.data, HTTP_REFERER=f"http://testserver{case.page}")
    assert refused.status_code == 302
    target = urlsplit(refused["Location"])
    assert target.path == reverse("reauth")
    assert parse_qs(target.query) == {"next": [case.page], "repeat": ["1"]}
    assert (case.done(), AuditEvent.objects.count()) == (False, events)

    # the person confirms it's them and is back on the page, asked to repeat it
    confirm = client.get(refused["Location"])
    assert "That change needs a recent sign-in, so it was not made." in confirm.content.decode()
    back = client.post(refused["Location"], {"password": PASSWORD})
    assert (back.status_code, back["Location"]) == (302, case.page)
    page = client.get(case.page).content.decode()
    assert "Your last action was not done: please do it again." in page

    # and the same change now works
    done = client.post(case.url, case.data)
    assert done.status_code == 302 and not done["Location"].startswith(reverse("reauth"))
    assert case.done()
    assert AuditEvent.objects.count() > events


def test_a_recent_sign_in_acts_at_once_and_pages_open_when_stale(book):
    case = _account_preferences(book)
    client = client_for(book.people["advisor"])
    _stale(client, LIMIT - 60)
    assert client.post(case.url, case.data)["Location"] == case.page
    _stale(client)
    assert client.get(case.url).status_code == 200


def test_the_limit_comes_from_settings(book, settings):
    settings.RECENT_AUTH_SECONDS = 60
    case = _account_preferences(book)
    client = client_for(book.people["advisor"])
    _stale(client, 120)
    assert client.post(case.url, case.data)["Location"].startswith(reverse("reauth"))


def test_htmx_gets_a_redirect_header(book):
    case = _account_preferences(book)
    client = client_for(book.people["advisor"])
    _stale(client)
    response = client.post(
        case.url,
        case.data,
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{case.page}",
    )
    assert response.status_code == 200
    target = urlsplit(response["HX-Redirect"])
    assert (target.path, parse_qs(target.query)["next"]) == (reverse("reauth"), [case.page])
    assert not case.done()


def test_another_sites_page_is_never_where_it_returns(book):
    case = _account_preferences(book)
    client = client_for(book.people["advisor"])
    _stale(client)
    refused = client.post(case.url, case.data, HTTP_REFERER="https://evil.example/x")
    assert parse_qs(urlsplit(refused["Location"]).query)["next"] == [reverse("home")]
    back = client.post(f"{reverse('reauth')}?next=https://evil.example/", {"password": PASSWORD})
    assert back["Location"] == reverse("home")


def test_with_mfa_on_confirming_takes_a_code_too(book):
    totp, _ = enrol(book.people["advisor"])
    case = _account_preferences(book)
    client = client_for(book.people["advisor"])
    _stale(client)
    url = client.post(case.url, case.data, HTTP_REFERER=case.page)["Location"]
    assert 'name="code"' in client.get(url).content.decode()
    no_code = client.post(url, {"password": PASSWORD})
    assert no_code.status_code == 200
    assert "Enter the 6-digit code" in no_code.content.decode()
    assert client.post(case.url, case.data)["Location"].startswith(reverse("reauth"))
    assert client.post(url, {"password": PASSWORD, "code": totp.now()})["Location"] == case.page
    assert client.post(case.url, case.data)["Location"] == case.page
    assert case.done()


def test_wrong_passwords_when_confirming_count_as_failed_sign_ins(book):
    client = client_for(book.people["advisor"])
    _stale(client)
    for _ in range(login_throttle.MAX_PER_USERNAME):
        wrong = client.post(reverse("reauth"), {"password": "wrong"})
        assert wrong.status_code == 200
        assert "That password is not right." in wrong.content.decode()
    locked = client.post(reverse("reauth"), {"password": PASSWORD})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "Too many failed sign-ins" in locked.content.decode()
