"""An outsider gets nothing, anywhere: every URL pattern of the project (found by walking
Django's resolver, so a new one is covered the day it is added), filled with firm B's ids,
requested as each role and each API key scope of firm A, with every method its view may
accept, a valid CSRF token and a valid body naming firm B's objects.

A pattern with parameters answers 404 (or 403/405 where the role may not act at all; the
admin site sends firm people to its sign-in); a pattern without shows none of firm B's
names. No request changes a row of firm B, and no row of firm A comes to point at one.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client

from firms.models import Firm, Membership, MfaDevice, MfaRecoveryCode
from firms.selectors.mfa import mfa_confirmed
from firms.services.api_keys import api_key_create
from rebalancer import rowsecurity
from rebalancer.actors import Actor
from rebalancer.tenancy import firm_owned_models
from tests.accounts.mfa import enrol

from .outsider_book import IDEMPOTENCY_PREFIX, MARKERS, ROLES, build_outsider_book
from .outsider_requests import (
    API_BODIES,
    NOT_FILLABLE,
    WEB_BODIES,
    body_for,
    fillings,
    query_naming_b,
    unknown_params,
)
from .url_walk import Pattern, accepted_methods, all_patterns

pytestmark = pytest.mark.django_db

KEY_SCOPES = {
    "key:read": ["read"],
    "key:import": ["import"],
    "key:trade": ["trade"],
    "key:all": ["read", "import", "trade"],
}
REFUSED = {403, 404, 405}
CSRF_REFUSED = 419


def csrf_failure(request, reason=""):
    """Stands in for Django's CSRF failure page, so a refused token is told from a 403."""
    return HttpResponse(f"CSRF refused: {reason}", status=CSRF_REFUSED)


# --- firm B's rows, before and after ---------------------------------------------------


def _digest(rows) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def firm_rows(firm) -> dict[str, str]:
    """A digest of every row firm B owns, its firm row, and its people and their MFA."""
    with rowsecurity.firm_scope(firm):
        tables = {
            model._meta.label: model._default_manager.filter(firm=firm).order_by("pk").values_list()
            for model in firm_owned_models()
        }
        users = list(Membership.objects.filter(firm=firm).values_list("user_id", flat=True))
        tables["firms.Firm"] = Firm.objects.filter(pk=firm.pk).values_list()
        tables["auth.User"] = (
            get_user_model().objects.filter(pk__in=users).order_by("pk").values_list()
        )
        tables["firms.MfaDevice"] = MfaDevice.objects.filter(user__in=users).values_list()
        tables["firms.MfaRecoveryCode"] = (
            MfaRecoveryCode.objects.filter(device__user__in=users).order_by("pk").values_list()
        )
        return {label: _digest(list(rows)) for label, rows in tables.items()}


def rows_pointing_at(firm) -> list[str]:
    """Firm-owned rows of other firms whose foreign keys name one of ``firm``'s rows."""
    owned = firm_owned_models()
    found = []
    for model in owned:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name != "firm" and field.related_model in owned:
                stray = model._default_manager.filter(**{f"{field.name}__firm": firm}).exclude(
                    firm=firm
                )
                if stray.exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


# --- who asks ----------------------------------------------------------------------------


class Principal:
    """A client of firm A: a signed-in person of one role, or an API key of one scope."""

    def __init__(self, name: str, firm):
        self.name, self.firm = name, firm
        self.client = Client(enforce_csrf_checks=True)
        self.user: User | None = None
        self.token: str | None = None
        self.headers: dict[str, Any] = {}
        self.sent = self.writes = 0
        if name in KEY_SCOPES:
            issued = api_key_create(
                firm=firm, actor=Actor.system("test"), name=f"alpha-{name}", scopes=KEY_SCOPES[name]
            )
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {issued.raw_key}"
        else:
            self.user = get_user_model().objects.create_user(f"alpha-{name}", password="pw")
            Membership.objects.create(user=self.user, firm=firm, role=ROLES[name])
            enrol(self.user, firm)
            self.sign_in()

    @property
    def is_key(self) -> bool:
        return self.user is None

    def sign_in(self) -> None:
        assert self.user is not None, "an API key does not sign in"
        self.client.force_login(self.user)
        self.client.get("/security/")
        self.token = self.client.cookies["csrftoken"].value
        self.headers["HTTP_X_CSRFTOKEN"] = self.token

    def restore(self) -> None:
        """Undo what firm A's own pages may have done to the person asking (signed out,
        multi-factor sign-in turned off, the firm's requirement lifted)."""
        if self.user is None:
            return
        Firm.objects.filter(pk=self.firm.pk, require_mfa=False).update(require_mfa=True)
        if not mfa_confirmed(user=self.user):
            MfaDevice.objects.filter(user=self.user).delete()
            enrol(self.user, self.firm)
        if "_auth_user_id" not in self.client.session:
            self.sign_in()

    def send(self, method: str, url: str, *, data: dict, api: bool):
        headers = dict(self.headers)
        self.sent += 1
        if method == "get":
            return self.client.get(url, data, **headers)
        if api:
            # the first is firm B's stored key: its reply must not come back to firm A
            self.writes += 1
            headers["HTTP_IDEMPOTENCY_KEY"] = f"{IDEMPOTENCY_PREFIX}{self.writes}"
            return getattr(self.client, method)(
                url, json.dumps(data), content_type="application/json", **headers
            )
        if method == "post":
            return self.client.post(url, data, **headers)
        plain = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
        return getattr(self.client, method)(
            url,
            urlencode(plain, doseq=True),
            content_type="application/x-www-form-urlencoded",
            **headers,
        )


