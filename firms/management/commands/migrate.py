"""``manage.py migrate``, as the tables' owner, then row-level security on PostgreSQL.

Django's own ``migrate``, with two additions:

- when ``DATABASE_OWNER_URL`` is set, it connects with those credentials (the role that
  owns the tables) instead of the application's (``DATABASE_URL``), which owns nothing;
- afterwards, on PostgreSQL, it (re)creates the forced firm policy on every firm-owned
  table and grants the application's role its rights (``rebalancer.rowsecurity.apply``).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from rebalancer import rowsecurity

_CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT", "NAME", "OPTIONS")


@contextmanager
def owner_connection(using: str):
    """The ``using`` connection, logged in as the owner while inside (if one is configured)."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner or using != DEFAULT_DB_ALIAS:
        yield
        return
    connection = connections[using]
    saved = {key: connection.settings_dict.get(key) for key in _CREDENTIALS}
    connection.close()
    connection.settings_dict.update({k: owner[k] for k in _CREDENTIALS if k in owner})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def app_role(using: str) -> str | None:
    """The role the application connects as, when it differs from the migrating one."""
    configured = getattr(settings, "DATABASE_APP_ROLE", "")
    if configured:
        return configured
    if getattr(settings, "DATABASE_OWNER", None):
        return settings.DATABASES[using].get("USER") or None
    return None


class Command(migrate.Command):
    help = migrate.Command.help + (
        " Connects as DATABASE_OWNER_URL's role when set; on PostgreSQL, then applies the "
        "firm row-level security policies and grants the application role its rights."
    )

    def handle(self, *args, **options):
        using = options["database"]
        role = app_role(using)  # read before the connection is switched to the owner
        with owner_connection(using):
            super().handle(*args, **options)
            if options.get("plan") or options.get("check_unapplied"):
                return
            tables = rowsecurity.apply(using=using, app_role=role)
            if tables and options["verbosity"] >= 1:
                granted = f"; rights granted to role '{role}'" if role else ""
                self.stdout.write(
                    f"Row-level security: forced firm policy on {len(tables)} tables{granted}."
                )
