"""A planned charitable gift: the most appreciated long-term lots leave the account in kind."""

from __future__ import annotations

from optimizer import optimize_account, result_to_dict


def account(*, amount: str, tax_status: str = "taxable") -> dict:
    """A at $100: A1 (100 shares, $2,000 basis: 80 % appreciation) and A2 (100, $9,000:
    10 %); B at $50: B1 (100 shares, $1,500: 70 %) long-term, B2 (100, $4,000: 20 %)
    bought 2025-03-03, short-term on the gift's date."""
    return {
        "as_of": "2025-06-30",
        "account": {"id": "GIFT", "tax_status": tax_status, "cash": "0.00"},
        "securities": {
            "A": {"price": "100.00", "asset_class": "equity", "identical_group": "A"},
            "B": {"price": "50.00", "asset_class": "equity2", "identical_group": "B"},
        },
        "lots": [
            {
                "id": "A1",
                "symbol": "A",
                "quantity": "100",
                "cost_basis": "2000.00",
                "acquired": "2015-01-02",
            },
            {
                "id": "A2",
                "symbol": "A",
                "quantity": "100",
                "cost_basis": "9000.00",
                "acquired": "2020-01-02",
            },
            {
                "id": "B1",
                "symbol": "B",
                "quantity": "100",
                "cost_basis": "1500.00",
                "acquired": "2018-01-02",
            },
            {
                "id": "B2",
                "symbol": "B",
                "quantity": "100",
                "cost_basis": "4000.00",
                "acquired": "2025-03-03",
            },
        ],
        "target": {"A": "0.50", "B": "0.50"},
        "preferences": {
            "tax": {"short_term_rate": "0.37", "long_term_rate": "0.20"},
            "gift": {"amount": amount, "date": "2025-07-15"},
        },
    }


def test_a_gift_gives_the_most_appreciated_long_term_lots_and_shows_the_tax_avoided():
    # given a $12,000 gift: A1 whole ($10,000, $8,000 appreciation), then 40 shares of B1
    # ($2,000 on $600 of basis); B2 is short-term and A2 appreciated least
    result = result_to_dict(optimize_account(account(amount="12000.00")))

    assert result["status"] == "optimal", result["message"]
    assert result["gifts"] == [
        {
            "lot": "A1",
            "symbol": "A",
            "quantity": "100",
            "price": "100.00",
            "value": "10000.00",
            "cost_basis": "2000.00",
            "appreciation": "8000.00",
        },
        {
            "lot": "B1",
            "symbol": "B",
            "quantity": "40",
            "price": "50.00",
            "value": "2000.00",
            "cost_basis": "600.00",
            "appreciation": "1400.00",
        },
    ]
    # then the tax avoided is $9,400 at 20 %, and the gift is no trade
    assert result["summary"]["gift_value"] == "12000.00"
    assert result["summary"]["gift_tax_avoided"] == "1880.00"
    sold_lots = {r["lot"] for t in result["trades"] if t["side"] == "sell" for r in t["lots"]}
    assert "A1" not in sold_lots
    sold = {t["symbol"]: float(t["quantity"]) for t in result["trades"] if t["side"] == "sell"}
    assert sold.get("A", 0) <= 100 and sold.get("B", 0) <= 160


def test_the_rebalance_treats_the_gift_as_leaving_the_account():
    # given a gift of all of A's appreciated lot, A (now $10,000) and B ($10,000) sit on
    # their 50/50 target: nothing to trade
    result = result_to_dict(optimize_account(account(amount="10000.00")))

    assert [g["lot"] for g in result["gifts"]] == ["A1"]
    assert result["summary"]["drift_before"] == "0.0000"
    assert result["trades"] == []


def test_a_gift_larger_than_the_account_is_refused_naming_the_field():
    result = result_to_dict(optimize_account(account(amount="30000.01")))

    assert result["status"] == "invalid"
    assert "preferences.gift.amount" in result["message"]
    assert "$30,000.01 is more than the account's value of $30,000.00" in result["message"]


def test_a_negative_gift_is_refused_naming_the_field():
    result = result_to_dict(optimize_account(account(amount="-5")))

    assert result["status"] == "invalid"
    assert "preferences.gift.amount" in result["message"]


def test_a_gift_from_a_retirement_account_is_refused():
    result = result_to_dict(optimize_account(account(amount="100", tax_status="tax_deferred")))

    assert result["status"] == "invalid"
    assert "preferences.gift" in result["message"]
