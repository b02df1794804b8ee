"""The `manage.py optimize` contract (contracts/optimize.md): the one place that knows its
JSON keys. `parse_case` reads a case, `case_to_dict` writes one, `check_case` holds a case
built in code to the same rules; `result_to_dict` writes an answer, `result_from_dict` reads
a stored one."""

from optimizer.contract.check import check_case
from optimizer.contract.parse import parse_case
from optimizer.contract.serialize import (
    SUMMARY_FIGURES,
    TRACKING_FIGURES,
    case_to_dict,
    reliefs_from_list,
    reliefs_to_list,
    result_from_dict,
    result_to_dict,
    risk_model_to_dict,
    rules_to_list,
)

__all__ = [
    "SUMMARY_FIGURES",
    "TRACKING_FIGURES",
    "case_to_dict",
    "check_case",
    "parse_case",
    "reliefs_from_list",
    "reliefs_to_list",
    "result_from_dict",
    "result_to_dict",
    "risk_model_to_dict",
    "rules_to_list",
]