# --- what counts as nothing ------------------------------------------------------------


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _strings(sent) -> list[str]:
    """The text values in what was sent (nested rows included)."""
    if isinstance(sent, dict):
        return [s for value in sent.values() for s in _strings(value)]
    if isinstance(sent, list):
        return [s for value in sent for s in _strings(value)]
    return [sent] if isinstance(sent, str) and len(sent) >= 4 else []


def verdict(pattern: Pattern, response, sent: dict) -> str | None:
    """Why this response gives the outsider something (None: it gives nothing). What the
    request itself said, shown back (a search box, an error naming the row), is not firm
    B's data."""
    status, text = response.status_code, _body(response)
    for value in _strings(sent):
        text = text.replace(value, "")
    if status == CSRF_REFUSED or "CSRF Failed" in text:
        return "CSRF token refused (the test's fault: nothing was tried)"
    if status >= 500:
        return f"server error {status}"
    shown = [marker for marker in MARKERS if marker in text.lower()]
    if shown:
        return f"{status} shows firm B's data ({', '.join(shown)})"
    if not pattern.params:
        return None
    if pattern.is_admin:
        location = response.get("Location", "")
        ok = status == 302 and location.startswith("/admin/login/")
        return None if ok else f"{status} (expected the admin's sign-in)"
    if status in REFUSED:
        return None
    if status == 400:
        return "400: the body was refused, so nothing about firm B was tried (fix its body)"
    return f"{status} (expected 404, or 403/405)"


def _methods(pattern: Pattern) -> tuple[str, ...]:
    if pattern.is_admin:  # the admin refuses non-staff before looking at the method
        return ("get", "post")
    return accepted_methods(pattern.callback)


def _reaches(principal: Principal, pattern: Pattern) -> bool:
    if pattern.key in NOT_FILLABLE:
        return False
    if pattern.is_admin:  # only staff may use it, whatever their firm role: asked once
        return principal.name == "admin"
    return pattern.is_api or not principal.is_key


def _by_pattern(book, principal: Principal) -> list[tuple[Pattern, list[tuple[str, dict]]]]:
    """Each pattern this principal can reach, with its (url, filling) cases."""
    with rowsecurity.firm_scope(book.firm):
        return [
            (pattern, [(pattern.url(got), got) for got in fillings(book, pattern)])
            for pattern in all_patterns()
            if _reaches(principal, pattern)
        ]


def _unchanged(book, before: dict, what: str, failures: list) -> dict:
    after = firm_rows(book.firm)
    changed = sorted(label for label in after if after[label] != before[label])
    if changed:
        failures.append(f"{what}: changed firm B's rows in {changed}")
    return after


# --- the tests --------------------------------------------------------------------------


def test_every_pattern_is_filled_or_listed_as_not_fillable():
    patterns = all_patterns()
    keys = {pattern.key for pattern in patterns}
    assert unknown_params(patterns) == [], (
        "path parameters with no firm-B value in PARAMS (tests/tenancy/outsider_requests.py)"
    )
    assert sorted(set(NOT_FILLABLE) - keys) == [], "NOT_FILLABLE names patterns that are gone"
    assert sorted((set(WEB_BODIES) | set(API_BODIES)) - keys) == [], "bodies for gone patterns"


@pytest.mark.parametrize("who", [*ROLES, *KEY_SCOPES])
def test_an_outsider_gets_nothing_and_changes_nothing(who, firm_a, settings):
    # given firm B's whole book, and one of firm A's people or keys
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_failure"
    book = build_outsider_book()
    Firm.objects.filter(pk=firm_a.pk).update(require_mfa=True)
    firm_a.refresh_from_db()
    with rowsecurity.firm_scope(firm_a):
        principal = Principal(who, firm_a)
    query = query_naming_b(book)
    before = firm_rows(book.firm)
    failures = []
    # when they request everything
    requests = 0
    for pattern, cases in _by_pattern(book, principal):
        wrote = False
        for url, got in cases:
            for method in _methods(pattern):
                if method == "get":
                    sends = [{}, query] if not pattern.params else [{}]
                else:
                    sends, wrote = [body_for(book, pattern, got)], True
                for data in sends:
                    response = principal.send(method, url, data=data, api=pattern.is_api)
                    requests += 1
                    if method != "get":
                        principal.restore()
                    why = verdict(pattern, response, data)
                    if why:
                        shown = f"{url}?{urlencode(data)}" if method == "get" and data else url
                        failures.append(f"{who} {method.upper()} {shown} [{pattern.key}]: {why}")
        # checked after each pattern's writes (the admin's, refused wholesale, at the end)
        if wrote and not pattern.is_admin:
            before = _unchanged(book, before, f"{who} {pattern.key}", failures)
    _unchanged(book, before, f"{who} (the admin site)", failures)
    # then nothing was given and nothing changed
    stray = rows_pointing_at(book.firm)
    if stray:
        failures.append(f"{who}: rows of firm A now point at firm B's: {stray}")
    assert requests >= 50
    assert failures == [], "\n".join(failures)
