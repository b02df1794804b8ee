"""Effective drift worked out by hand: substitutions, screens, equivalence sets, identical
groups, tax swaps; and the contract's `equivalents`."""

from __future__ import annotations

import dataclasses

import pytest

from optimizer import OptimizerInputError, case_to_dict, optimize_account, parse_case
from optimizer.contract import check_case
from optimizer.drift import case_drift, drift_lines, effective_drift, effective_target
from optimizer.types import Case


def etf_case(*, holdings: dict[str, int], **overrides) -> dict:
    """A $10,000 ETF account at $100 a share: VTI 60 % and BND 40 % published, with their
    look-alike funds priced and classed; `holdings` in shares, bought at $100."""
    securities = {
        "VTI": ("us_equity", "CRSP"),
        "ITOT": ("us_equity", "SP-TMI"),
        "SCHB": ("us_equity", "DJ"),
        "VEA": ("intl", "FTSE"),
        "IEFA": ("intl", "MSCI"),
        "BND": ("bond", "AGG-F"),
        "AGG": ("bond", "AGG"),
    }
    case = {
        "as_of": "2025-06-30",
        "account": {"id": "DRIFT", "tax_status": "tax_exempt", "cash": "0.00"},
        "securities": {
            s: {"price": "100.00", "asset_class": c, "identical_group": g}
            for s, (c, g) in securities.items()
        },
        "lots": [
            {
                "id": f"L-{s}",
                "symbol": s,
                "quantity": str(q),
                "cost_basis": str(q * 100),
                "acquired": "2020-01-02",
            }
            for s, q in holdings.items()
        ],
        "target": {"VTI": "0.60", "BND": "0.40"},
        "preferences": {"trading": {"cost_bps": "0"}},
    }
    case.update(overrides)
    return case


def held_target(data: dict) -> dict[str, float]:
    """The effective target's non-zero weights."""
    return {s: w for s, w in effective_target(case=parse_case(data)).items() if w}


def drift_of(data: dict) -> float:
    case = parse_case(data)
    values: dict[str, float] = {}
    for symbol, qty in zip(case.lots.symbol.tolist(), case.lots.quantity.tolist(), strict=True):
        values[symbol] = values.get(symbol, 0.0) + float(qty * case.securities.price_of(symbol))
    return case_drift(case=case, values=values, cash=case.cash)


def test_on_the_published_target_there_is_no_drift() -> None:
    assert drift_of(etf_case(holdings={"VTI": 60, "BND": 40})) == 0.0


def test_schb_held_for_vti_under_a_substitution_is_no_drift() -> None:
    # given the household's "SCHB instead of VTI", and SCHB held in VTI's place
    prefs = {"substitutions": [{"from": "VTI", "to": "SCHB"}], "trading": {"cost_bps": "0"}}
    data = etf_case(holdings={"SCHB": 60, "BND": 40}, preferences=prefs)

    # when / then: against the published target it would be 60 % drift
    assert held_target(data) == {"SCHB": 0.6, "BND": 0.4}
    assert drift_of(data) == pytest.approx(0.0, abs=1e-12)
    assert drift_of(etf_case(holdings={"SCHB": 60, "BND": 40})) == pytest.approx(0.6)


def test_schb_for_vti_is_no_drift_when_they_are_one_equivalence_set() -> None:
    data = etf_case(holdings={"SCHB": 60, "BND": 40}, equivalents=[["VTI", "ITOT", "SCHB"]])

    assert drift_of(data) == pytest.approx(0.0, abs=1e-12)


def test_a_split_over_the_set_is_one_line_and_only_the_lines_gap_counts() -> None:
    # given 30 % VTI + 20 % ITOT + 10 % SCHB (the set: 60 %), BND 35 %, cash 5 %
    data = etf_case(
        holdings={"VTI": 30, "ITOT": 20, "SCHB": 10, "BND": 35},
        equivalents=[["VTI", "ITOT", "SCHB"]],
    )
    data["account"]["cash"] = "500.00"

    # then: BND 5 % under and cash 5 % over: (0.05 + 0.05) / 2
    assert drift_of(data) == pytest.approx(0.05)


def test_a_screened_security_spreads_over_the_rest_of_its_class() -> None:
    # given VTI 30 %, ITOT 30 % published, VTI screened out; ITOT held at 60 %
    data = etf_case(
        holdings={"ITOT": 60, "BND": 40},
        target={"VTI": "0.30", "ITOT": "0.30", "BND": "0.40"},
        preferences={"screens": [{"field": "symbol", "value": "VTI"}]},
    )

    assert held_target(data) == {"ITOT": 0.6, "BND": 0.4}
    assert drift_of(data) == pytest.approx(0.0, abs=1e-12)


def test_a_screen_that_leaves_nothing_in_its_class_moves_the_weight_to_cash() -> None:
    # given every us_equity fund screened: its 60 % belongs in cash
    data = etf_case(
        holdings={"BND": 40},
        preferences={"screens": [{"field": "asset_class", "value": "us_equity"}]},
    )
    data["account"]["cash"] = "6000.00"

    assert held_target(data) == {"BND": 0.4}
    assert drift_of(data) == pytest.approx(0.0, abs=1e-12)


def test_a_tax_swap_into_a_partner_of_the_set_is_no_drift() -> None:
    # given VEA 40 % published and IEFA held after a swap
    target = {"VTI": "0.60", "VEA": "0.40"}
    swapped = {"VTI": 60, "IEFA": 40}

    assert drift_of(etf_case(holdings=swapped, target=target)) == pytest.approx(0.4)
    assert drift_of(
        etf_case(holdings=swapped, target=target, equivalents=[["VEA", "IEFA"]])
    ) == pytest.approx(0.0, abs=1e-12)


