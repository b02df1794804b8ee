"""A proposal in the advisor's words: each trade's reasons as chips with a tooltip and as
one sentence (from the optimizer's reason details), and the tax swaps as pairs ("Sell VEA
at a $2,310 loss, buy IEFA to stay invested").

A tax swap is a taxable account's sale at a loss together with the purchases of the same
asset class in the same proposal: the optimizer replaces a harvested position with a
security that is not substantially identical, so the account stays invested.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import TaxStatus
from money import ZERO, plain_digits
from trading.models import Proposal, ProposedTrade, TradeSide

REASON_TOOLTIPS = {
    "rebalance": "Moves the account toward its model: the change in tracking error is shown.",
    "raise_cash": "Raises cash for a withdrawal or the account's cash minimum.",
    "invest_cash": "Puts idle cash to work in the model's securities.",
    "tax_loss_harvest": (
        "Sold at a loss to offset gains and lower this year's tax; the proceeds are "
        "reinvested in a similar, not substantially identical, security."
    ),
    "restriction": "Required by a restriction on this account (do not buy or do not sell).",
    "screen": "Required by a screen that excludes this security from the account.",
    "substitution": "The account holds a substitute in place of the model's security.",
    "tax_swap": "Part of a tax swap: a loss sold and a similar security bought to stay invested.",
    "transition_step": (
        "A step of the account's transition plan: moves its legacy holdings toward the model "
        "within this plan year's tax budget."
    ),
    "gain_harvest": (
        "Realizes a long-term gain taxed at 0 % and buys the shares back, to raise their basis."
    ),
}
REASON_LABELS = {
    "rebalance": "Rebalance",
    "raise_cash": "Raise cash",
    "invest_cash": "Invest cash",
    "tax_loss_harvest": "Tax-loss harvest",
    "restriction": "Restriction",
    "screen": "Screen",
    "substitution": "Substitution",
    "tax_swap": "Tax swap",
    "transition_step": "Transition step",
    "gain_harvest": "Gain harvest",
}


@dataclass(frozen=True)
class ReasonChip:
    code: str
    label: str
    tooltip: str


@dataclass(frozen=True)
class TradeStory:
    trade: ProposedTrade
    chips: tuple[ReasonChip, ...]
    sentence: str


@dataclass(frozen=True)
class TaxSwap:
    sold: ProposedTrade
    bought: tuple[ProposedTrade, ...]
    loss_usd: Decimal
    tax_saved_usd: Decimal | None

    @property
    def sentence(self) -> str:
        sold = f"Sell {self.sold.security.symbol} at a {_usd(-self.loss_usd)} loss"
        if not self.bought:
            return f"{sold}; nothing similar is bought, so the proceeds stay in cash."
        names = _joined([t.security.symbol for t in self.bought])
        saved = f" (about {_usd(self.tax_saved_usd)} of tax saved)" if self.tax_saved_usd else ""
        return f"{sold}, buy {names} to stay invested{saved}."


def _usd(amount: Decimal | None) -> str:
    amount = amount or ZERO
    sign = "−" if amount < 0 else ""
    return f"{sign}${abs(amount):,.0f}" if abs(amount) >= 100 else f"{sign}${abs(amount):,.2f}"


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _details(proposal: Proposal) -> dict[tuple[str, str], list[dict]]:
    """The optimizer's reason details of each (side, symbol), from the stored answer."""
    result = proposal.result if isinstance(proposal.result, dict) else {}
    out: dict[tuple[str, str], list[dict]] = {}
    for row in result.get("trades") or []:
        if isinstance(row, dict):
            key = (str(row.get("side")), str(row.get("symbol")))
            out[key] = [d for d in row.get("reason_details") or [] if isinstance(d, dict)]
    return out


def _chip(code: str) -> ReasonChip:
    return ReasonChip(
        code=code,
        label=REASON_LABELS.get(code, code.replace("_", " ").capitalize()),
        tooltip=REASON_TOOLTIPS.get(code, ""),
    )


def _detail_text(detail: dict) -> str:
    """A reason detail as part of a sentence: a tracking-error change says which way."""
    if detail.get("unit") == "%/yr tracking error" and detail.get("amount") is not None:
        amount = Decimal(str(detail["amount"]))
        if amount < 0:
            return f"cuts tracking error by {plain_digits(-amount)} % a year"
        if amount > 0:
            return f"adds {plain_digits(amount)} % a year of tracking error"
        return "leaves tracking error as it is"
    return str(detail.get("text") or "")


def _sentence(trade: ProposedTrade, details: list[dict]) -> str:
    texts = [t for t in (_detail_text(d) for d in details) if t]
    if not texts:
        texts = [REASON_TOOLTIPS.get(code, code.replace("_", " ")) for code in trade.reasons]
    elif "transition_step" in trade.reasons:
        texts.append(REASON_TOOLTIPS["transition_step"])
    if not texts:
        return ""
    text = "; ".join(t.rstrip(".") for t in texts)
    return text[0].upper() + text[1:] + "."


def trade_stories(*, proposal: Proposal, trades: Iterable[ProposedTrade]) -> list[TradeStory]:
    """Each trade with its reason chips (label and tooltip) and its reasons as a sentence."""
    details = _details(proposal)
    return [
        TradeStory(
            trade=t,
            chips=tuple(_chip(code) for code in t.reasons),
            sentence=_sentence(t, details.get((t.side, t.security.symbol), [])),
        )
        for t in trades
    ]


def tax_saved_usd(*, proposal: Proposal) -> Decimal:
    """The tax the proposal's loss sales save, as the optimizer valued them."""
    return sum(
        (
            _tax_saved(details) or ZERO
            for (side, _), details in _details(proposal).items()
            if side == TradeSide.SELL
        ),
        ZERO,
    )


def _tax_saved(details: list[dict]) -> Decimal | None:
    for d in details:
        if d.get("unit") == "USD tax saved" and d.get("amount") is not None:
            return Decimal(str(d["amount"]))
    return None


def tax_swaps(*, proposal: Proposal, trades: Iterable[ProposedTrade]) -> list[TaxSwap]:
    """A taxable account's loss sales, each with the same-asset-class purchases that keep
    the account invested (empty for other accounts)."""
    if proposal.account.tax_status != TaxStatus.TAXABLE:
        return []
    trades = list(trades)
    details = _details(proposal)
    buys = [t for t in trades if t.side == TradeSide.BUY]
    swaps = []
    for sale in trades:
        if sale.side != TradeSide.SELL or sale.realized_gain_usd >= 0:
            continue
        partners = tuple(b for b in buys if b.security.asset_class == sale.security.asset_class)
        if not partners and "tax_swap" not in sale.reasons:
            continue  # a loss realized while rebalancing, not a swap
        swaps.append(
            TaxSwap(
                sold=sale,
                bought=partners,
                loss_usd=sale.realized_gain_usd,
                tax_saved_usd=_tax_saved(details.get((sale.side, sale.security.symbol), [])),
            )
        )
    return swaps
