"""``manage.py seed_demo``: the demo firm is complete, realistic, repeatable and isolated.

The default demo (150 accounts) is seeded once for the module inside a transaction that
is rolled back at the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from accounts.models import (
    Account,
    CashWithdrawal,
    Client,
    HeldAwayAccount,
    Household,
    ModelAssignment,
    PreferenceSet,
    Restriction,
    RestrictionType,
    Screen,
    Substitution,
    TaxStatus,
    WithdrawalFrequency,
)
from accounts.selectors.preferences import effective_preferences_for_accounts
from demo.corporate_actions import REINVESTED_DIVIDENDS
from demo.firm import DEMO_PASSWORD
from demo.market_calendar import trading_days
from demo.portfolios import SWAP_PARTNERS
from demo.prices import SPLITS
from demo.reference import load_etfs, load_stocks
from firms.models import Firm, Membership, Role
from models_library.models import (
    ModelLine,
    ModelPortfolio,
    ModelVersion,
    Price,
    Security,
    StoredRiskModel,
    VersionStatus,
)
from models_library.selectors.resolution import model_target_weights
from models_library.selectors.risk_models import latest_risk_model
from rebalancer.actors import Actor
from rebalancer.tenancy import firm_owned_models
from tests import pg_roles
from trading.models import (
    CashBalance,
    CorporateActionApplication,
    PlannedGift,
    RealizedGain,
    Reconciliation,
    ReconciliationStatus,
    TaxLot,
    Transaction,
)
from trading.selectors.gain_room import gain_rooms_for_accounts
from trading.selectors.gifts import proposal_gifts
from trading.selectors.transition import proposal_transition_step
from trading.services.review import proposal_reoptimize

END_DATE = dt.date(2026, 11, 20)
SPLIT, DRIP = SPLITS[0], REINVESTED_DIVIDENDS[0]
GICS_SECTORS = {
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
}


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        output = _seed()
        # Check deferred constraints now, once, rather than again at the end of every test.
        connection.check_constraints()
        yield Firm.objects.get(slug="demo"), output
        transaction.set_rollback(True)


def _lot_fingerprint(firm: Firm) -> list[tuple]:
    return list(
        TaxLot.objects.filter(firm=firm)
        .order_by("lot_ref")
        .values_list("lot_ref", "security__symbol", "quantity", "cost_basis_usd", "acquired")
    )


def _book_fingerprint(firm: Firm) -> dict[str, object]:
    accounts = Account.objects.filter(firm=firm).order_by("account_number")
    return {
        "accounts": list(
            accounts.values_list(
                "account_number",
                "name",
                "custodian",
                "tax_status",
                "household__name",
                "client__first_name",
                "advisor__username",
                "model_assignment__model__name",
            )
        ),
        "lots": _lot_fingerprint(firm),
        "cash": list(
            CashBalance.objects.filter(firm=firm)
            .order_by("account__account_number")
            .values_list("amount_usd", flat=True)
        ),
        "preferences": list(
            PreferenceSet.objects.filter(firm=firm)
            .order_by("household__name", "account__account_number", "short_term_rate")
            .values_list("short_term_rate", "max_realized_gain_usd", "min_trade_value_usd")
        ),
        "withdrawals": list(
            CashWithdrawal.objects.filter(firm=firm)
            .order_by("account__account_number", "start_date")
            .values_list("amount_usd", "frequency", "start_date")
        ),
        "restrictions": Restriction.objects.filter(firm=firm).count(),
        "screens": Screen.objects.filter(firm=firm).count(),
        "substitutions": Substitution.objects.filter(firm=firm).count(),
    }


@pytest.mark.django_db
def test_one_login_per_role_with_the_documented_password(demo):
    firm, output = demo
    roles = dict(Membership.objects.filter(firm=firm).values_list("user__username", "role"))
    assert (firm.name, firm.timezone) == ("Northwind Wealth Partners", "America/New_York")
    assert {roles[name] for name in ("admin", "advisor", "modeler", "trader", "compliance")} == {
        Role.FIRM_ADMIN,
        Role.ADVISOR,
        Role.MODEL_MANAGER,
        Role.TRADER,
        Role.COMPLIANCE,
    }
    assert Counter(roles.values())[Role.ADVISOR] == 4
    hashes = set(
        get_user_model().objects.filter(username__in=roles).values_list("password", flat=True)
    )
    assert len(hashes) == 1
    assert f"password '{DEMO_PASSWORD}'" in output and "  compliance " in output


@pytest.mark.django_db
def test_households_and_accounts_of_mixed_tax_status(demo):
    firm, _ = demo
    accounts = Account.objects.filter(firm=firm)
    assert accounts.count() == 150
    assert Household.objects.filter(firm=firm).count() >= 50
    assert set(accounts.values_list("tax_status", flat=True)) == set(TaxStatus.values)
    assert set(accounts.values_list("custodian", flat=True)) == {
        "Charles Schwab",
        "Fidelity",
        "Pershing",
    }
    assert accounts.filter(client__isnull=True).count() == 0
    assert accounts.filter(advisor__isnull=True).count() == 0
    assert len(set(accounts.values_list("advisor", flat=True))) == 4
    assert Client.objects.filter(firm=firm).count() > Household.objects.filter(firm=firm).count()
    assert ModelAssignment.objects.filter(firm=firm).count() == 150
    assert CashBalance.objects.filter(firm=firm).count() == 150


@pytest.mark.django_db
def test_models_are_published_and_sum_to_at_most_one(demo):
    firm, _ = demo
    versions = ModelVersion.objects.filter(firm=firm)
    assert versions.exclude(status=VersionStatus.PUBLISHED).count() == 0
    assert versions.filter(published_at__isnull=True).count() == 0
    for version in versions.annotate(total=Sum("lines__weight")):
        assert Decimal("0.95") <= version.total <= Decimal("1"), version
    names = set(ModelPortfolio.objects.filter(firm=firm).values_list("name", flat=True))
    assert {"Balanced 60/40", "Growth 70/30", "US Large Cap Direct Index"} <= names
    growth = ModelPortfolio.objects.get(firm=firm, name="Growth 70/30")
    sleeves = ModelLine.objects.filter(version__model=growth, sub_model__isnull=False)
    assert set(sleeves.values_list("sub_model__name", flat=True)) == {"Global Equity", "Core Bond"}
    target = model_target_weights(model=growth)
    assert target is not None and sum(target.values()) == Decimal("0.98")


@pytest.mark.django_db
def test_direct_index_has_over_100_stocks_with_gics_sectors(demo):
    firm, _ = demo
    lines = ModelLine.objects.filter(firm=firm, version__model__name="US Large Cap Direct Index")
    assert lines.count() >= 100
    sectors = set(lines.values_list("security__sector", flat=True))
    assert sectors == GICS_SECTORS
    assert ModelAssignment.objects.filter(
        firm=firm, model__name="US Large Cap Direct Index"
    ).count() in range(5, 31)


@pytest.mark.django_db
def test_each_etf_has_a_swap_partner_in_another_identical_group(demo):
    firm, _ = demo
    balanced = ModelLine.objects.filter(firm=firm, version__model__name="Balanced 60/40")
    by_symbol = {security.symbol: security for security in Security.objects.all()}
    for symbol in set(balanced.values_list("security__symbol", flat=True)):
        partner = by_symbol[SWAP_PARTNERS[symbol]]
        assert partner.asset_class == by_symbol[symbol].asset_class
        assert partner.identical_group != by_symbol[symbol].identical_group
    assert {by_symbol[s].identical_group for s in ("VOO", "IVV", "SPY")} == {"SP500"}


@pytest.mark.django_db
def test_two_years_of_daily_prices_with_realistic_volatility(demo):
    symbols = [row.symbol for row in load_stocks()] + [row.symbol for row in load_etfs()]
    prices = Price.objects.filter(security__symbol__in=symbols)
    per_security = Counter(prices.values_list("security__symbol", flat=True))
    assert len(per_security) == len(symbols) >= 140
    assert set(per_security.values()) == {520}
    assert Price.objects.order_by("-date").values_list("date", flat=True)[0] == END_DATE

    def annual_vol(symbol: str) -> float:
        closes = [
            float(close)
            for close in Price.objects.filter(security__symbol=symbol)
            .order_by("date")
            .values_list("close", flat=True)
        ]
        returns = [math.log(b / a) for a, b in zip(closes, closes[1:], strict=False)]
        mean = sum(returns) / len(returns)
        variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
        return math.sqrt(variance * 252)

    assert 0.10 < annual_vol("VTI") < 0.30
    assert annual_vol("BND") < 0.10
    assert 0.15 < annual_vol("AAPL") < 0.60


@pytest.mark.django_db
def test_every_lot_matches_its_buy_at_that_days_close(demo):
    firm, _ = demo
    closes = {
        (security_id, day): close
        for security_id, day, close in Price.objects.values_list("security_id", "date", "close")
    }
    transactions = Transaction.objects.filter(firm=firm)
    buys = {buy.external_id: buy for buy in transactions.filter(type="buy")}
    # the one sale: the account at its gain cap sold part of one lot (demo.tax_showcase)
    [sale] = transactions.filter(type="sell")
    sold = {pick["lot"]: Decimal(pick["quantity"]) for pick in sale.specific_lots or []}
    lots = list(
        TaxLot.objects.filter(firm=firm).exclude(lot_ref__startswith=f"ca:{DRIP.reference}/")
    )
    assert len(lots) == len(buys) > 1000
    for lot in lots:
        buy = buys[lot.lot_ref]
        split = lot.security.symbol == SPLIT.symbol and lot.acquired < SPLIT.date
        assert lot.opening_transaction_id == buy.id
        bought = buy.quantity * SPLIT.new / SPLIT.old if split else buy.quantity
        assert (lot.account_id, lot.security_id, lot.quantity) == (
            buy.account_id,
            buy.security_id,
            bought - sold.get(lot.lot_ref, 0),
        )
        if lot.lot_ref in sold:
            continue
        if split:
            assert lot.cost_basis_usd == buy.amount_usd
            continue
        assert lot.acquired == lot.holding_period_start == buy.date
        expected = (lot.quantity * closes[(lot.security_id, lot.acquired)]).quantize(
            Decimal("0.01")
        )
        assert lot.cost_basis_usd == buy.amount_usd == expected


@pytest.mark.django_db
def test_lots_have_short_and_long_term_gains_and_losses(demo):
    firm, _ = demo
    last = {
        security_id: close
        for security_id, close in Price.objects.filter(date=END_DATE).values_list(
            "security_id", "close"
        )
    }
    kinds: Counter[tuple[str, str]] = Counter()
    for lot in TaxLot.objects.filter(firm=firm):
        term = "long" if lot.acquired < END_DATE.replace(year=END_DATE.year - 1) else "short"
        gain = lot.quantity * last[lot.security_id] - lot.cost_basis_usd
        kinds[(term, "gain" if gain > 0 else "loss")] += 1
    assert set(kinds) == {("short", "gain"), ("short", "loss"), ("long", "gain"), ("long", "loss")}
    assert min(kinds.values()) >= 50


@pytest.mark.django_db
def test_preferences_use_every_menu(demo):
    firm, _ = demo
    households = Household.objects.filter(firm=firm).count()
    sets = PreferenceSet.objects.filter(firm=firm)
    assert sets.filter(household__isnull=False).count() == households
    assert sets.filter(account__isnull=False).count() >= 10
    assert (
        len(set(sets.exclude(short_term_rate=None).values_list("short_term_rate", flat=True))) >= 3
    )
    assert sets.exclude(max_realized_gain_usd=None).exists()
    assert sets.exclude(max_short_term_gain_usd=None).exists()
    assert sets.exclude(min_trade_value_usd=None).exists()
    assert sets.filter(fractional_shares=True).exists()
    screens = Screen.objects.filter(firm=firm)
    assert screens.filter(field="sector", value="Energy").exists()
    assert {"MO", "PM"} <= set(screens.filter(field="symbol").values_list("value", flat=True))
    restrictions = Restriction.objects.filter(firm=firm)
    assert set(restrictions.values_list("type", flat=True)) == set(RestrictionType.values)
    assert restrictions.exclude(end_date=None).exists()
    assert restrictions.exclude(start_date=None).exists()
    assert Substitution.objects.filter(firm=firm).exists()
    frequencies = set(CashWithdrawal.objects.filter(firm=firm).values_list("frequency", flat=True))
    assert WithdrawalFrequency.ONE_TIME in frequencies
    assert frequencies & {WithdrawalFrequency.MONTHLY, WithdrawalFrequency.QUARTERLY}


@pytest.mark.django_db
def test_the_seed_stores_a_risk_model_that_the_nightly_run_uses(demo):
    last_close = Price.objects.aggregate(last=Max("date"))["last"]

    stored = StoredRiskModel.objects.get()
    model = latest_risk_model(last_close)

    assert stored.as_of == last_close and model is not None and model.id == stored.name
    assert set(model.symbols) == set(Security.objects.values_list("symbol", flat=True))
    assert model.factors[0] == "market" and any(f.startswith("sector:") for f in model.factors)


@pytest.mark.django_db
def test_a_second_run_changes_nothing(demo):
    firm, _ = demo
    before = _book_fingerprint(firm)
    prices = Price.objects.count()

    output = _seed()

    assert "already exists: nothing changed" in output
    assert Firm.objects.filter(slug="demo").count() == 1
    assert _book_fingerprint(firm) == before
    assert Price.objects.count() == prices
    assert StoredRiskModel.objects.count() == 1


@pytest.mark.skipif(
    pg_roles.active(),
    reason="a reset deletes the audit log: the owner's job, which .ci/rls_smoke.sh does",
)
@pytest.mark.django_db
def test_reset_builds_the_same_firm_again(demo):
    _seed("--firm", "again", "--accounts", "30")
    before = _book_fingerprint(Firm.objects.get(slug="again"))
    counts = {model: model.objects.count() for model in (Transaction, TaxLot, Account, Price)}

    _seed("--firm", "again", "--accounts", "30", "--reset")

    firm = Firm.objects.get(slug="again")
    assert _book_fingerprint(firm) == before
    assert {model: model.objects.count() for model in counts} == counts
    assert Membership.objects.filter(firm=firm).count() == 8


@pytest.mark.skipif(not pg_roles.active(), reason="the CI pass as the application's role")
@pytest.mark.django_db
def test_a_reset_as_the_application_role_is_refused_and_changes_nothing(demo):
    _seed("--firm", "again", "--accounts", "30")
    before = _book_fingerprint(Firm.objects.get(slug="again"))

    with pytest.raises(CommandError, match="append-only.*tables' owner"):
        _seed("--firm", "again", "--accounts", "30", "--reset")

    assert _book_fingerprint(Firm.objects.get(slug="again")) == before


@pytest.mark.django_db
def test_another_seed_builds_another_book(demo):
    _seed("--firm", "seeded", "--accounts", "30", "--seed", "7")
    _seed("--firm", "other", "--accounts", "30")

    seeded, other = Firm.objects.get(slug="seeded"), Firm.objects.get(slug="other")
    assert _lot_fingerprint(seeded) != _lot_fingerprint(other)


@pytest.mark.django_db
def test_a_second_firm_shares_only_securities_and_prices(demo):
    first, _ = demo
    securities, prices = Security.objects.count(), Price.objects.count()

    output = _seed("--firm", "other", "--accounts", "30")

    other = Firm.objects.get(slug="other")
    assert "other-advisor" in output and "0 prices created" in output
    assert (Security.objects.count(), Price.objects.count()) == (securities, prices)
    usernames = set(Membership.objects.filter(firm=other).values_list("user__username", flat=True))
    assert usernames and all(name.startswith("other-") for name in usernames)
    assert not Membership.objects.filter(firm=first, user__username__in=usernames).exists()
    assert get_user_model().objects.get(username="other-trader").check_password(DEMO_PASSWORD)
    assert Account.objects.filter(firm=other).count() == 30
    owned = firm_owned_models()
    for model in owned:
        for field in model._meta.fields:
            target = field.related_model
            if field.is_relation and target is not Firm and target in owned:
                crossing = (
                    model._default_manager.filter(firm=other)
                    .exclude(**{f"{field.name}__isnull": True})
                    .exclude(**{f"{field.name}__firm": other})
                )
                assert not crossing.exists(), f"{model.__name__}.{field.name}"
    counts = Account.objects.values("firm__slug").annotate(n=Count("id"))
    assert {row["firm__slug"]: row["n"] for row in counts} == {"demo": 150, "other": 30}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("--accounts", "0"), "--accounts"),
        (("--firm", "not a slug"), "--firm"),
        (("--end-date", "2026-13-01"), "--end-date"),
        (("--end-date", "2021-01-04"), "--end-date"),
    ],
)
def test_bad_arguments_are_refused_naming_the_option(demo, args, field):
    firms = Firm.objects.count()

    with pytest.raises(CommandError, match=field):
        _seed(*args)

    assert Firm.objects.count() == firms


def test_trading_days_skip_weekends_and_exchange_holidays():
    days = trading_days(start=dt.date(2026, 11, 20), end=dt.date(2026, 11, 30))

    assert days == [
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 23),
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 25),
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
    ]
    assert dt.date(2026, 4, 3) not in trading_days(  # Good Friday
        start=dt.date(2026, 3, 30), end=dt.date(2026, 4, 6)
    )


def test_some_households_are_managed_as_one_with_a_held_away_401k(demo):
    firm, output = demo
    managed = Household.objects.filter(firm=firm, managed_as_one=True)
    assert managed.exists()
    for household in managed:
        statuses = set(household.accounts.values_list("tax_status", flat=True))
        assert "taxable" in statuses and statuses & {"tax_deferred", "tax_exempt"}
    held_away = HeldAwayAccount.objects.filter(firm=firm)
    assert held_away.exists()
    assert all(h.household.managed_as_one for h in held_away)
    assert all(h.positions.count() == 2 and h.transactions.exists() for h in held_away)
    last_day = Price.objects.order_by("-date").values_list("date", flat=True).first()
    assert last_day is not None
    stale = [
        h
        for h in held_away
        if h.transactions_through is None or (last_day - h.transactions_through).days > 30
    ]
    assert len(stale) <= 1
    assert "managed households" in output and "held-away accounts" in output


@pytest.mark.django_db
def test_a_split_and_a_reinvested_dividend_reach_the_lots_through_the_lot_engine(demo):
    firm, output = demo
    closes = dict(Price.objects.filter(security__symbol=SPLIT.symbol).values_list("date", "close"))
    before, after = max(d for d in closes if d < SPLIT.date), SPLIT.date
    split_lots = TaxLot.objects.filter(firm=firm, security__symbol=SPLIT.symbol)
    reinvested = TaxLot.objects.filter(firm=firm, lot_ref__startswith=f"ca:{DRIP.reference}/")
    drip_close = Price.objects.get(security__symbol=DRIP.symbol, date=DRIP.pay_date).close

    # the exchange's closes fall by the ratio on the split's date (a continuous path)
    assert 0.5 < float(closes[after] / closes[before]) * SPLIT.new / SPLIT.old < 1.5
    assert split_lots.filter(acquired__lt=SPLIT.date).count() > 5
    assert reinvested.count() > 5
    for lot in reinvested:
        assert lot.acquired == lot.holding_period_start == DRIP.pay_date
        assert lot.opening_transaction_id is None
        assert abs(lot.cost_basis_usd - lot.quantity * drip_close) < Decimal("0.02")
    applied = CorporateActionApplication.objects.filter(firm=firm)
    assert sorted(applied.values_list("action__reference", flat=True)) == sorted(
        [SPLIT.reference, DRIP.reference]
    )
    assert "corporate actions" in output and "custodian statement" in output


@pytest.mark.django_db
def test_the_custodian_file_leaves_exactly_two_accounts_out_of_balance(demo):
    firm, _ = demo
    statements = Reconciliation.objects.filter(firm=firm)
    out = statements.filter(status=ReconciliationStatus.OUT_OF_BALANCE)

    assert statements.count() == Account.objects.filter(firm=firm).count()
    assert out.count() == 2
    kinds = sorted(
        "cash only" if [d["symbol"] for d in r.differences] == ["CASH"] else "shares and cash"
        for r in out
    )
    assert kinds == ["cash only", "shares and cash"]


@pytest.mark.django_db
def test_three_accounts_show_the_gain_cap_a_transition_plan_and_a_planned_gift(demo):
    firm, output = demo
    for line in ("accounts at their gain cap", "transition plans", "planned gifts"):
        assert re.search(rf"\b1 {line}\b", output), output
    # the account at its cap: its own cap is this year's net realized gain, nothing left
    [sale] = Transaction.objects.filter(firm=firm, type="sell")
    at_cap = sale.account
    realized = RealizedGain.objects.filter(account=at_cap, sold__year=END_DATE.year)
    gain = sum(realized.values_list("gain_usd", flat=True), Decimal(0))
    assert gain > 0
    own = PreferenceSet.objects.get(account=at_cap)
    assert (own.max_realized_gain_usd, own.max_realized_gain_override) == (gain, True)
    room = gain_rooms_for_accounts(
        firm=firm,
        accounts=[at_cap],
        preferences=effective_preferences_for_accounts(
            firm=firm, accounts=[at_cap], as_of=END_DATE
        ),
        as_of=END_DATE,
    ).room(at_cap.pk)
    assert room.net.remaining_usd == Decimal("0.00")
    # the transition plan starts this year; the gift is two weeks after the last close
    [plan] = PreferenceSet.objects.filter(firm=firm, transition_years__isnull=False)
    assert (plan.transition_start_year, plan.transition_years) == (END_DATE.year, 3)
    [gift] = PlannedGift.objects.filter(firm=firm)
    assert (gift.date, gift.status) == (END_DATE + dt.timedelta(days=14), "planned")
    assert gift.amount_usd >= 500
    planned = plan.account
    assert planned is not None
    households = {at_cap.household_id, planned.household_id, gift.account.household_id}
    assert len(households) == 3
    # the first night: no further net gain at the cap, a transition step, the gift's lots
    actor = Actor.system("test")
    capped = proposal_reoptimize(firm=firm, actor=actor, account=at_cap, as_of=END_DATE)
    assert capped.optimizer_status == "optimal", capped.message
    assert capped.realized_short_term_gain_usd + capped.realized_long_term_gain_usd <= 0
    stepped = proposal_reoptimize(firm=firm, actor=actor, account=planned, as_of=END_DATE)
    assert stepped.optimizer_status == "optimal", stepped.message
    assert proposal_transition_step(proposal=stepped) is not None
    assert all("transition_step" in t.reasons for t in stepped.trades.all())
    giving = proposal_reoptimize(firm=firm, actor=actor, account=gift.account, as_of=END_DATE)
    assert giving.optimizer_status == "optimal", giving.message
    gifted = proposal_gifts(proposal=giving)
    assert gifted is not None and gifted.value_usd <= gift.amount_usd
    assert gifted.value_usd > gift.amount_usd / 2 and gifted.tax_avoided_usd > 0
    gift.refresh_from_db()
    assert (gift.status, gift.proposal_id) == ("proposed", giving.pk)
