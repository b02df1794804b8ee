"""Domain errors shared by services. Views turn them into clear messages."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A user-caused problem: bad input or a forbidden state change. Never retried."""

    def __init__(self, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``errors`` lists every (row, field, message) found."""

    def __init__(self, errors: Sequence[tuple[int | None, str | None, str]]):
        self.errors = list(errors)
        row, field, message = errors[0]
        extra = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(message + extra, field=field, row=row)


class InvalidTransition(DomainError):
    """A status change that the state machine does not allow, or that lost a race."""
