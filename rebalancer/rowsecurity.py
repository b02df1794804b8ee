"""PostgreSQL row-level security: the database's own wall between firms.

The application's firm scoping (selectors that take the firm) is the first wall. This is
the second: on PostgreSQL every firm-owned table has a *forced* policy (so even the tables'
owner is bound) that shows and accepts only the rows of the firm named by the
transaction-local setting ``app.firm_id``. The application sets it, with
``set_config(..., true)``, at the start of each request's or task's transaction, so it
ends with the transaction: safe behind a connection pooler, and never carried from one
request or task to the next. With no setting, a firm-owned table is empty.

Where the setting comes from:

- web requests: :class:`firms.middleware.FirmMiddleware` opens the request's
  transaction and sets the signed-in person's firm (and ``app.user_id``, which lets a
  person see their own memberships before the firm is known);
- API requests: the API-key authentication looks the key up by its public prefix
  (``app.api_key_prefix`` shows that one key row) and then sets the key's firm;
- tasks and commands: :func:`firm_scope` around each unit of work for one firm.

Two tables have a wider policy, each for one lookup made before the firm is known:
memberships (a person's own rows) and API keys (the row of the presented prefix). The
audit log also shows events on shared reference data, which have no firm, to any firm's
scope. ``accounts_firm`` itself, the tenant registry (names, time zones, schedules), has
no policy: the nightly scheduler reads every firm's schedule.

Roles: migrations run as the tables' owner (``DATABASE_OWNER_URL``, see the ``migrate``
command); the application connects as another role (``DATABASE_URL``) that owns nothing,
is not a superuser and has no BYPASSRLS. After migrating, :func:`apply` (re)creates every
policy and grants the application role what it needs: no more than reading and writing
rows, never updating or deleting the audit log, never changing the migration history.

On SQLite none of this exists and the application's scoping alone applies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, models, transaction

from rebalancer.tenancy import firm_owned_models

FIRM_SETTING = "app.firm_id"
USER_SETTING = "app.user_id"
API_KEY_SETTING = "app.api_key_prefix"
POLICY = "firm_isolation"

_SETTING_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION rebalancer_current_firm() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('{FIRM_SETTING}', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION rebalancer_current_user() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('{USER_SETTING}', true), '')::bigint $$;
CREATE OR REPLACE FUNCTION rebalancer_current_api_key_prefix() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('{API_KEY_SETTING}', true), '') $$;
"""

_OWN_FIRM = "firm_id = rebalancer_current_firm()"
# events on shared reference data have no firm: any firm's scope sees them, no scope does not
_AUDIT = f"{_OWN_FIRM} OR (firm_id IS NULL AND rebalancer_current_firm() IS NOT NULL)"

# table -> (USING, WITH CHECK) for the few tables read before the firm is known
_WIDER_POLICIES: dict[str, tuple[str, str]] = {
    "accounts_membership": (f"{_OWN_FIRM} OR user_id = rebalancer_current_user()", _OWN_FIRM),
    "accounts_apikey": (f"{_OWN_FIRM} OR prefix = rebalancer_current_api_key_prefix()", _OWN_FIRM),
    "accounts_auditevent": (_AUDIT, _AUDIT),
}

# what the application role may not do even to rows it can see
_REVOKED: dict[str, str] = {
    "accounts_auditevent": "UPDATE, DELETE, TRUNCATE",
    "django_migrations": "INSERT, UPDATE, DELETE, TRUNCATE",
}


def enforced(using: str = "default") -> bool:
    """Whether this database has row-level security (PostgreSQL) at all."""
    return connections[using].vendor == "postgresql"


def binds_current_role(using: str = "default") -> bool:
    """Whether the policies bind this connection's role: PostgreSQL, and the role is neither
    a superuser nor BYPASSRLS (policies are forced, so owning the tables changes nothing).
    ``COPY FROM`` is refused for such a role; bulk loads use ``INSERT`` instead."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        (exempt,) = cursor.fetchone()
    return not exempt


def firm_owned_tables() -> list[str]:
    return sorted(model._meta.db_table for model in firm_owned_models())


def _set(name: str, value: object, using: str) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError(
            f"{name} is set per transaction: call this inside transaction.atomic() "
            "(or use firm_scope)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, true)", [name, "" if value is None else str(value)]
        )


def _current(name: str, using: str) -> str | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT NULLIF(current_setting(%s, true), '')", [name])
        return cursor.fetchone()[0]


def set_firm(firm_id: int | None, *, using: str = "default") -> None:
    """Make ``firm_id``'s rows (only) visible for the rest of the current transaction."""
    _set(FIRM_SETTING, int(firm_id) if firm_id is not None else None, using)


