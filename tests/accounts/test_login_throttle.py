"""Failed sign-ins are limited per username and per address, with a clear message."""

from __future__ import annotations

from django.urls import reverse

from firms.services import login_throttle


def _attempt(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_lock_the_username_even_with_the_right_password(client, advisor_a):
    for _ in range(login_throttle.MAX_PER_USERNAME):
        assert _attempt(client, "advisor-a", "wrong").status_code == 200
    response = _attempt(client, "advisor-a", "correct-horse-battery-staple")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_username_does_not_lock_another(client, advisor_a, admin_a):
    for _ in range(login_throttle.MAX_PER_USERNAME):
        _attempt(client, "advisor-a", "wrong")
    response = _attempt(client, "admin-a", "correct-horse-battery-staple")
    assert response.status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, advisor_a):
    for i in range(login_throttle.MAX_PER_ADDRESS):
        _attempt(client, f"nobody-{i}", "wrong", address="192.0.2.7")
    assert (
        _attempt(
            client, "advisor-a", "correct-horse-battery-staple", address="192.0.2.7"
        ).status_code
        == 429
    )
    assert (
        _attempt(
            client, "advisor-a", "correct-horse-battery-staple", address="192.0.2.8"
        ).status_code
        == 302
    )


def test_success_clears_the_username_count(client, advisor_a):
    for _ in range(login_throttle.MAX_PER_USERNAME - 1):
        _attempt(client, "advisor-a", "wrong")
    assert _attempt(client, "advisor-a", "correct-horse-battery-staple").status_code == 302
    client.logout()
    for _ in range(login_throttle.MAX_PER_USERNAME - 1):
        assert _attempt(client, "advisor-a", "wrong").status_code == 200


def test_lockout_message_counts_minutes():
    assert login_throttle.Lockout(retry_after_seconds=61).message.endswith("2 minutes.")
    assert login_throttle.Lockout(retry_after_seconds=30).message.endswith("1 minute.")
