"""What a dollar of realized gain or loss costs or is worth to this client, as Schedule D
values it (`lot_engine/schedule_d.py`), and the exact tax of an answer.

**The value.** For the account's filer the year stands at a position: net short- and
long-term gain realized this year (all the filer's accounts) plus what the filer expects
to realize elsewhere, netted with the losses carried in. The cost of the year's gains is

    E(S, L) = schedule_d_tax(S, L) - v * carried_out(S, L),
    v = long_term_rate / (1 + discount_rate) ** carryforward_years,

the year's exact Schedule D tax (a deducted loss, up to $3,000, saves ordinary tax) less
what the loss carried out of the year is worth: a carried loss is expected to offset
long-term gains `carryforward_years` from now, so it is worth the long-term rate
discounted over those years (by default 0.20 / 1.05 ** 3 = 0.173 a dollar), not the
short-term rate. So a harvested loss is worth, in turn, the rate of the gains it offsets
this year, the ordinary rate while the $3,000 deduction has room, then `v`.

**The convex approximation.** E is piecewise linear but not convex (a loss offsetting
a short-term gain is worth more than one offsetting a long-term gain, and both more
than one carried forward), so the optimizer takes its marginal rates at the position:
per character, the rate of a dollar more of gain (right derivative) for lots at a gain
and of a dollar more of loss (left derivative) for lots at a loss. When the answer
moves the position into another piece, the account is solved once more at the rates of
the midpoint between the position and the answer (`resolved_rates`). The proposal
reports the exact Schedule D tax of the year with and without it (`exact_tax`).

**Thresholds.** A loss under `harvest_min_loss_pct` of its lot's basis or
`harvest_min_loss_usd` dollars is worth nothing in the objective: it is not sold for
its loss alone, though it may be sold to rebalance or raise cash.

Without `preferences.tax.schedule_d` every gain and loss is valued at the flat rates
(short-term or long-term by the lot's term), as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from lot_engine.schedule_d import Carryforward, Netted, Rates, YearGains, net_year
from money import CENT
from optimizer.types import ScheduleDInputs, TaxPreferences


@dataclass(frozen=True)
class MarginalRates:
    """Cost of a dollar more of net gain (`*_gain`) and value of a dollar more of net loss
    (`*_loss`), by character, at one position."""

    short_gain: float
    long_gain: float
    short_loss: float
    long_loss: float

    def moved(self, other: MarginalRates) -> bool:
        return any(
            abs(a - b) > 1e-9 for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)
        )

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.short_gain, self.long_gain, self.short_loss, self.long_loss)


def ordinary_rate(tax: TaxPreferences) -> Decimal:
    inputs = tax.schedule_d
    if inputs is None or inputs.ordinary_rate is None:
        return tax.short_term_rate
    return inputs.ordinary_rate


def carryforward_value(tax: TaxPreferences) -> Decimal:
    """What a dollar of loss carried out of this year is worth (see the module docstring)."""
    inputs = tax.schedule_d or ScheduleDInputs()
    return tax.long_term_rate / (1 + inputs.discount_rate) ** inputs.carryforward_years


def position(tax: TaxPreferences) -> tuple[Decimal, Decimal]:
    """The filer's net (short-term, long-term) gain this year before tonight."""
    inputs = tax.schedule_d or ScheduleDInputs()
    return (
        inputs.realized_short_term + inputs.expected_short_term,
        inputs.realized_long_term + inputs.expected_long_term,
    )


def _netted(tax: TaxPreferences, short: Decimal, long: Decimal) -> Netted:
    inputs = tax.schedule_d or ScheduleDInputs()
    return net_year(
        gains=YearGains(short_term_usd=short, long_term_usd=long),
        carried_in=Carryforward(
            short_term_usd=inputs.carryforward_short_term,
            long_term_usd=inputs.carryforward_long_term,
        ),
        loss_limit_usd=inputs.loss_limit,
    )


def year_tax(tax: TaxPreferences, short: Decimal, long: Decimal) -> Decimal:
    """The filer's exact Schedule D tax of a year whose net gains are (short, long)."""
    rates = Rates(ordinary=ordinary_rate(tax), long_term=tax.long_term_rate)
    tax_usd: Decimal = _netted(tax, short, long).tax_usd(rates)
    return tax_usd


def economic_cost(tax: TaxPreferences, short: Decimal, long: Decimal) -> Decimal:
    """E(S, L): the year's tax less the value of the loss carried out."""
    netted = _netted(tax, short, long)
    rates = Rates(ordinary=ordinary_rate(tax), long_term=tax.long_term_rate)
    cost: Decimal = netted.tax_usd(rates) - carryforward_value(tax) * netted.carried_out.total_usd
    return cost


