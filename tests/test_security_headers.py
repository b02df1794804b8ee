"""Security headers and session settings on every response."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_api_docs_get_their_own_policy(client):
    response = client.get("/api/v1/docs/")
    assert "worker-src 'self' blob:" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_api_responses_carry_the_policy_too(client):
    response = client.get("/api/v1/securities/")
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_sessions_expire_after_idle_time_and_cookies_are_http_only():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE <= 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
