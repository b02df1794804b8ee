"""Pure optimization library: one account's plain data in, trades out. No Django."""

from optimizer.api import optimize_account
from optimizer.errors import (
    OptimizerError,
    OptimizerInfeasibleError,
    OptimizerInputError,
    SolverError,
)
from optimizer.output import result_to_dict
from optimizer.parsing import parse_case
from optimizer.types import Case, OptimizeResult, Trade

__all__ = [
    "Case",
    "OptimizeResult",
    "OptimizerError",
    "OptimizerInfeasibleError",
    "OptimizerInputError",
    "SolverError",
    "Trade",
    "optimize_account",
    "parse_case",
    "result_to_dict",
]
