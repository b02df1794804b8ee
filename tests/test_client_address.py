"""Limits per client address behind a reverse proxy: only a trusted proxy's forwarded
address is believed, and only the part of it the proxy itself wrote."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse

from firms.services import login_throttle
from rebalancer.client_address import client_address


def _address(remote: str, forwarded: str | None = None) -> str:
    meta: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_connection_address_counts(settings):
    settings.TRUSTED_PROXIES = []
    assert _address("10.0.0.5", "203.0.113.9") == "10.0.0.5"


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),  # the proxy says who connected
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the left part is the client's
        ("10.0.0.5", "203.0.113.9, 10.0.0.6", "203.0.113.9"),  # through two trusted proxies
        ("198.51.100.1", "203.0.113.9", "198.51.100.1"),  # not a proxy: its header is ignored
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "not-an-address", "10.0.0.5"),
        ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
    ],
)
def test_a_trusted_proxys_forwarded_address_counts(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _address(remote, forwarded) == expected


def _sign_in(client, username: str, *, forwarded: str):
    return client.post(
        reverse("login"),
        {"username": username, "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_behind_a_proxy_one_attacker_is_locked_out_and_others_are_not(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for i in range(login_throttle.MAX_PER_ADDRESS):
        _sign_in(client, f"nobody-{i}", forwarded="203.0.113.66")
    assert _sign_in(client, "someone", forwarded="203.0.113.66").status_code == 429
    assert _sign_in(client, "someone-else", forwarded="203.0.113.77").status_code == 200
