"""Back-test settings, and the named scenarios that reproduce published set-ups.

Published figures are printed beside ours; the set-ups are reproduced in spirit (a
synthetic universe with realistic drift, volatility and dispersion in place of CRSP data,
and a handful of accounts in place of thousands of rolling start dates), so the figures
are comparable in size, not to the basis point.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from backtest.accounts import FlowSettings

STEPS = ("daily", "weekly", "monthly")
NO_FLOWS = FlowSettings(
    monthly_contribution=0.0,
    contribution_probability=0.0,
    yearly_withdrawal=0.0,
    withdrawal_probability=0.0,
    restricted_share=0.0,
)


@dataclass(frozen=True)
class Published:
    """A tax alpha reported in the literature, in percent a year."""

    source: str
    tax_alpha_pct: float
    wash_sale_rule: bool
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    """Everything a run depends on. `step`: how often the product's optimizer runs
    (daily, weekly: every Monday-or-first day of a week, monthly: first trading day of a
    month); accounts are valued and flows happen daily whatever the step.
    `wash_sale_rule_off_too`: also run the optimizer with the wash-sale rule switched off
    (the comparison Chaudhuri, Burnham and Lo make); `wash_sale_law_applies`: in that run
    the rule is off in the optimizer only, the ledger and the lot engine still apply the
    law (disallowed losses move into the replacement's basis), as on real prices.
    With `tickers_csv` and `membership_csv` beside `prices_csv` the test runs on real
    prices from `start` to `end` (see `backtest.real`): `n_stocks` is then the K of each
    direct-index account and `years` is ignored; `tracking_limit_pct` (%/yr) is the
    optimizer's tracking-error limit (None: none). `loss_use` ("full" or "realistic", see
    `backtest.taxes`) is how the simulation settles each year's tax from the account, and
    `other_gains_usd` the filer's long-term gains realized elsewhere each year; the report
    gives both loss uses whichever settled the cash. `only_policies`: run these policies
    alone (buy-and-hold, the reference every figure is measured against, always runs; it
    takes a fraction of a second an account); None runs them all."""

    name: str
    n_accounts: int
    years: float
    n_stocks: int
    step: str = "daily"
    short_term_rate: float = 0.35
    long_term_rate: float = 0.15
    cost_bps: float = 5.0
    min_trade_usd: float = 100.0
    harvest_losses: bool = True
    wash_sale_rule_off_too: bool = False
    wash_sale_law_applies: bool = False
    seed: int = 0
    prices_csv: str | None = None
    tickers_csv: str | None = None
    membership_csv: str | None = None
    start: date | None = None
    end: date | None = None
    tracking_limit_pct: float | None = None
    loss_use: str = "full"
    other_gains_usd: float = 0.0
    flows: FlowSettings = field(default_factory=FlowSettings)
    only_policies: tuple[str, ...] | None = None
    published: tuple[Published, ...] = ()
    description: str = ""


SCENARIOS = {
    "arnott-berkin-ye": Scenario(
        name="arnott-berkin-ye",
        description=(
            "Arnott, Berkin and Ye (2001), 'Loss Harvesting: What's It Worth to the Taxable "
            "Investor?': a 500-stock index portfolio held 25 years, gains and losses taxed "
            "at 35 %, losses harvested monthly, no cash flows. Stepped monthly here; 8 "
            "accounts entering over the first 5 years."
        ),
        n_accounts=8,
        years=25,
        n_stocks=500,
        step="monthly",
        short_term_rate=0.35,
        long_term_rate=0.35,
        flows=replace(NO_FLOWS, entry_span=0.2),
        published=(
            Published(
                source="Arnott, Berkin and Ye (2001)",
                tax_alpha_pct=0.8,
                wash_sale_rule=True,
                note="about 0.8 %/yr over 25 years (larger early, smaller later)",
            ),
        ),
    ),
    "chaudhuri-burnham-lo": Scenario(
        name="chaudhuri-burnham-lo",
        description=(
            "Chaudhuri, Burnham and Lo (2020), 'An Empirical Evaluation of Tax-Loss "
            "Harvesting Alpha': 500 stocks, 10 years, monthly harvesting, 35 % short-term "
            "and 15 % long-term, with and without the wash-sale rule. Stepped monthly here; "
            "8 accounts entering over the first 2 years."
        ),
        n_accounts=8,
        years=10,
        n_stocks=500,
        step="monthly",
        short_term_rate=0.35,
        long_term_rate=0.15,
        wash_sale_rule_off_too=True,
        flows=replace(NO_FLOWS, entry_span=0.2),
        published=(
            Published(
                source="Chaudhuri, Burnham and Lo (2020)",
                tax_alpha_pct=1.08,
                wash_sale_rule=False,
                note="without the wash-sale rule",
            ),
            Published(
                source="Chaudhuri, Burnham and Lo (2020)",
                tax_alpha_pct=0.82,
                wash_sale_rule=True,
                note="with the wash-sale rule",
            ),
        ),
    ),
    "quick": Scenario(
        name="quick",
        description="A one-minute smoke test: 5 accounts, 2 years, 30 stocks, weekly.",
        n_accounts=5,
        years=2,
        n_stocks=30,
        step="weekly",
    ),
}
