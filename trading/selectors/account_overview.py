"""One account at a glance: holdings against target, lots with unrealized gains, open
wash-sale windows, realized gains this year against caps and what is left of them, cash
and withdrawals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Account, CashWithdrawal
from accounts.selectors.preferences import EffectivePreferences, effective_preferences
from firms.models import Firm
from models_library.models import Security
from models_library.selectors.prices import latest_closes
from models_library.selectors.resolution import model_target_weights
from money import ZERO, cents_half_even
from rebalancer.errors import DomainError
from tax_calendar.holding import is_long_term
from trading.gain_caps import GainRoom
from trading.models import Term
from trading.selectors.effective_target import account_effective_target
from trading.selectors.expected_dividends import (
    ExpectedDividend,
    expected_dividends,
    expected_dividends_usd,
)
from trading.selectors.filer_position import TaxBudgetRoom, tax_budget_room
from trading.selectors.gain_room import gain_rooms_for_accounts
from trading.selectors.holdings import account_cash_usd, account_lots, account_positions
from trading.selectors.realized import RealizedSummary, realized_gains_summary, wash_sale_windows
from trading.selectors.transition import TransitionProgress, transition_progress


@dataclass(frozen=True)
class HoldingRow:
    """``target`` is the effective target (after the account's substitutions and screens);
    ``model_target`` the published model's weight."""

    symbol: str
    name: str
    asset_class: str
    sector: str
    quantity: Decimal
    value_usd: Decimal
    weight: Decimal
    target: Decimal
    model_target: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.weight - self.target


@dataclass(frozen=True)
class LotRow:
    lot_ref: str
    symbol: str
    quantity: Decimal
    acquired: dt.date
    cost_basis_usd: Decimal
    value_usd: Decimal | None
    term: str
    wash_sale_adjustment_usd: Decimal

    @property
    def gain_usd(self) -> Decimal | None:
        return None if self.value_usd is None else self.value_usd - self.cost_basis_usd


@dataclass(frozen=True)
class AccountOverview:
    as_of: dt.date
    holdings: list[HoldingRow]
    lots: list[LotRow]
    cash_usd: Decimal
    total_value_usd: Decimal
    target_error: str
    preferences: EffectivePreferences
    drift: Decimal | None
    realized: RealizedSummary
    gain_room: GainRoom
    withdrawals: list[CashWithdrawal]
    tax_budget: TaxBudgetRoom | None = None
    transition: TransitionProgress | None = None
    wash_not_to_buy: list = field(default_factory=list)
    wash_not_to_sell: list = field(default_factory=list)
    # declared, not yet paid: shown beside cash, not counted in it
    expected_dividends: list[ExpectedDividend] = field(default_factory=list)

    @property
    def expected_dividends_usd(self) -> Decimal:
        return expected_dividends_usd(self.expected_dividends)

    @property
    def cash_weight(self) -> Decimal:
        return self.cash_usd / self.total_value_usd if self.total_value_usd else ZERO

    @property
    def cash_target(self) -> Decimal:
        """The part of the model not invested: what the target leaves in cash."""
        if not self.holdings or self.target_error:
            return ZERO
        return max(ZERO, 1 - sum((row.target for row in self.holdings), ZERO))

    @property
    def cash_difference(self) -> Decimal:
        return self.cash_weight - self.cash_target

    def grouped(self, field: str) -> list[tuple[str, Decimal, Decimal]]:
        """(group, weight, target) summed over the holdings by ``field`` ("asset_class" or
        "sector"), largest target first."""
        totals: dict[str, list[Decimal]] = {}
        for row in self.holdings:
            entry = totals.setdefault(getattr(row, field) or "other", [ZERO, ZERO])
            entry[0] += row.weight
            entry[1] += row.target
        return sorted(((k, w, t) for k, (w, t) in totals.items()), key=lambda r: (-r[2], r[0]))

    @property
    def unrealized_short_usd(self) -> Decimal:
        return sum((r.gain_usd or ZERO for r in self.lots if r.term == Term.SHORT), ZERO)

    @property
    def unrealized_long_usd(self) -> Decimal:
        return sum((r.gain_usd or ZERO for r in self.lots if r.term == Term.LONG), ZERO)


def _target(account: Account) -> tuple[dict[str, Decimal], str]:
    assignment = getattr(account, "model_assignment", None)
    if assignment is None:
        return {}, "No model is assigned to this account."
    try:
        weights = model_target_weights(model=assignment.model)
    except DomainError as exc:
        return {}, exc.message
    if weights is None:
        return {}, f"The model {assignment.model} has no published version."
    return weights, ""


def _holdings(*, firm: Firm, account: Account, as_of: dt.date, target, effective, cash: Decimal):
    positions = {p.symbol: p for p in account_positions(firm=firm, account=account, as_of=as_of)}
    total = cash + sum((p.market_value_usd or ZERO for p in positions.values()), ZERO)
    symbols = set(positions) | set(target) | set(effective)
    info = {s.symbol: s for s in Security.objects.filter(symbol__in=symbols)}
    rows = []
    for symbol in sorted(symbols):
        p, security = positions.get(symbol), info.get(symbol)
        value = (p.market_value_usd or ZERO) if p else ZERO
        rows.append(
            HoldingRow(
                symbol=symbol,
                name=security.name if security else "",
                asset_class=security.asset_class if security else "",
                sector=security.sector if security else "",
                quantity=p.quantity if p else ZERO,
                value_usd=value,
                weight=value / total if total else ZERO,
                target=effective.get(symbol, ZERO),
                model_target=target.get(symbol, ZERO),
            )
        )
    return rows, total


def account_overview(*, firm: Firm, account: Account, as_of: dt.date) -> AccountOverview:
    """Everything the account page shows, valued at the last prices on or before ``as_of``."""
    cash = account_cash_usd(firm=firm, account=account)
    target, target_error = _target(account)
    aim = account_effective_target(firm=firm, account=account, as_of=as_of)
    effective = target if aim.problem else aim.weights
    holdings, total = _holdings(
        firm=firm, account=account, as_of=as_of, target=target, effective=effective, cash=cash
    )
    values = {row.symbol: row.value_usd for row in holdings if row.value_usd}
    lots = list(account_lots(firm=firm, account=account))
    prices = latest_closes(firm=firm, symbols={lot.security.symbol for lot in lots}, as_of=as_of)
    lot_rows = []
    for lot in lots:
        price = prices.get(lot.security.symbol, (None, None))[1]
        long = is_long_term(start=lot.holding_period_start, sold=as_of)
        lot_rows.append(
            LotRow(
                lot_ref=lot.lot_ref,
                symbol=lot.security.symbol,
                quantity=lot.quantity,
                acquired=lot.acquired,
                cost_basis_usd=lot.cost_basis_usd,
                value_usd=None if price is None else cents_half_even(lot.quantity * price),
                term=Term.LONG if long else Term.SHORT,
                wash_sale_adjustment_usd=lot.wash_sale_adjustment_usd,
            )
        )
    windows = wash_sale_windows(firm=firm, household=account.household, as_of=as_of)
    preferences = effective_preferences(firm=firm, account=account, as_of=as_of)
    rooms = gain_rooms_for_accounts(
        firm=firm, accounts=[account], preferences={account.pk: preferences}, as_of=as_of
    )
    return AccountOverview(
        as_of=as_of,
        holdings=holdings,
        lots=lot_rows,
        cash_usd=cash,
        total_value_usd=total,
        target_error=target_error,
        drift=None if target_error else aim.drift(values=values, cash=cash),
        preferences=preferences,
        realized=realized_gains_summary(firm=firm, year=as_of.year, account=account),
        gain_room=rooms.room(account.pk),
        tax_budget=tax_budget_room(
            firm=firm, account=account, preferences=preferences, as_of=as_of
        ),
        transition=transition_progress(
            firm=firm, account=account, preferences=preferences, as_of=as_of
        ),
        withdrawals=list(CashWithdrawal.objects.for_firm(firm).filter(account=account)),
        wash_not_to_buy=list(windows.recent_loss_sales),
        wash_not_to_sell=list(windows.recent_buys),
        expected_dividends=expected_dividends(firm=firm, account_ids=[account.pk]).get(
            account.pk, []
        ),
    )


def account_value_usd(*, firm: Firm, account: Account, as_of: dt.date) -> Decimal:
    """The account's cash plus its positions at the last closes on or before ``as_of``
    (a position without a close counts nothing)."""
    cash = account_cash_usd(firm=firm, account=account)
    positions = account_positions(firm=firm, account=account, as_of=as_of)
    return cash + sum((p.market_value_usd or ZERO for p in positions), ZERO)


def cash_need_warning(
    *, firm: Firm, account: Account, amount_usd: Decimal | None, what: str, as_of: dt.date
) -> str:
    """A sentence when a cash need (a withdrawal, a cash minimum) is more than the
    account's whole value, else "". ``what`` names the need ("The withdrawal")."""
    if amount_usd is None or amount_usd <= ZERO:
        return ""
    value = account_value_usd(firm=firm, account=account, as_of=as_of)
    if amount_usd <= value:
        return ""
    return (
        f"{what} of ${cents_half_even(amount_usd):,} is more than the account's whole value "
        f"of ${cents_half_even(value):,} on {as_of:%Y-%m-%d}: selling everything would not "
        "raise it. Check the amount."
    )
