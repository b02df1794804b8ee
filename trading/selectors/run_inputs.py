"""Everything the optimizer needs for a chunk of accounts, in a constant number of queries.

The query count does not depend on how many accounts are asked for: accounts, preferences
(six queries), lots, cash, published model lines (two), securities, prices (two), the
household wash-sale context (three), what is left of the gain caps (two), the firm's
equivalence sets and the night's planned gifts (``trading.selectors.gifts``).
``trading.optimization`` turns the result into the optimizer's input.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Account, TaxStatus
from accounts.selectors.preferences import EffectivePreferences, effective_preferences_for_accounts
from firms.models import Firm
from models_library.models import ModelLine, ModelVersion, Security, SecurityType, VersionStatus
from models_library.selectors.equivalents import firm_equivalents
from models_library.selectors.prices import latest_closes
from models_library.selectors.resolution import resolve_lines
from models_library.selectors.risk_models import latest_risk_model
from money import plain_digits
from optimizer.contract import reliefs_from_list
from optimizer.types import GiftPlan, RiskModel
from rebalancer.errors import DomainError
from tax_calendar.wash_sale import window_start
from trading.models import (
    CashBalance,
    ProposalStatus,
    ProposedTrade,
    TaxLot,
    TradeSide,
)
from trading.selectors.filer_position import FilerPositions, filer_positions_for_accounts
from trading.selectors.gain_room import GainRooms, gain_rooms_for_accounts
from trading.selectors.gifts import gift_plan_date, gifts_to_plan
from trading.selectors.realized import wash_sale_windows_for_households
from trading.selectors.reconciliation import accounts_on_hold


@dataclass(frozen=True)
class WashEvent:
    symbol: str
    date: dt.date
    quantity: Decimal | None = None


@dataclass
class HouseholdWashContext:
    recent_buys: list[WashEvent] = field(default_factory=list)
    recent_loss_sales: list[WashEvent] = field(default_factory=list)


# One open lot: (pk, lot_ref, symbol, quantity, cost_basis_usd, holding_period_start).
LotRow = tuple[int, str, str, Decimal, Decimal, dt.date]


@dataclass
class AccountInputs:
    account: Account
    preferences: EffectivePreferences
    lots: list[LotRow]
    cash_usd: Decimal
    target: dict[str, Decimal] | None
    target_error: str = ""
    hold_reason: str = ""
    # the planned charitable gift the night's solve gives (None: none planned)
    gift: GiftPlan | None = None


@dataclass
class ChunkInputs:
    as_of: dt.date
    accounts: list[AccountInputs]
    securities: dict[str, Security]
    prices: dict[str, tuple[dt.date, Decimal]]
    wash: dict[int, HouseholdWashContext]
    gain_rooms: GainRooms
    filers: FilerPositions | None = None
    swap_partners: dict[str, list[str]] = field(default_factory=dict)
    # the platform's risk model on or before ``as_of`` (None: none stored yet)
    risk_model: RiskModel | None = None
    equivalents: tuple[tuple[str, ...], ...] = ()


def _model_targets(*, firm: Firm, model_ids: set[int]) -> dict[int, dict[str, Decimal] | str]:
    """Resolved weights of each model's latest published version, or an error message."""
    versions = ModelVersion.objects.for_firm(firm).filter(status=VersionStatus.PUBLISHED)
    latest: dict[int, ModelVersion] = {}
    for published in versions.order_by("model_id", "number"):
        latest[published.model_id] = published
    lines_by_version: dict[int, list[ModelLine]] = defaultdict(list)
    for line in (
        ModelLine.objects.for_firm(firm)
        .filter(version_id__in=[v.pk for v in latest.values()])
        .select_related("security")
    ):
        lines_by_version[line.version_id].append(line)

    targets: dict[int, dict[str, Decimal] | str] = {}
    for model_id in model_ids:
        version = latest.get(model_id)
        if version is None:
            targets[model_id] = "the assigned model has no published version"
            continue
        try:
            targets[model_id] = resolve_lines(
                lines=lines_by_version[version.pk],
                model_id=model_id,
                sub_version_of=latest.get,
                lines_of=lambda v: lines_by_version[v.pk],
            )
        except DomainError as exc:
            targets[model_id] = str(exc)
    return targets


def _wash_context(
    *, firm: Firm, household_ids: set[int], as_of: dt.date
) -> dict[int, HouseholdWashContext]:
    """Per household, from the lot engine's ledger: buys in any account, and loss sales in
    taxable accounts whose loss is not yet wholly disallowed, in the 30 days up to
    ``as_of``; the trades of approved proposals not yet filled count as if already traded,
    as the advisor left them (the proposed trade rows, edits included)."""
    since = window_start(sold=as_of)
    context: dict[int, HouseholdWashContext] = defaultdict(HouseholdWashContext)
    windows = wash_sale_windows_for_households(firm=firm, household_ids=household_ids, as_of=as_of)
    for household_id, window in windows.items():
        context[household_id].recent_buys.extend(
            WashEvent(b.symbol, b.date, b.quantity) for b in window.recent_buys
        )
        context[household_id].recent_loss_sales.extend(
            WashEvent(s.symbol, s.date) for s in window.recent_loss_sales
        )
    approved = ProposedTrade.objects.for_firm(firm).filter(
        proposal__account__household_id__in=household_ids,
        proposal__status=ProposalStatus.APPROVED,
        held=False,
        proposal__as_of__gte=since,
        proposal__as_of__lte=as_of,
    )
    rows = approved.order_by("-proposal__as_of", "proposal__account_id", "pk").values_list(
        "proposal__account__household_id",
        "proposal__account__tax_status",
        "proposal__as_of",
        "side",
        "security__symbol",
        "quantity",
        "lots",
    )
    for household_id, tax_status, day, side, symbol, quantity, lots in rows:
        if side == TradeSide.BUY:
            shares = Decimal(plain_digits(quantity))  # as the optimizer writes a quantity
            context[household_id].recent_buys.append(WashEvent(symbol, day, shares))
        elif tax_status == TaxStatus.TAXABLE and any(r.gain < 0 for r in reliefs_from_list(lots)):
            context[household_id].recent_loss_sales.append(WashEvent(symbol, day))
    return context