def marginal_rates(
    tax: TaxPreferences, short: Decimal, long: Decimal, *, carried: bool = True
) -> MarginalRates:
    """One-sided slopes of E (or, `carried` False, of the year's tax alone) at (short,
    long): exact for a piecewise-linear function, a cent either side."""
    cost = economic_cost if carried else year_tax
    here = cost(tax, short, long)
    return MarginalRates(
        short_gain=float((cost(tax, short + CENT, long) - here) / CENT),
        long_gain=float((cost(tax, short, long + CENT) - here) / CENT),
        short_loss=float((here - cost(tax, short - CENT, long)) / CENT),
        long_loss=float((here - cost(tax, short, long - CENT)) / CENT),
    )


def flat_rates(tax: TaxPreferences) -> MarginalRates:
    short, long = float(tax.short_term_rate), float(tax.long_term_rate)
    return MarginalRates(short_gain=short, long_gain=long, short_loss=short, long_loss=long)


def start_rates(tax: TaxPreferences) -> MarginalRates:
    """The rates the first solve uses: at the filer's position, or flat without one."""
    if tax.schedule_d is None:
        return flat_rates(tax)
    return marginal_rates(tax, *position(tax))


def lot_rates(*, rates: MarginalRates, is_short: np.ndarray, gain_ratio: np.ndarray) -> np.ndarray:
    """Each lot's rate: the gain rate of its character for a lot at a gain, the loss rate
    for a lot at a loss."""
    gain = np.where(is_short, rates.short_gain, rates.long_gain)
    loss = np.where(is_short, rates.short_loss, rates.long_loss)
    return np.where(gain_ratio < 0, loss, gain)


def below_threshold(*, tax: TaxPreferences, gain: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Lots at a loss smaller than the harvest threshold (percent of basis, dollars)."""
    pct = float(tax.harvest_min_loss_pct) / 100.0
    usd = float(tax.harvest_min_loss_usd)
    loss = -gain
    return (gain < 0) & ((loss < usd) | (loss < pct * basis))


def objective_tax(
    *,
    tax: TaxPreferences,
    rates: MarginalRates,
    is_short: np.ndarray,
    gain_ratio: np.ndarray,
    market: np.ndarray,
) -> np.ndarray:
    """Each taxable lot's tax per dollar sold in the objective: its rate times its gain per
    dollar; a loss under the harvest threshold, or any loss when losses are not harvested,
    counts as nothing."""
    taxed = lot_rates(rates=rates, is_short=is_short, gain_ratio=gain_ratio) * gain_ratio
    gain = gain_ratio * market
    small = below_threshold(tax=tax, gain=gain, basis=market - gain)
    taxed = np.where(small, 0.0, taxed)
    if not tax.harvest_losses:
        taxed = np.maximum(taxed, 0.0)
    out: np.ndarray = taxed
    return out


def resolved_rates(tax: TaxPreferences, *, short: float, long: float) -> MarginalRates | None:
    """The rates to solve again at when tonight's net gains (short, long), in dollars, move
    the position into another piece: those at the midpoint. None when the first answer
    stays in the starting piece (or without Schedule D inputs)."""
    if tax.schedule_d is None:
        return None
    s0, l0 = position(tax)
    start = marginal_rates(tax, s0, l0)
    ds, dl = Decimal(repr(short)).quantize(CENT), Decimal(repr(long)).quantize(CENT)
    end = marginal_rates(tax, s0 + ds, l0 + dl)
    if not start.moved(end):
        return None
    return marginal_rates(tax, s0 + (ds / 2).quantize(CENT), l0 + (dl / 2).quantize(CENT))


@dataclass(frozen=True)
class ExactTax:
    before: Decimal
    after: Decimal
    budget_left: Decimal | None


def exact_tax(tax: TaxPreferences, *, short: Decimal, long: Decimal) -> ExactTax | None:
    """The filer's exact Schedule D tax of the year without and with tonight's realized
    net gains (short, long), and what is left of tonight's tax room after them."""
    if tax.schedule_d is None:
        return None
    s0, l0 = position(tax)
    before = year_tax(tax, s0, l0)
    after = year_tax(tax, s0 + short, l0 + long)
    left = None if tax.max_tax is None else tax.max_tax - (after - before)
    return ExactTax(before=before, after=after, budget_left=left)


def tax_spent(tax: TaxPreferences) -> Decimal:
    """What the filer's gains realized this year have cost in tax so far: the year's
    Schedule D tax at the position less its tax with only the gains expected elsewhere
    (what a tax budget counts; never below zero)."""
    inputs = tax.schedule_d
    if inputs is None:
        return Decimal(0)
    with_realized = year_tax(tax, *position(tax))
    without = year_tax(tax, inputs.expected_short_term, inputs.expected_long_term)
    return max(Decimal(0), with_realized - without)
