"""Small helpers shared by the web tests."""

from __future__ import annotations

from django.test import Client


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