def set_user(user_id: int | None, *, using: str = "default") -> None:
    """Let the signed-in person see their own memberships for the rest of the transaction."""
    _set(USER_SETTING, int(user_id) if user_id is not None else None, using)


def set_api_key_prefix(prefix: str | None, *, using: str = "default") -> None:
    """Make the API key with this public prefix visible, to authenticate it."""
    _set(API_KEY_SETTING, prefix, using)


@contextmanager
def firm_scope(firm: models.Model | int, *, using: str = "default") -> Iterator[None]:
    """A transaction in which ``firm``'s rows, and only those, are visible (PostgreSQL).

    For tasks and commands; requests get theirs from the middleware. Nested inside a
    transaction it is a savepoint, and on the way out it gives the enclosing transaction
    back the firm it had (or none): a firm's scope never outlives its block. On SQLite it
    is a no-op (no transaction is opened, so nothing changes there).
    """
    firm_id = firm if isinstance(firm, int) else firm.pk
    if not enforced(using):
        yield
        return
    nested = connections[using].in_atomic_block
    with transaction.atomic(using=using):
        enclosing = _current(FIRM_SETTING, using) if nested else None
        set_firm(firm_id, using=using)
        yield
        if nested:
            _set(FIRM_SETTING, enclosing, using)


# --- set-up, run after migrations by the tables' owner ---------------------------------


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def apply(*, using: str = "default", app_role: str | None = None) -> list[str]:
    """(Re)create the forced policy on every firm-owned table; grant ``app_role`` its rights.

    Idempotent. Returns the tables it secured. Run by the owner of the tables (after
    ``migrate``); does nothing on SQLite.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = firm_owned_tables()
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(_SETTING_FUNCTIONS)
        for table in tables:
            qt = _quote(connection, table)
            using_sql, check_sql = _WIDER_POLICIES.get(table, (_OWN_FIRM, _OWN_FIRM))
            cursor.execute(f"ALTER TABLE {qt} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {qt} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {qt}")
            cursor.execute(
                f"CREATE POLICY {POLICY} ON {qt} USING ({using_sql}) WITH CHECK ({check_sql})"
            )
        if app_role:
            grant(cursor=cursor, connection=connection, role=app_role)
    return tables


def grant(*, cursor, connection, role: str) -> None:
    """What the application role may do: read and write rows, use sequences, no more."""
    qr = _quote(connection, role)
    cursor.execute(f"GRANT USAGE ON SCHEMA public TO {qr}")
    cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {qr}")
    cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {qr}")
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY(%s)",
        [list(_REVOKED)],
    )
    for (table,) in cursor.fetchall():
        cursor.execute(f"REVOKE {_REVOKED[table]} ON {_quote(connection, table)} FROM {qr}")


# --- the catalog, for the tests and for operators ----------------------------------------


@dataclass(frozen=True)
class TableSecurity:
    table: str
    enabled: bool
    forced: bool
    policies: tuple[str, ...]

    @property
    def secured(self) -> bool:
        return self.enabled and self.forced and POLICY in self.policies


def catalog(*, using: str = "default") -> dict[str, TableSecurity]:
    """Row-security state of every table in the public schema, from PostgreSQL's catalog."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   COALESCE(array_agg(p.polname) FILTER (WHERE p.polname IS NOT NULL), '{}')
              FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
              LEFT JOIN pg_policy p ON p.polrelid = c.oid
             WHERE c.relkind = 'r'
             GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity
            """
        )
        return {
            name: TableSecurity(name, enabled, forced, tuple(policies))
            for name, enabled, forced, policies in cursor.fetchall()
        }


def tables_with_firm_column(*, using: str = "default") -> list[str]:
    """Every table in the public schema that has a ``firm_id`` column, whatever the models say."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name FROM information_schema.columns
             WHERE table_schema = 'public' AND column_name = 'firm_id'
             ORDER BY table_name
            """
        )
        return [name for (name,) in cursor.fetchall()]


def visible_rows(*, using: str = "default") -> dict[str, dict[int | None, int]]:
    """For every firm-owned table, how many rows of each firm this transaction can see.

    A diagnostic (``manage.py row_security --firm``, the ``row_security_probe`` task): in a
    firm's scope every table should show that firm's id alone.
    """
    seen: dict[str, dict[int | None, int]] = {}
    connection = connections[using]
    with connection.cursor() as cursor:
        for table in firm_owned_tables():
            cursor.execute(
                # table names come from the models, quoted; nothing from outside
                f"SELECT firm_id, count(*) FROM {_quote(connection, table)} GROUP BY firm_id"  # noqa: S608
            )
            seen[table] = dict(cursor.fetchall())
    return seen
