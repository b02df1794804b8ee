"""Pure optimization library: one account's plain data in, trades out. No Django."""

from optimizer.api import optimize_account
from optimizer.contract import case_to_dict, parse_case, result_from_dict, result_to_dict
from optimizer.errors import (
    OptimizerError,
    OptimizerInfeasibleError,
    OptimizerInputError,
    SolverError,
)
from optimizer.types import Case, OptimizeResult, Trade

__all__ = [
    "Case",
    "OptimizeResult",
    "OptimizerError",
    "OptimizerInfeasibleError",
    "OptimizerInputError",
    "SolverError",
    "Trade",
    "case_to_dict",
    "optimize_account",
    "parse_case",
    "result_from_dict",
    "result_to_dict",
]
