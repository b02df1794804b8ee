"""After-tax back-test of the product's nightly optimization against rule-based policies.

A pure package (standard library, numpy, pandas, matplotlib, `optimizer` and
`lot_engine`; no Django). N accounts on one model, entering on different days,
with contributions and withdrawals, are run over daily prices (synthetic or a user's CSV)
under three policies: buy-and-hold, action-forward (quarterly rebalancing inside drift
bands plus a December loss harvest, FIFO) and the product's nightly optimization with the
real optimizer. The report gives, per policy, pre- and after-tax returns, tax alpha over
buy-and-hold, tracking error, dispersion between accounts, turnover, realized gains by
year, wash sales (counted by the real lot engine) and restriction breaches.

Assumptions, all stated where they are made: the model is a market-cap index of the
universe (99 % stocks, 1 % cash); taxes of a year are paid (or, for a net loss, refunded:
losses offset the investor's other gains at the same rates) from the account on the first
trading day from 15 April of the next year; costs are `cost_bps` of every trade, charged
to cash; trades are whole shares at the close.

    outcome = run_scenario(scenario=SCENARIOS["chaudhuri-burnham-lo"])
    report = build_report(outcome=outcome)
    print(format_table(report=report))
"""

from backtest.report import (
    build_report,
    format_issue_table,
    format_table,
    period_text,
    write_outputs,
)
from backtest.runner import run_scenario
from backtest.scenarios import SCENARIOS, Published, Scenario

__all__ = [
    "SCENARIOS",
    "Published",
    "Scenario",
    "build_report",
    "format_issue_table",
    "format_table",
    "period_text",
    "run_scenario",
    "write_outputs",
]
