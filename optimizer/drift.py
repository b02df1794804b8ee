"""Effective drift: how far an account is from the target its own rules make of its model.

The *effective target* is the published target after the client's substitutions and screens
(`optimizer.rules.adjusted_target`, the same rule the optimizer aims at): a substituted
security's weight moves to its substitute, a screened security's weight spreads over the
rest of its asset class, or to cash when nothing is left there.

A *line* is what drift compares: the securities of one equivalence set (a list the firm
keeps, e.g. VTI, ITOT and SCHB, or tax-swap partners such as VEA and IEFA) and of one
identical group (substantially identical share classes or funds of one index) count as one
line, so holding SCHB for VTI, or IEFA after a tax swap out of VEA, is no drift. Every other
security, each stock of a direct index included, is its own line.

    effective drift = 1/2 * ( sum over lines L of |w_L - t_L| + |w_cash - t_cash| )

where w_L is the line's share of account value (securities plus cash), t_L the sum of its
members' effective target weights, and t_cash = 1 - sum of the effective target. A fraction:
0 is on target, 1 is nothing in common. The optimizer's summary (`drift_before`,
`drift_after`) and every page that shows drift compute it here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from optimizer.rules import adjusted_target, screened_symbols
from optimizer.types import Case, Securities

Number = float | Decimal


def effective_target(*, case: Case) -> dict[str, float]:
    """Symbol -> effective target weight (fractions of account value)."""
    return adjusted_target(case=case, screened=screened_symbols(case=case))


def drift_lines(
    *, equivalents: Iterable[Sequence[str]], groups: Iterable[tuple[str, str]] = ()
) -> dict[str, str]:
    """Symbol -> the name of its line, for the symbols that share a line with another.

    `equivalents` are the equivalence sets; `groups` are (symbol, identical group) pairs.
    Sets that share a symbol, directly or through an identical group, merge into one line,
    named by its first symbol in sorted order. A symbol missing from the answer is its own
    line."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    for members in equivalents:
        listed = list(members)
        for other in listed[1:]:
            join(listed[0], other)
    # a group of one security joins it to nothing else: only shared groups are joined
    paired = list(groups)
    size = Counter(group for _, group in paired)
    for symbol, group in paired:
        if size[group] > 1:
            join(symbol, f"\0group:{group}")
    members_of: dict[str, list[str]] = {}
    for node in list(parent):
        if not node.startswith("\0"):
            members_of.setdefault(root(node), []).append(node)
    return {
        symbol: min(members)
        for members in members_of.values()
        if len(members) > 1
        for symbol in members
    }


def drift_is_measure(*, case: Case) -> bool:
    """Whether effective drift is the account's own measure: its target holds funds only
    (no security with a GICS sector, that is no stock). A direct index's stocks are each
    their own line, and its measure is tracking error."""
    return holds_no_stock(target=case.target, securities=case.securities)


def holds_no_stock(*, target: Mapping[str, Number], securities: Securities) -> bool:
    """Whether `target` names securities and none of them has a GICS sector (a stock)."""
    sector_of = dict(zip(securities.symbol.tolist(), securities.sector.tolist(), strict=True))
    return bool(target) and all(sector_of.get(symbol) is None for symbol in target)


def case_lines(*, case: Case) -> dict[str, str]:
    """The lines of one case: its `equivalents` and its securities' identical groups."""
    securities = case.securities
    return drift_lines(
        equivalents=case.equivalents,
        groups=zip(securities.symbol.tolist(), securities.identical_group.tolist(), strict=True),
    )


def effective_drift(
    *,
    values: Mapping[str, Number],
    cash: Number,
    target: Mapping[str, Number],
    lines: Mapping[str, str],
) -> float:
    """Half the sum of |weight - target| over lines and cash (module docstring).

    `values` are market values per symbol (any currency unit, the same as `cash`); `target`
    is the effective target (fractions); `lines` maps a symbol to its line (`drift_lines`).
    An account worth nothing has no drift."""
    amounts = [float(v) for v in values.values()]
    total = float(cash) + sum(amounts)
    if total <= 0:
        return 0.0
    gaps: dict[str, float] = {}
    for symbol, amount in zip(values, amounts, strict=True):
        line = lines.get(symbol, symbol)
        gaps[line] = gaps.get(line, 0.0) + amount / total
    invested_target = 0.0
    for symbol, weight in target.items():
        line = lines.get(symbol, symbol)
        gaps[line] = gaps.get(line, 0.0) - float(weight)
        invested_target += float(weight)
    cash_gap = float(cash) / total - (1.0 - invested_target)
    return (sum(abs(gap) for gap in gaps.values()) + abs(cash_gap)) / 2


def case_drift(*, case: Case, values: Mapping[str, Number], cash: Number) -> float:
    """Effective drift of holdings worth `values` (per symbol) and `cash` against `case`'s
    effective target and lines."""
    return effective_drift(
        values=values, cash=cash, target=effective_target(case=case), lines=case_lines(case=case)
    )
