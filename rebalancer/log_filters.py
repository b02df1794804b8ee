"""Filters for the server's log."""

from __future__ import annotations

import logging

FORBIDDEN = 403


class OneLineForbidden(logging.Filter):
    """A refused request (403) is logged as its one line, without the exception's traceback:
    a refusal is a permission check doing its work, not a fault to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == FORBIDDEN:
            record.exc_info = None
            record.exc_text = None
        return True
