"""The PostgreSQL pass of the suite as deployed: tables owned by one role, tests run as another.

Active when ``TEST_DATABASE_OWNER_URL`` is set (``.ci/run`` sets it) and ``DATABASE_URL`` is
PostgreSQL. Then ``DATABASE_URL``'s user is the application's role (not a superuser, no
BYPASSRLS, owning nothing) and ``TEST_DATABASE_OWNER_URL``'s user owns the tables (it needs
CREATEDB to create the test database). The test database is created and migrated as the
owner; the migrations' policies are forced, and the application's role gets what
``migrate`` grants in production. Every test then runs connected as the application's role,
so PostgreSQL's row-level security binds every code path the suite exercises: one that reads
or writes firm data without setting the firm sees no rows, or is refused.

The owner's credentials come back for what is the owner's job: emptying the tables after a
``transaction=True`` test (the application's role may not truncate anything, the audit log
least of all) and dropping the test database. Tests that need the owner themselves use
:func:`as_owner`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import dj_database_url
import psycopg
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_URL_ENV = "TEST_DATABASE_OWNER_URL"
_CREDENTIALS = ("USER", "PASSWORD")


def active() -> bool:
    """Whether this run connects as the application's role (the CI PostgreSQL pass)."""
    return bool(os.environ.get(OWNER_URL_ENV)) and "postgres" in os.environ.get("DATABASE_URL", "")


def owner_credentials() -> dict[str, str]:
    owner = dj_database_url.parse(os.environ[OWNER_URL_ENV])
    return {key: str(owner.get(key) or "") for key in _CREDENTIALS}


def app_credentials() -> dict[str, str]:
    app = dj_database_url.parse(os.environ["DATABASE_URL"])
    return {key: str(app.get(key) or "") for key in _CREDENTIALS}


def log_in(credentials: dict[str, str], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Reconnect ``using`` with these credentials (next query opens the new connection)."""
    from django.conf import settings

    connection = connections[using]
    if connection.in_atomic_block:
        raise RuntimeError("cannot change the database role inside a transaction")
    connection.close()
    connection.settings_dict.update(credentials)
    database = settings.DATABASES[using]
    database["USER"], database["PASSWORD"] = credentials["USER"], credentials["PASSWORD"]


@contextmanager
def as_owner(*, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """The connection logged in as the tables' owner while inside (outside any transaction)."""
    if not active():
        yield
        return
    log_in(owner_credentials(), using=using)
    try:
        yield
    finally:
        log_in(app_credentials(), using=using)


def grant_app_role(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """As the owner, just after migrating: the application's role gets its production rights."""
    from rebalancer import rowsecurity

    connection = connections[using]
    with connection.cursor() as cursor:
        rowsecurity.grant(cursor=cursor, connection=connection, role=app_credentials()["USER"])


# --- the tests' own queries ---------------------------------------------------------------
#
# The suite's set-up and checks are not the product: factories, a test's own ORM queries and
# a service or selector a test calls directly (a unit test of its logic) build and inspect
# several firms' rows at once, where in production the caller (a request, a task, a command)
# has set the firm. In the test database only, the owner adds a second, permissive policy to
# every firm-owned table that lets a query through when ``app.test_harness`` is on, and the
# connection turns it on for exactly those queries. A query made under one of the product's
# entry points (any middleware, a Celery task, a management command) runs without it, even
# when a test calls that entry point, and is bound by the firm policy alone: every request,
# task and command in the suite is a row-security test.

HARNESS_SETTING = "app.test_harness"
HARNESS_POLICY = "test_harness"
_ROOT = Path(__file__).resolve().parents[1]
_TESTS = str(_ROOT / "tests") + os.sep
_PROJECT = str(_ROOT) + os.sep
_VENV = str(_ROOT / ".venv") + os.sep
_ENTRY_POINT = re.compile(r"middleware\.py$|(^|/)tasks\.py$|/management/commands/")
_harness_on = True


def add_harness_policy(*, using: str = DEFAULT_DB_ALIAS) -> None:
    """As the owner: the permissive policy the tests' own queries go through."""
    from rebalancer import rowsecurity

    connection = connections[using]
    allowed = f"current_setting('{HARNESS_SETTING}', true) = 'on'"
    with connection.cursor() as cursor:
        for table in rowsecurity.firm_owned_tables():
            qt = connection.ops.quote_name(table)
            cursor.execute(f"DROP POLICY IF EXISTS {HARNESS_POLICY} ON {qt}")
            cursor.execute(
                f"CREATE POLICY {HARNESS_POLICY} ON {qt} USING ({allowed}) WITH CHECK ({allowed})"
            )


def _issued_by_the_tests() -> bool:
    """Whether the current query comes from the tests' code rather than an entry point:
    walking out from the query, a test's frame is met before any entry point's."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(_PROJECT) and not path.startswith(_VENV):
            if path.startswith(_TESTS):
                return not path.endswith("pg_roles.py")
            if _ENTRY_POINT.search(path[len(_PROJECT) :]):
                return False
        frame = frame.f_back
    return False


def _harness_wrapper(execute, sql, params, many, context):
    raw = context["connection"].connection
    if (
        not _harness_on
        # a failed transaction takes nothing but its rollback
        or raw.info.transaction_status == psycopg.pq.TransactionStatus.INERROR
        or not _issued_by_the_tests()
    ):
        return execute(sql, params, many, context)
    with raw.cursor() as cursor:
        cursor.execute(f"SELECT set_config('{HARNESS_SETTING}', 'on', false)")
    try:
        return execute(sql, params, many, context)
    finally:
        try:
            with raw.cursor() as cursor:
                cursor.execute(f"SELECT set_config('{HARNESS_SETTING}', '', false)")
        except psycopg.Error:
            pass  # an aborted transaction: its rollback takes the setting back


def _wrap(connection, **kwargs) -> None:
    if _harness_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.append(_harness_wrapper)


def install_harness() -> None:
    """On this thread's connections and on every one opened later (a test's threads)."""
    from django.db.backends.signals import connection_created

    connection_created.connect(_wrap, dispatch_uid="tests.pg_roles.harness")
    for connection in connections.all(initialized_only=True):
        _wrap(connection)


@contextmanager
def product_only() -> Iterator[None]:
    """Inside, the tests' own queries are bound like the product's (row-security tests)."""
    global _harness_on
    saved, _harness_on = _harness_on, False
    try:
        yield
    finally:
        _harness_on = saved
