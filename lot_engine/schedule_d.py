"""Schedule D: a tax year's capital gains netted as the IRS nets them, and their tax.

Pure Python (no Django, no app code), in ``Decimal`` dollars. For one filer and one year:

1. **Netting by character.** The year's net short-term gain less the short-term loss carried
   in is Schedule D line 7; the long-term likewise is line 15. When one is a gain and the
   other a loss they offset, and what is left keeps the character of the larger: a net gain
   of short-term character is taxed as ordinary income, of long-term character at the
   long-term rate.
2. **The loss limit.** A net loss is deducted from ordinary income up to ``loss_limit_usd``
   ($3,000; $1,500 married filing separately) a year.
3. **Carryforward by character** (the Capital Loss Carryover Worksheet of the Schedule D
   instructions): the deduction uses short-term loss first; a short-term loss is also used
   by a long-term gain of the year, a long-term loss by a short-term gain and by what the
   deduction did not take from short-term loss. What is left of each is carried to the next
   year with its character, indefinitely.

The worksheet's first lines limit the deduction "used" by a small or negative taxable
income; ``taxable_income_usd`` (Form 1040's taxable income, after the deduction) applies
it, and leaving it out assumes the income absorbs the whole deduction.

Not modelled: 28 % collectibles gain, unrecaptured section 1250 gain, the 3.8 % net
investment income tax, and the brackets themselves (the rates are given, flat).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from money import ZERO

LOSS_LIMIT_USD = Decimal("3000")
LOSS_LIMIT_SEPARATE_USD = Decimal("1500")


class ScheduleDInputError(ValueError):
    """A figure the netting cannot take, naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Carryforward:
    """Capital losses carried into a year, as positive amounts, by character."""

    short_term_usd: Decimal = ZERO
    long_term_usd: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("short_term_usd", "long_term_usd"):
            if getattr(self, name) < 0:
                raise ScheduleDInputError(name, "a carried loss is a positive amount")

    @property
    def total_usd(self) -> Decimal:
        return self.short_term_usd + self.long_term_usd


@dataclass(frozen=True)
class YearGains:
    """A year's realized net gains by character (a net loss is negative), the wash-sale
    disallowed losses already added back."""

    short_term_usd: Decimal = ZERO
    long_term_usd: Decimal = ZERO


@dataclass(frozen=True)
class Rates:
    """Flat marginal rates (fractions): on ordinary income (and so on a net short-term gain
    and on a deducted loss), and on a net long-term gain."""

    ordinary: Decimal
    long_term: Decimal

    def __post_init__(self) -> None:
        for name in ("ordinary", "long_term"):
            if not ZERO <= getattr(self, name) <= 1:
                raise ScheduleDInputError(name, "a rate is between 0 and 1")


@dataclass(frozen=True)
class Netted:
    """One year's Schedule D.

    ``line_7_usd`` and ``line_15_usd``: net short-term and long-term gain after the
    carryforward; ``short_term_gain_usd`` and ``long_term_gain_usd``: the net gain taxed at
    each rate (at most one is non-zero when the two lines have opposite signs);
    ``deduction_usd``: the loss deducted from ordinary income (positive); ``carried_out``:
    the losses carried to the next year.
    """

    line_7_usd: Decimal
    line_15_usd: Decimal
    short_term_gain_usd: Decimal
    long_term_gain_usd: Decimal
    deduction_usd: Decimal
    carried_out: Carryforward

    @property
    def net_usd(self) -> Decimal:
        """Schedule D line 16: the two lines combined."""
        return self.line_7_usd + self.line_15_usd

    def tax_usd(self, rates: Rates) -> Decimal:
        """The tax of the year's gains at ``rates``, exact to the cent's fractions (not
        rounded): negative when a deducted loss saves ordinary tax."""
        return (
            self.short_term_gain_usd * rates.ordinary
            + self.long_term_gain_usd * rates.long_term
            - self.deduction_usd * rates.ordinary
        )


def net_year(
    *,
    gains: YearGains,
    carried_in: Carryforward = Carryforward(),
    loss_limit_usd: Decimal = LOSS_LIMIT_USD,
    taxable_income_usd: Decimal | None = None,
) -> Netted:
    """Net one year's gains with the losses carried in (see the module docstring)."""
    if loss_limit_usd < 0:
        raise ScheduleDInputError("loss_limit_usd", "the loss limit is not negative")
    line_7 = gains.short_term_usd - carried_in.short_term_usd
    line_15 = gains.long_term_usd - carried_in.long_term_usd
    net = line_7 + line_15
    if net >= 0:
        short_gain, long_gain = _taxed_gains(line_7=line_7, line_15=line_15)
        return Netted(line_7, line_15, short_gain, long_gain, ZERO, Carryforward())
    deduction = min(-net, loss_limit_usd)
    return Netted(
        line_7_usd=line_7,
        line_15_usd=line_15,
        short_term_gain_usd=ZERO,
        long_term_gain_usd=ZERO,
        deduction_usd=deduction,
        carried_out=_carryover(
            line_7=line_7,
            line_15=line_15,
            deduction=deduction,
            taxable_income=taxable_income_usd,
        ),
    )


def _taxed_gains(*, line_7: Decimal, line_15: Decimal) -> tuple[Decimal, Decimal]:
    """(short-term, long-term) gain taxed, for a net gain: both lines when both are gains,
    else their sum with the character of the gain line."""
    if line_7 >= 0 and line_15 >= 0:
        return line_7, line_15
    if line_15 > 0:
        return ZERO, line_7 + line_15
    return line_7 + line_15, ZERO


def _carryover(
    *, line_7: Decimal, line_15: Decimal, deduction: Decimal, taxable_income: Decimal | None
) -> Carryforward:
    """The Capital Loss Carryover Worksheet, lines 1 to 13."""
    line_2 = deduction
    line_3 = line_2 if taxable_income is None else max(ZERO, taxable_income + line_2)
    line_4 = min(line_2, line_3)
    line_5 = max(ZERO, -line_7)
    line_6 = max(ZERO, line_15)
    line_8 = max(ZERO, line_5 - (line_4 + line_6))
    line_9 = max(ZERO, -line_15)
    line_10 = max(ZERO, line_7)
    line_11 = max(ZERO, line_4 - line_5)
    line_13 = max(ZERO, line_9 - (line_10 + line_11))
    return Carryforward(short_term_usd=line_8, long_term_usd=line_13)


def net_years(
    years: Iterable[YearGains],
    *,
    carried_in: Carryforward = Carryforward(),
    loss_limit_usd: Decimal = LOSS_LIMIT_USD,
) -> list[Netted]:
    """Consecutive years, each carrying its losses into the next."""
    netted = []
    carry = carried_in
    for gains in years:
        year = net_year(gains=gains, carried_in=carry, loss_limit_usd=loss_limit_usd)
        netted.append(year)
        carry = year.carried_out
    return netted


def tax_of_gains(
    *,
    gains: YearGains,
    rates: Rates,
    carried_in: Carryforward = Carryforward(),
    loss_limit_usd: Decimal = LOSS_LIMIT_USD,
) -> Decimal:
    """The exact tax of a year's realized gains at ``rates``: the year's Schedule D tax
    (a deducted loss counts as the ordinary tax it saves)."""
    return net_year(gains=gains, carried_in=carried_in, loss_limit_usd=loss_limit_usd).tax_usd(
        rates
    )