def test_one_identical_group_is_one_line_but_each_stock_is_its_own() -> None:
    # given GOOGL published, GOOG (same group) held, and AAPL in place of MSFT
    lines = drift_lines(
        equivalents=(),
        groups=[("GOOGL", "ALPHABET"), ("GOOG", "ALPHABET"), ("AAPL", "AAPL"), ("MSFT", "MSFT")],
    )
    target = {"GOOGL": 0.5, "MSFT": 0.5}

    # then: GOOG for GOOGL is no drift; AAPL for MSFT (same sector) is 50 %
    assert lines == {"GOOG": "GOOG", "GOOGL": "GOOG"}
    assert effective_drift(
        values={"GOOG": 50, "AAPL": 50}, cash=0, target=target, lines=lines
    ) == pytest.approx(0.5)


def test_sets_sharing_a_symbol_or_a_group_merge_into_one_line() -> None:
    lines = drift_lines(
        equivalents=[("VTI", "ITOT"), ("SCHB", "DFUS")],
        groups=[("ITOT", "SP-TMI"), ("SPTM", "SP-TMI"), ("SCHB", "DJ"), ("VTI", "CRSP")],
    )

    assert lines == {"ITOT": "ITOT", "SPTM": "ITOT", "VTI": "ITOT", "SCHB": "DFUS", "DFUS": "DFUS"}


def test_an_empty_account_has_no_drift() -> None:
    assert effective_drift(values={}, cash=0, target={"VTI": 1.0}, lines={}) == 0.0


def test_the_optimizers_summary_reports_effective_drift() -> None:
    # given SCHB for VTI by substitution, on its effective target
    prefs = {"substitutions": [{"from": "VTI", "to": "SCHB"}], "trading": {"cost_bps": "0"}}
    data = etf_case(holdings={"SCHB": 60, "BND": 40}, preferences=prefs)

    # when
    result = optimize_account(data)

    # then
    assert result.status == "optimal"
    assert result.trades == ()
    assert result.summary is not None
    assert str(result.summary.drift_before) == "0.0000"
    assert str(result.summary.drift_after) == "0.0000"


def _harvest_case(**overrides) -> dict:
    """Taxable, VTI 60 % on target, and VEA 40 % bought at $150 now at $100: a loss."""
    data = etf_case(holdings={"VTI": 60}, target={"VTI": "0.60", "VEA": "0.40"}, **overrides)
    data["account"]["tax_status"] = "taxable"
    data["lots"].append(
        {
            "id": "L-VEA",
            "symbol": "VEA",
            "quantity": "40",
            "cost_basis": "6000.00",
            "acquired": "2025-01-02",
        }
    )
    return data


def test_a_tax_swap_does_not_show_as_drift_rising() -> None:
    # given IEFA, VEA's partner, in one equivalence set with it
    data = _harvest_case(equivalents=[["VEA", "IEFA"]])

    # when
    result = optimize_account(data)

    # then the loss is harvested into IEFA, and the only drift after is the cash the
    # whole-share purchase leaves
    assert result.status == "optimal"
    assert result.summary is not None and result.cash_after is not None
    bought = {t.symbol: t.quantity for t in result.trades if t.side == "buy"}
    assert {(t.side, t.symbol) for t in result.trades} == {("sell", "VEA"), ("buy", "IEFA")}
    assert result.summary.drift_before == 0
    assert result.summary.drift_after == result.cash_after / 10_000
    assert result.summary.drift_after == (40 - bought["IEFA"]) / 100

    # and the same trades measured security by security would be 40 % drift
    measured = parse_case(data)
    after = {"VTI": 6000.0, "IEFA": float(bought["IEFA"] * 100)}
    alone = dataclasses.replace(measured, equivalents=())
    assert case_drift(case=alone, values=after, cash=result.cash_after) == pytest.approx(0.40)


def test_equivalents_survive_a_round_trip_and_are_left_out_when_empty() -> None:
    data = etf_case(holdings={"VTI": 60}, equivalents=[["VTI", "ITOT", "SCHB"], ["VEA", "XUS"]])
    case = parse_case(data)

    assert case.equivalents == (("VTI", "ITOT", "SCHB"), ("VEA", "XUS"))
    assert parse_case(case_to_dict(case)) == case
    assert "equivalents" not in case_to_dict(dataclasses.replace(case, equivalents=()))


@pytest.mark.parametrize(
    ("equivalents", "field", "message"),
    [
        ({"VTI": "ITOT"}, "equivalents", "must be a list"),
        (["VTI"], "equivalents[0]", "must be a list"),
        ([["VTI"]], "equivalents[0]", "at least two symbols"),
        ([["VTI", ""]], "equivalents[0][1]", "non-empty string"),
        ([["VTI", "ITOT", "VTI"]], "equivalents[0][2]", "twice in this set"),
        ([["VTI", "ITOT"], ["SCHB", "VTI"]], "equivalents[1][1]", "also in equivalents[0]"),
    ],
)
def test_bad_equivalents_name_the_field(equivalents, field: str, message: str) -> None:
    with pytest.raises(OptimizerInputError) as caught:
        parse_case(etf_case(holdings={"VTI": 60}, equivalents=equivalents))

    assert caught.value.field == field
    assert message in str(caught.value)


def test_a_built_case_is_held_to_the_same_rule() -> None:
    case: Case = parse_case(etf_case(holdings={"VTI": 60}))
    built = dataclasses.replace(case, equivalents=(("VTI", "ITOT"), ("ITOT", "SCHB")))

    with pytest.raises(OptimizerInputError) as caught:
        check_case(built)

    assert caught.value.field == "equivalents[1][0]"
