"""The nightly benchmark's certificate lines: every answer's gap to its own lower bound, and
direct-index answers' apart."""

from __future__ import annotations

import json
import zlib

from benchmarks.certificates import certificate_gaps


def _blob(securities: int) -> bytes:
    target = {f"S{i:03d}": "0.001" for i in range(securities)}
    return zlib.compress(json.dumps({"target": target}).encode())


def _result(gap: str | None, *, trades: int = 1) -> dict:
    trade = {"symbol": "VTI", "side": "buy", "quantity": "1"}
    return {"summary": {"certificate_gap_bp": gap}, "trades": [trade] * trades}


def test_gaps_are_counted_for_trading_direct_index_and_idle_answers_apart() -> None:
    # given two fund answers, two direct-index answers (one above 1 bp), an answer of no
    # trades, a failed answer and an answer with no certificate
    rows = [
        (_result("0.00"), _blob(12)),
        (_result("0.40"), _blob(12)),
        (_result("0.90"), _blob(100)),
        (_result("3.50"), _blob(100)),
        (_result("2.60", trades=0), _blob(12)),
        (None, _blob(100)),
        (_result(None), _blob(12)),
    ]

    # when
    trading, direct, idle = certificate_gaps(rows)

    # then
    assert trading.gaps == (0.0, 0.4, 0.9, 3.5)
    assert direct.gaps == (0.9, 3.5)
    assert idle.gaps == (2.6,)
    assert "3 of 4 within 1 bp of their bound (75 %)" in trading.line()
    assert "1 of 2 within 1 bp of their bound (50 %)" in direct.line()
    assert "max 3.50 bp" in direct.line()
