"""Celery tasks of the accounts app."""

from __future__ import annotations

import os

from celery import shared_task
from django.db import transaction

from rebalancer import rowsecurity


@shared_task(name="accounts.row_security_probe")
def row_security_probe(firm_id: int | None = None) -> dict:
    """What a worker's database connection sees of every firm-owned table, per firm.

    In ``firm_id``'s scope, or in a bare transaction (no firm) when it is None. An operator's
    check that a worker's connection is bound by row-level security: in a firm's scope each
    table shows that firm's id alone, and with no firm it shows nothing. Firm ids are given
    as strings (``"null"`` for none), as JSON wants.
    """
    scope = transaction.atomic() if firm_id is None else rowsecurity.firm_scope(firm_id)
    with scope:
        seen = rowsecurity.visible_rows()
    return {
        "pid": os.getpid(),
        "firm": firm_id,
        "tables": {
            table: {("null" if firm is None else str(firm)): n for firm, n in counts.items()}
            for table, counts in seen.items()
        },
    }
