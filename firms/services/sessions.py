"""Ending a person's open web sessions (they are signed out at their next request).

Sessions are stored by key, not by person (Django's database session store), so every
unexpired session is read to find the person's: fine for an admin's occasional action,
such as resetting someone's multi-factor sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

DATABASE_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


def sessions_end(*, user_id: int) -> int:
    """Delete every unexpired session signed in as ``user_id``; returns how many."""
    engine = getattr(settings, "SESSION_ENGINE", "django.contrib.sessions.backends.db")
    if engine not in DATABASE_ENGINES:
        raise NotImplementedError(f"ending sessions needs a database session store, not {engine}")
    mine = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    if engine.endswith("cached_db"):
        from django.contrib.sessions.backends.cached_db import KEY_PREFIX
        from django.core.cache import caches

        caches[settings.SESSION_CACHE_ALIAS].delete_many([KEY_PREFIX + key for key in mine])
    return len(mine)
