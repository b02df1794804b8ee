"""The one way past the database's refusal to change a published model version: throwing a
whole firm away (a demo reset). See migration 0002_published_version_lines_immutable."""

from __future__ import annotations

from django.db import connections

FIRM_RESET_SETTING = "app.firm_reset"


def published_lines_release(*, firm_id: int, using: str = "default") -> None:
    """Let the lines of ``firm_id``'s published versions be deleted, for the rest of the
    current transaction, by the tables' owner only (PostgreSQL; SQLite never refuses a
    delete). Call it inside the transaction that deletes the firm, and nowhere else."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("published_lines_release is per transaction: call it in one")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [FIRM_RESET_SETTING, str(int(firm_id))])
