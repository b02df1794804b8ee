"""A dear share that whole-share rounding leaves no cash for is kept where paying for it
from the rest of the account scores better (`answer.kept_purchases`), not simply dropped."""

from __future__ import annotations

from decimal import Decimal

from optimizer import optimize_account


def _dear_share_account() -> dict:
    """Tax-exempt, $50,000: VTI 450 shares at $100 and $5,000 of cash, against VTI 85 % and
    DEAR 15 % ($7,500: 0.83 of a $9,000 share), with at least $2,000 of cash kept. The
    continuous answer buys 0.83 of a DEAR share; a whole one leaves the cash $1,500 short
    unless more VTI is sold."""
    return {
        "as_of": "2025-06-30",
        "account": {"id": "DEAR", "tax_status": "tax_exempt", "cash": "5000.00"},
        "securities": {
            "VTI": {"price": "100.00", "asset_class": "us_equity"},
            "DEAR": {"price": "9000.00", "asset_class": "intl"},
        },
        "lots": [
            {
                "id": "L-VTI",
                "symbol": "VTI",
                "quantity": "450",
                "cost_basis": "45000.00",
                "acquired": "2020-01-02",
            }
        ],
        "target": {"VTI": "0.85", "DEAR": "0.15"},
        "preferences": {"trading": {"cost_bps": "0"}, "cash": {"min": "2000.00"}},
    }


def test_a_dear_share_is_paid_for_by_selling_more_not_dropped() -> None:
    # when
    result = optimize_account(_dear_share_account())

    # then the account buys its one DEAR share and sells enough VTI to keep $2,000 of cash
    assert result.status == "optimal" and result.summary is not None
    trades = {(t.side, t.symbol): t.quantity for t in result.trades}
    assert trades.get(("buy", "DEAR")) == Decimal("1")
    assert result.cash_after is not None and result.cash_after >= Decimal("2000.00")
    assert result.summary.drift_after < result.summary.drift_before
