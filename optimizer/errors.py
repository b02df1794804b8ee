"""Error hierarchy. `retryable` says whether running the same input again may help."""

from __future__ import annotations


class OptimizerError(Exception):
    """Base class for every error the optimizer raises."""

    retryable = False


class OptimizerInputError(OptimizerError):
    """The case breaks the contract; names the case and the field. Retrying cannot help."""

    def __init__(self, *, case: str, field: str, message: str) -> None:
        self.case = case
        self.field = field
        self.message = message
        super().__init__(f"case {case!r}, field {field!r}: {message}")


class OptimizerInfeasibleError(OptimizerError):
    """No trade list meets the hard constraints. Retrying cannot help; the data must change."""


class SolverError(OptimizerError):
    """Every solver failed or returned an inaccurate answer. A retry may help."""

    retryable = True
