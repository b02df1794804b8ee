"""Typed input and output of the tax-lot engine: frozen dataclasses, Decimal amounts.

Quantities are shares, never rounded. Amounts are US dollars, exact inside the engine
and rounded to cents only by :mod:`lot_engine.output`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Method(StrEnum):
    """How a sale without its own ``lots`` list chooses the lots it relieves."""

    FIFO = "FIFO"
    LIFO = "LIFO"
    HIFO = "HIFO"
    TAX_MIN = "TAX_MIN"


class TaxStatus(StrEnum):
    """An account's tax treatment; only ``taxable`` accounts report gains in totals."""

    TAXABLE = "taxable"
    TAX_DEFERRED = "tax_deferred"
    TAX_EXEMPT = "tax_exempt"


class TransactionType(StrEnum):
    """A buy, a sell, or a gift in kind (a transfer out: shares leave, nothing is sold)."""

    BUY = "buy"
    SELL = "sell"
    GIFT = "gift"


class ActionKind(StrEnum):
    """A corporate action: an event on a symbol that every holder of it undergoes."""

    SPLIT = "split"
    CASH_DIVIDEND = "cash_dividend"
    REINVESTED_DIVIDEND = "reinvested_dividend"
    SPIN_OFF = "spin_off"
    SYMBOL_CHANGE = "symbol_change"
    MERGER = "merger"


class CashKind(StrEnum):
    """Why a corporate action paid cash into an account."""

    DIVIDEND = "dividend"
    CASH_IN_LIEU = "cash_in_lieu"
    MERGER = "merger"


class Term(StrEnum):
    SHORT = "short"
    LONG = "long"


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """One account of the household.

    ``method`` overrides the file's method for this account's sales (an extension of the
    contract used by the platform when a household's accounts prefer different methods;
    ``None`` means the file's method).
    """

    tax_status: TaxStatus = TaxStatus.TAXABLE
    method: Method | None = None


@dataclass(frozen=True, slots=True)
class LotPick:
    """One entry of a sale's specific identification: relieve ``quantity`` of ``lot``."""

    lot: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class Transaction:
    """A buy, sell or gift. ``amount`` is the total cost of a buy, the net proceeds of a
    sale, the fair market value of a gift on its date.

    ``index`` is the transaction's position in the input file; on one date, transactions
    are applied in that order.
    """

    id: str
    date: dt.date
    account: str
    type: TransactionType
    symbol: str
    quantity: Decimal
    amount: Decimal
    index: int
    lots: tuple[LotPick, ...] | None = None


@dataclass(frozen=True, slots=True)
class CorporateAction:
    """An event on ``symbol`` applied to every account of the household that holds it.

    ``date`` is the day it takes effect (a dividend's pay date); ``ex_date`` (dividends
    only) is the day from which a buyer no longer receives it, so the shares held just
    before it are the ones paid. ``ratio`` is ``(new, old)``: ``new`` shares for every
    ``old`` (a split; a stock merger: acquirer shares for target shares; a spin-off: child
    shares for parent shares).
    ``new_symbol`` names the child, the new symbol or the acquirer. ``cash_per_share`` is
    a dividend's or a cash merger's cash. ``price`` is a reinvested dividend's purchase
    price, or the price at which fractional shares left by a split, spin-off or stock
    merger are paid in cash (none: fractions are kept). ``basis_fraction`` is the part of
    a spin-off parent's basis that moves to the child.
    """

    id: str
    date: dt.date
    kind: ActionKind
    symbol: str
    index: int
    ex_date: dt.date | None = None
    ratio: tuple[Decimal, Decimal] | None = None
    new_symbol: str | None = None
    cash_per_share: Decimal | None = None
    price: Decimal | None = None
    basis_fraction: Decimal | None = None

    @property
    def entitlement_date(self) -> dt.date:
        """The date on which holdings are read: a dividend's ex-date, else ``date``."""
        return self.ex_date or self.date

    def scaled(self, quantity: Decimal) -> Decimal:
        """``quantity`` old shares in new shares, exactly (``quantity * new / old``)."""
        new, old = self.ratio or (Decimal(1), Decimal(1))
        return quantity * new / old


@dataclass(frozen=True, slots=True)
class EngineInput:
    """A whole household's transactions and the rules to apply to them.

    ``accounts`` pairs account names with their specs; an account not listed is taxable
    and uses ``method``. ``identical_groups`` lists the symbols that are substantially
    identical to each other (a symbol in no group is alone).
    """

    transactions: tuple[Transaction, ...]
    method: Method = Method.FIFO
    wash_sale: bool = True
    accounts: tuple[tuple[str, AccountSpec], ...] = ()
    identical_groups: tuple[tuple[str, ...], ...] = ()
    actions: tuple[CorporateAction, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenLot:
    """What remains of one purchase (or one piece of it, when a wash sale split it)."""

    id: str
    account: str
    symbol: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: dt.date
    holding_period_start: dt.date
    wash_sale_adjustment: Decimal


@dataclass(frozen=True, slots=True)
class RealizedRow:
    """One lot (or piece) relieved by one sale. ``gain`` is ``proceeds - cost_basis``."""

    sale: str
    lot: str
    account: str
    symbol: str
    quantity: Decimal
    acquired: dt.date
    sold: dt.date
    proceeds: Decimal
    cost_basis: Decimal
    gain: Decimal
    term: Term
    disallowed_loss: Decimal
    taxable: bool


@dataclass(frozen=True, slots=True)
class GiftRow:
    """One lot (or piece) given away in kind by one gift: no gain is realized.

    ``market_value`` is the lot's share of the gift's ``amount`` (its fair market value on
    the day); ``appreciation`` is ``market_value - cost_basis``, the gain the gift avoids.
    """

    gift: str
    lot: str
    account: str
    symbol: str
    quantity: Decimal
    acquired: dt.date
    given: dt.date
    market_value: Decimal
    cost_basis: Decimal
    appreciation: Decimal
    term: Term


@dataclass(frozen=True, slots=True)
class Replacement:
    """A wash sale's link: ``quantity`` shares of ``replacement_lot`` replaced shares of
    ``sold_lot`` sold by ``sale`` at a loss; ``adjustment`` was added to their basis
    (0 when the replacement sits in a tax-deferred or tax-exempt account)."""

    sale: str
    sold_lot: str
    replacement_lot: str
    replacement_account: str
    quantity: Decimal
    disallowed_loss: Decimal
    adjustment: Decimal


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over taxable accounts: deductible gains by term and disallowed losses."""

    short_term_gain: Decimal
    long_term_gain: Decimal
    disallowed_loss: Decimal


@dataclass(frozen=True, slots=True)
class CashRow:
    """Cash a corporate action paid into one account on ``date`` (exact, not rounded)."""

    event: str
    account: str
    symbol: str
    kind: CashKind
    date: dt.date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EngineResult:
    """Open lots in purchase order, realized rows in sale order, and their totals.

    ``cash`` lists what corporate actions paid in cash, in event order; ``has_actions``
    says whether the input had any (the contract's output then carries ``cash``).
    ``gifts`` lists the lots given away in kind, in event order; ``has_gifts`` says whether
    the input had any gift (the output then carries ``gifts``).
    """

    lots: tuple[OpenLot, ...]
    realized: tuple[RealizedRow, ...]
    totals: Totals
    replacements: tuple[Replacement, ...] = ()
    cash: tuple[CashRow, ...] = ()
    has_actions: bool = False
    gifts: tuple[GiftRow, ...] = ()
    has_gifts: bool = False