def chunk_inputs(*, firm: Firm, account_ids: list[int], as_of: dt.date) -> ChunkInputs:
    accounts = list(
        Account.objects.for_firm(firm)
        .filter(pk__in=account_ids)
        .select_related("model_assignment")
        .order_by("pk")
    )
    preferences = effective_preferences_for_accounts(firm=firm, accounts=accounts, as_of=as_of)
    lots: dict[int, list[LotRow]] = defaultdict(list)
    for account_id, pk, lot_ref, symbol, quantity, basis, start in (
        TaxLot.objects.for_firm(firm)
        .filter(account_id__in=account_ids)
        .order_by("account_id", "acquired", "id")
        .values_list(
            "account_id",
            "pk",
            "lot_ref",
            "security__symbol",
            "quantity",
            "cost_basis_usd",
            "holding_period_start",
        )
    ):
        lots[account_id].append((pk, lot_ref, symbol, quantity, basis, start))
    cash = dict(
        CashBalance.objects.for_firm(firm)
        .filter(account_id__in=account_ids)
        .values_list("account_id", "amount_usd")
    )
    assignments = {
        a.pk: a.model_assignment.model_id
        for a in accounts
        if getattr(a, "model_assignment", None) is not None
    }
    targets = _model_targets(firm=firm, model_ids=set(assignments.values()))
    holds = accounts_on_hold(firm=firm, account_ids=account_ids)
    gifts = gifts_to_plan(firm=firm, account_ids=account_ids, as_of=as_of)

    symbols: set[str] = set()
    items = []
    for account in accounts:
        model_id = assignments.get(account.pk)
        target = targets.get(model_id) if model_id is not None else None
        error = target if isinstance(target, str) else ""
        if account.pk not in assignments:
            error = "no model is assigned to this account"
        weights = target if isinstance(target, dict) else None
        prefs = preferences[account.pk]
        symbols |= {row[2] for row in lots[account.pk]}
        symbols |= set(weights or {})
        symbols |= referenced_symbols(prefs)
        items.append(
            AccountInputs(
                account=account,
                preferences=prefs,
                lots=lots[account.pk],
                cash_usd=cash.get(account.pk, Decimal("0.00")),
                target=weights,
                target_error=error,
                hold_reason=holds.get(account.pk, ""),
                gift=None
                if account.pk not in gifts
                else GiftPlan(
                    amount=gifts[account.pk].amount_usd,
                    date=gift_plan_date(gifts[account.pk], as_of=as_of),
                ),
            )
        )
    partners = _etf_swap_partners()
    for item in items:
        for symbol in item.target or {}:
            symbols |= set(partners.get(symbol, []))
    wash = _wash_context(firm=firm, household_ids={a.household_id for a in accounts}, as_of=as_of)
    for context in wash.values():
        symbols |= {e.symbol for e in context.recent_buys + context.recent_loss_sales}
    securities = {s.symbol: s for s in Security.objects.filter(symbol__in=symbols)}
    return ChunkInputs(
        as_of=as_of,
        accounts=items,
        securities=securities,
        prices=latest_closes(firm=firm, symbols=symbols, as_of=as_of),
        wash=wash,
        gain_rooms=gain_rooms_for_accounts(
            firm=firm, accounts=accounts, preferences=preferences, as_of=as_of
        ),
        filers=filer_positions_for_accounts(
            firm=firm, accounts=accounts, preferences=preferences, as_of=as_of
        ),
        swap_partners=partners,
        risk_model=latest_risk_model(as_of),
        equivalents=firm_equivalents(firm=firm),
    )


def _etf_swap_partners() -> dict[str, list[str]]:
    """For each tradable ETF, the other tradable ETFs of its asset class that are not
    substantially identical to it: what a tax-loss harvest can swap into. One query."""
    etfs = list(
        Security.objects.filter(security_type=SecurityType.ETF, tradable=True).order_by("symbol")
    )
    return {
        etf.symbol: [
            other.symbol
            for other in etfs
            if other.asset_class == etf.asset_class and other.wash_sale_group != etf.wash_sale_group
        ]
        for etf in etfs
    }


def referenced_symbols(prefs: EffectivePreferences) -> set[str]:
    """Symbols the account's rules name: the optimizer needs an entry for each."""
    symbols = {r.values["symbol"] for r in prefs.restrictions}
    symbols |= {s.values["value"] for s in prefs.screens if s.values["field"] == "symbol"}
    for row in prefs.substitutions:
        symbols |= {row.values["from_symbol"], row.values["to_symbol"]}
    return symbols
