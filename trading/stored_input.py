"""A proposal's stored optimizer input: the case as the contract's JSON
(``contracts/optimize.md``), compressed and hashed for storing with the proposal, and read
back for replay and review.

A stored input records a stored risk model only by its id and content hash
(``{"risk_model": {"id": ..., "content_hash": ...}}``), not its numbers; reading a stored
input back reloads the model by id, so a replay solves with the very same floats.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from typing import Any

from models_library.selectors.risk_models import risk_model_by_id, risk_model_content_hash
from optimizer.contract import case_to_dict, parse_case
from optimizer.types import Case


def canonical_json(case: dict[str, Any]) -> bytes:
    return json.dumps(case, sort_keys=True, separators=(",", ":")).encode()


def input_dict(case: Case) -> dict[str, Any]:
    """The contract's JSON of ``case`` as a proposal stores it: a stored risk model by its
    id and content hash only."""
    model = case.risk_model
    if model is None or not model.id:
        return case_to_dict(case)
    data = case_to_dict(dataclasses.replace(case, risk_model=None))
    data["risk_model"] = {"id": model.id, "content_hash": risk_model_content_hash(model.id)}
    return data


def pack_input(case: Case) -> tuple[bytes, str]:
    """(zlib-compressed canonical stored input, its SHA-256) for storing with a proposal."""
    raw = canonical_json(input_dict(case))
    return zlib.compress(raw, 6), hashlib.sha256(raw).hexdigest()


def unpack_input(blob: bytes | memoryview | None) -> dict[str, Any]:
    """A proposal's stored input as stored (a risk model by id and hash)."""
    if blob is None:
        raise ValueError("the proposal has no stored input")
    loaded: dict[str, Any] = json.loads(zlib.decompress(bytes(blob)))
    return loaded


def case_from_input(data: dict[str, Any]) -> Case:
    """A stored input read back into the optimizer's case, its risk model reloaded by id
    (raises RiskModelMissing when that model is no longer stored with that hash)."""
    reference = data.get("risk_model")
    if not (isinstance(reference, dict) and set(reference) == {"id", "content_hash"}):
        return parse_case(data)
    case = parse_case({key: value for key, value in data.items() if key != "risk_model"})
    _, model = risk_model_by_id(
        name=str(reference["id"]), content_hash_hex=str(reference["content_hash"])
    )
    return dataclasses.replace(case, risk_model=model)


def stored_case(blob: bytes | memoryview | None) -> Case:
    """A proposal's stored input, read back into the optimizer's case."""
    return case_from_input(unpack_input(blob))
