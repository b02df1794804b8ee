"""The demo's corporate actions: a stock split and a reinvested dividend in its history.

The demo's steward of reference data (a firm of its own, ``demo-steward``, with no
people or accounts, made once and shared by every demo firm) enters both actions as
shared reference data through the product's own service (``corporate_actions_enter``;
a repeated entry is a no-op), and each demo firm applies them to its books through the
lot engine (``corporate_action_apply``): every lot of the split stock bought before the
split holds 3 shares for each 2, for the same total basis and holding period, and each
holder of the dividend stock on its ex-date gets a purchase lot on the pay date, bought
with the dividend at that day's close.

The simulated closes of the split stock are divided by the split's ratio from its date
on (``demo.prices.SPLITS``), as a real exchange's would be, so the adjusted history is
continuous. An action is entered only when its dates fall inside the demo's price window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from firms.models import Firm
from models_library.models import CorporateAction
from models_library.services.corporate_actions import corporate_actions_enter
from rebalancer.actors import Actor
from trading.services.corporate_actions import corporate_action_apply

from .firm import DEFAULT_TIMEZONE
from .prices import SENDER, SPLITS, PriceHistory

STEWARD_SLUG = "demo-steward"
STEWARD_NAME = "Demo Reference Data"


@dataclass(frozen=True)
class DemoDividend:
    reference: str
    symbol: str
    ex_date: dt.date
    pay_date: dt.date
    cash_per_share: Decimal


REINVESTED_DIVIDENDS: tuple[DemoDividend, ...] = (
    DemoDividend(
        reference="DEMO-JNJ-DRIP-2026Q3",
        symbol="JNJ",
        ex_date=dt.date(2026, 8, 25),
        pay_date=dt.date(2026, 9, 9),
        cash_per_share=Decimal("1.30"),
    ),
)


@dataclass(frozen=True)
class ActionsCounts:
    entered: int
    applied: int
    households: int


def demo_corporate_actions(*, firm: Firm, history: PriceHistory) -> ActionsCounts:
    """Enter the demo's actions that fall inside ``history`` and apply them to ``firm``."""
    rows = corporate_action_rows(history=history)
    if not rows:
        return ActionsCounts(entered=0, applied=0, households=0)
    actor = Actor.system(SENDER)
    entered = corporate_actions_enter(firm=demo_steward(), actor=actor, rows=rows)
    actions = CorporateAction.objects.filter(
        reference__in=[row["reference"] for row in rows]
    ).order_by("effective_date", "id")
    applied = [
        application
        for action in actions
        if (application := corporate_action_apply(firm=firm, action=action, actor=actor))
    ]
    return ActionsCounts(
        entered=len(entered),
        applied=len(applied),
        households=sum(application.households for application in applied),
    )


def demo_steward() -> Firm:
    """The demo's steward of reference data, made the first time it is needed."""
    steward, _ = Firm.objects.get_or_create(
        slug=STEWARD_SLUG,
        defaults={
            "name": STEWARD_NAME,
            "timezone": DEFAULT_TIMEZONE,
            "manages_reference_data": True,
        },
    )
    return steward


def corporate_action_rows(*, history: PriceHistory) -> list[dict[str, object]]:
    """The steward's entry of each demo action whose dates lie inside the price window."""
    first, last = history.days[0], history.last_day
    rows: list[dict[str, object]] = [
        {
            "reference": split.reference,
            "kind": "split",
            "symbol": split.symbol,
            "effective_date": split.date,
            "ratio": f"{split.new}:{split.old}",
        }
        for split in SPLITS
        if first < split.date <= last and split.symbol in history.closes
    ]
    index = {day: i for i, day in enumerate(history.days)}
    for dividend in REINVESTED_DIVIDENDS:
        if dividend.symbol not in history.closes or dividend.pay_date not in index:
            continue
        if dividend.ex_date <= first:
            continue
        rows.append(
            {
                "reference": dividend.reference,
                "kind": "reinvested_dividend",
                "symbol": dividend.symbol,
                "effective_date": dividend.pay_date,
                "ex_date": dividend.ex_date,
                "cash_per_share": dividend.cash_per_share,
                "price": history.closes[dividend.symbol][index[dividend.pay_date]],
            }
        )
    return rows
