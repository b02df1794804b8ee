"""Varied client wishes: household defaults, account overrides, screens, restrictions,
substitutions and cash withdrawals, drawn so that every menu of the product is in use.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from accounts.models import (
    CashWithdrawal,
    LotReliefMethod,
    PreferenceSet,
    Restriction,
    RestrictionType,
    Screen,
    ScreenField,
    Substitution,
    WithdrawalFrequency,
)
from firms.models import Firm
from money import cents_half_even, to_decimal

from .book import BookPlan, BookRows

BATCH = 2000

# (short-term rate, long-term rate, weight): federal brackets with their capital-gain rate
TAX_BRACKETS: tuple[tuple[str, str, int], ...] = (
    ("0.3700", "0.2000", 25),
    ("0.3500", "0.2000", 10),
    ("0.3200", "0.1500", 25),
    ("0.2400", "0.1500", 25),
    ("0.2200", "0.1500", 15),
)
DO_NOT_BUY = ("TSLA", "META", "BA", "NVDA", "WFC")
ONE_TIME_NOTES = ("Home renovation", "Tuition payment", "Estimated tax payment", "Gift to family")


@dataclass(frozen=True)
class PreferenceCounts:
    preference_sets: int
    screens: int
    restrictions: int
    substitutions: int
    withdrawals: int


def _maybe(rng: random.Random, probability: float, choices: tuple) -> object | None:
    return rng.choice(choices) if rng.random() < probability else None


def _money(value: object | None) -> Decimal | None:
    return None if value is None else cents_half_even(to_decimal(value))


def _household_defaults(rng: random.Random, *, fractional: bool) -> dict:
    rates = rng.choices(TAX_BRACKETS, weights=[weight for *_, weight in TAX_BRACKETS])[0]
    harvest = rng.choices((True, None, False), weights=(85, 10, 5))[0]
    relief = rng.choices(("", LotReliefMethod.TAX_MIN, LotReliefMethod.HIFO), weights=(60, 30, 10))[
        0
    ]
    return {
        "short_term_rate": Decimal(rates[0]),
        "long_term_rate": Decimal(rates[1]),
        "harvest_losses": harvest,
        "max_realized_gain_usd": _money(_maybe(rng, 0.2, (5000, 10000, 25000, 50000))),
        "max_short_term_gain_usd": _money(_maybe(rng, 0.15, (0, 2500))),
        "cash_min_usd": _money(_maybe(rng, 0.2, (1000, 2500, 5000))),
        "min_trade_value_usd": _money(_maybe(rng, 0.7, (50, 100, 250, 500))),
        "fractional_shares": True if fractional else rng.choice((False, None)),
        "cost_bps": _money(_maybe(rng, 0.3, (0, 1, 2, 5))),
        "lot_relief_method": relief,
    }


def _account_overrides(rng: random.Random, *, taxable: bool) -> dict:
    kind = rng.randrange(5)
    if kind == 0 and taxable:
        cap = _maybe(rng, 0.5, (3000, 15000))
        return {"max_realized_gain_usd": _money(cap), "max_realized_gain_override": True}
    if kind == 1 and taxable:
        return {"harvest_losses": False}
    if kind == 2:
        return {"min_trade_value_usd": Decimal("1000.00"), "fractional_shares": False}
    if kind == 3:
        return {"cash_min_usd": Decimal("10000.00")}
    return {"fractional_shares": True, "cost_bps": Decimal("1.00")}


def _screens(rng: random.Random, *, scope: dict) -> list[Screen]:
    rows = []
    if rng.random() < 0.15:
        rows.append(
            Screen(field=ScreenField.SECTOR, value="Energy", label="No fossil fuels", **scope)
        )
    if rng.random() < 0.10:
        rows += [
            Screen(field=ScreenField.SYMBOL, value=symbol, label="No tobacco", **scope)
            for symbol in ("MO", "PM")
        ]
    if rng.random() < 0.04:
        rows += [
            Screen(field=ScreenField.SYMBOL, value=symbol, label="No weapons makers", **scope)
            for symbol in ("LMT", "NOC", "GD")
        ]
    return rows


def _account_restrictions(
    rng: random.Random, *, scope: dict, symbols: list[str], last_day: dt.date
) -> list[Restriction]:
    rows = []
    if rng.random() < 0.05:
        rows.append(
            Restriction(
                symbol=rng.choice(symbols),
                type=RestrictionType.HOLD,
                start_date=last_day - dt.timedelta(days=rng.randint(1, 20)),
                end_date=last_day + dt.timedelta(days=rng.randint(10, 60)),
                reason="Client review pending",
                **scope,
            )
        )
    if rng.random() < 0.05:
        start = last_day + dt.timedelta(days=rng.randint(5, 30)) if rng.random() < 0.3 else None
        rows.append(
            Restriction(
                symbol=rng.choice(DO_NOT_BUY),
                type=RestrictionType.DO_NOT_BUY,
                start_date=start,
                reason="Client preference",
                **scope,
            )
        )
    return rows


def _withdrawals(
    rng: random.Random, *, value_usd: float, registration: str, last_day: dt.date
) -> list[dict]:
    draw = rng.random()
    if draw < 0.08:
        return [
            {
                "amount_usd": _money(
                    max(500, round(value_usd * rng.uniform(0.01, 0.05) / 500) * 500)
                ),
                "frequency": WithdrawalFrequency.ONE_TIME,
                "start_date": last_day + dt.timedelta(days=rng.randint(3, 45)),
                "note": rng.choice(ONE_TIME_NOTES),
            }
        ]
    if draw < 0.14:
        return [
            {
                "amount_usd": _money(max(100, round(value_usd * 0.003 / 100) * 100)),
                "frequency": WithdrawalFrequency.MONTHLY,
                "start_date": last_day - dt.timedelta(days=rng.randint(0, 300)),
                "end_date": last_day + dt.timedelta(days=730) if rng.random() < 0.5 else None,
                "note": "Monthly living expenses",
            }
        ]
    if draw < 0.16:
        return [
            {
                "amount_usd": _money(max(1000, round(value_usd * 0.01 / 100) * 100)),
                "frequency": WithdrawalFrequency.QUARTERLY,
                "start_date": last_day - dt.timedelta(days=rng.randint(0, 80)),
                "note": "Quarterly estimated taxes",
            }
        ]
    if draw < 0.22 and registration == "traditional_ira":
        return [
            {
                "amount_usd": _money(round(value_usd * 0.04 / 100) * 100),
                "frequency": WithdrawalFrequency.ANNUALLY,
                "start_date": dt.date(last_day.year, 12, 15),
                "note": "Required minimum distribution",
            }
        ]
    return []


@dataclass
class _Rows:
    sets: list[PreferenceSet] = field(default_factory=list)
    screens: list[Screen] = field(default_factory=list)
    restrictions: list[Restriction] = field(default_factory=list)
    substitutions: list[Substitution] = field(default_factory=list)
    withdrawals: list[CashWithdrawal] = field(default_factory=list)


def _household_rows(
    rng: random.Random, *, firm: Firm, plan: BookPlan, rows: BookRows, last_day: dt.date, out: _Rows
) -> None:
    for household, row in zip(plan.households, rows.households, strict=True):
        scope = {"firm": firm, "household": row}
        defaults = _household_defaults(rng, fractional=household.fractional)
        out.sets.append(PreferenceSet(**scope, **defaults))
        out.screens += _screens(rng, scope=scope)
        if household.employer_symbol:
            blackout = last_day + dt.timedelta(days=rng.randint(20, 90))
            out.restrictions.append(
                Restriction(
                    symbol=household.employer_symbol,
                    type=RestrictionType.DO_NOT_SELL,
                    end_date=blackout if rng.random() < 0.4 else None,
                    reason="Employer stock: insider trading window",
                    **scope,
                )
            )
        out.substitutions += [
            Substitution(from_symbol=source, to_symbol=target, **scope)
            for source, target in household.substitutions
        ]


def _account_rows(
    rng: random.Random,
    *,
    firm: Firm,
    plan: BookPlan,
    rows: BookRows,
    targets: dict[str, dict[str, Decimal]],
    advisors: list[User],
    last_day: dt.date,
    out: _Rows,
) -> None:
    for item, account in zip(plan.accounts, rows.accounts, strict=True):
        scope = {"firm": firm, "account": account}
        if rng.random() < 0.15:
            out.sets.append(PreferenceSet(**scope, **_account_overrides(rng, taxable=item.taxable)))
        if rng.random() < 0.03:
            out.screens.append(
                Screen(
                    field=ScreenField.ASSET_CLASS,
                    value="emerging",
                    label="No emerging markets",
                    **scope,
                )
            )
        symbols = sorted(targets[item.model_key])
        out.restrictions += _account_restrictions(
            rng, scope=scope, symbols=symbols, last_day=last_day
        )
        advisor = advisors[plan.households[item.household_index].advisor_index]
        out.withdrawals += [
            CashWithdrawal(firm=firm, account=account, created_by=advisor, **fields)
            for fields in _withdrawals(
                rng,
                value_usd=item.value_usd,
                registration=item.registration_type,
                last_day=last_day,
            )
        ]


def preferences_create(
    *,
    firm: Firm,
    rng: random.Random,
    plan: BookPlan,
    rows: BookRows,
    targets: dict[str, dict[str, Decimal]],
    advisors: list[User],
    last_day: dt.date,
) -> PreferenceCounts:
    """Insert every household's defaults and a varied share of account-level wishes.

    Substitutions and employer-stock restrictions come from the plan (the holdings phase
    already bought accordingly); everything else is drawn here.
    """
    out = _Rows()
    _household_rows(rng, firm=firm, plan=plan, rows=rows, last_day=last_day, out=out)
    _account_rows(
        rng,
        firm=firm,
        plan=plan,
        rows=rows,
        targets=targets,
        advisors=advisors,
        last_day=last_day,
        out=out,
    )
    PreferenceSet.objects.bulk_create(out.sets, batch_size=BATCH)
    Screen.objects.bulk_create(out.screens, batch_size=BATCH)
    Restriction.objects.bulk_create(out.restrictions, batch_size=BATCH)
    Substitution.objects.bulk_create(out.substitutions, batch_size=BATCH)
    CashWithdrawal.objects.bulk_create(out.withdrawals, batch_size=BATCH)
    return PreferenceCounts(
        preference_sets=len(out.sets),
        screens=len(out.screens),
        restrictions=len(out.restrictions),
        substitutions=len(out.substitutions),
        withdrawals=len(out.withdrawals),
    )
