"""Firm B's whole book, for the outsider test: at least one row of every kind of thing a
firm owns, every name carrying a marker that must never show on firm A's pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import User

from accounts.models import Account, Client, Household
from accounts.services import preferences as prefs
from accounts.services.household_management import held_away_create
from firms.models import ApiKey, AuditEvent, Firm, IdempotencyRecord, Role
from firms.services.api_keys import api_key_create
from firms.services.firm_settings import four_eyes_off_request, four_eyes_turn_on
from models_library.models import (
    CorporateAction,
    EquivalenceSet,
    ModelPortfolio,
    ModelVersion,
    VersionStatus,
)
from models_library.services.equivalents import equivalence_set_save
from models_library.services.prices import prices_upsert
from rebalancer import rowsecurity
from rebalancer.actors import Actor
from tests.accounts.mfa import enrol
from tests.factories import (
    ClientFactory,
    FirmFactory,
    MembershipFactory,
    ModelLineFactory,
    ModelVersionFactory,
    UserFactory,
)
from tests.trading.builders import AS_OF, etf_universe, funded_account, published_model
from trading.models import (
    Blotter,
    CorporateActionApplication,
    HouseholdProposal,
    HouseholdProposalStatus,
    PlannedGift,
    Proposal,
    ProposalStatus,
    ProposedTrade,
    Reconciliation,
    Run,
)
from trading.services.blotters import blotter_approve, blotter_create
from trading.services.fills_import import fills_import_csv
from trading.services.gifts import planned_gift_create
from trading.services.orders_export import orders_export_csv
from trading.services.reconciliation import custodian_positions_import
from trading.services.review import proposal_approve
from trading.services.runs import chunk_process, run_start

#: Strings found only in firm B's rows (names, account numbers, lot references).
MARKERS = ("quixotic", "qxb-")

ROLES = {
    "admin": Role.FIRM_ADMIN,
    "advisor": Role.ADVISOR,
    "modeler": Role.MODEL_MANAGER,
    "trader": Role.TRADER,
    "compliance": Role.COMPLIANCE,
}
RULE_KINDS = ("restriction", "screen", "substitution", "withdrawal")
#: Firm B has stored the idempotency key ``<prefix>1``; firm A's first API write sends the
#: same key and must not get firm B's reply.
IDEMPOTENCY_PREFIX = "outsider-"


@dataclass
class OutsiderBook:
    firm: Firm
    people: dict[str, User]
    household: Household
    client: Client
    accounts: list[Account]
    model: ModelPortfolio
    published: ModelVersion
    draft: ModelVersion
    pending: Proposal
    approved: Proposal
    failed: Proposal
    trade: ProposedTrade
    run: Run
    open_blotter: Blotter
    filled_blotter: Blotter
    key: ApiKey
    equivalence_set: EquivalenceSet
    reconciliation: Reconciliation
    gift: PlannedGift
    rules: dict = field(default_factory=dict)


def _person(firm, role: str, username: str):
    user = UserFactory(username=username, first_name="Quixotic", last_name=role)
    MembershipFactory(user=user, firm=firm, role=role)
    return user


def _rules(firm, actor, household, account) -> dict:
    """One rule of each kind on the household and on the account: {(scope, kind): id}."""
    rules = {}
    for scope, where in (
        ("household", {"household": household}),
        ("account", {"account": account}),
    ):
        rules[(scope, "restriction")] = prefs.restriction_add(
            firm=firm,
            actor=Actor.person(actor),
            symbol="AGG",
            type="do_not_buy",
            reason="Quixotic wish",
            **where,
        ).pk
        rules[(scope, "screen")] = prefs.screen_add(
            firm=firm, actor=Actor.person(actor), field="sector", value="Quixotic Mills", **where
        ).pk
        rules[(scope, "substitution")] = prefs.substitution_add(
            firm=firm, actor=Actor.person(actor), from_symbol="VTI", to_symbol="ITOT", **where
        ).pk
        prefs.preferences_update(
            firm=firm, actor=Actor.person(actor), values={"cost_bps": Decimal("3")}, **where
        )
    withdrawal = prefs.withdrawal_add(
        firm=firm,
        actor=Actor.person(actor),
        account=account,
        amount_usd="100.00",
        start_date=AS_OF + dt.timedelta(days=30),
        note="Quixotic trip",
    )
    rules[("account", "withdrawal")] = rules[("household", "withdrawal")] = withdrawal.pk
    return rules


def _fill_everything(firm, trader, blotter) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(orders_export_csv(firm=firm, actor=Actor.person(trader), blotter=blotter))
        )
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["fill_id", "order_id", "account_number", "quantity", "price", "trade_date"])
    for i, row in enumerate(rows):
        writer.writerow(
            [
                f"QXB-F{i}",
                row["order_id"],
                row["account_number"],
                row["allocation_quantity"],
                row["estimated_price"],
                "2025-07-01",
            ]
        )
    fills_import_csv(firm=firm, actor=Actor.person(trader), blotter=blotter, text=out.getvalue())


def build_outsider_book() -> OutsiderBook:
    """Firm B: a household with a client and three accounts (one with no model, so the
    run fails it), rules and preferences, a run's proposals (pending, approved, failed), a
    filled blotter and an open one, a draft model version, an API key, audit events, and
    one person per role (the advisor with multi-factor sign-in)."""
    firm = FirmFactory(name="Quixotic Wealth", slug="quixotic")
    with rowsecurity.firm_scope(firm):
        people = {name: _person(firm, role, f"quixotic-{name}") for name, role in ROLES.items()}
        enrol(people["advisor"], firm)
        securities = etf_universe()
        model = published_model(
            firm=firm,
            weights={"VTI": "0.60", "BND": "0.38"},
            securities=securities,
            name="Quixotic Growth",
        )
        household = Household.objects.create(
            firm=firm, name="Quixotic Family", advisor=people["advisor"]
        )
        client = ClientFactory(household=household, first_name="Quincy", last_name="Quixotic")
        lots = [
            ("VTI", "120", "20000.00", dt.date(2022, 1, 3)),
            ("BND", "100", "8000.00", dt.date(2023, 3, 1)),
        ]
        accounts = [
            funded_account(
                firm=firm,
                model=model if i < 3 else None,
                securities=securities,
                number=f"QXB-{i:03d}",
                lots=lots,
                household=household,
            )
            for i in range(4)
        ]
        rules = _rules(firm, people["advisor"], household, accounts[0])
        run, chunk_ids = run_start(firm=firm, as_of=AS_OF, trigger="command")
        for chunk_id in chunk_ids:
            chunk_process(firm_id=firm.pk, chunk_id=chunk_id)
        run.refresh_from_db()
        made = {p.account_id: p for p in Proposal.objects.filter(firm=firm, run=run)}
        proposal_approve(
            firm=firm, actor=Actor.person(people["advisor"]), proposal=made[accounts[1].pk]
        )
        filled = blotter_create(firm=firm, actor=Actor.person(people["trader"]))
        blotter_approve(firm=firm, actor=Actor.person(people["trader"]), blotter=filled)
        _fill_everything(firm, people["trader"], filled)
        approved_too = proposal_approve(
            firm=firm, actor=Actor.person(people["advisor"]), proposal=made[accounts[2].pk]
        )
        open_blotter = blotter_create(firm=firm, actor=Actor.person(people["trader"]))
        # a firm that is no steward of reference data keeps the closes it sends to itself
        prices_upsert(
            firm=firm,
            actor=Actor.person(people["admin"]),
            rows=[
                {"symbol": "AGG", "date": AS_OF - dt.timedelta(days=1), "close": Decimal("97.50")}
            ],
        )
        draft = ModelVersionFactory(model=model, number=2, status=VersionStatus.DRAFT)
        ModelLineFactory(version=draft, security=securities["VTI"], weight=Decimal("1"))
        key = api_key_create(
            firm=firm, actor=Actor.system("test"), name="quixotic-feed", scopes=["read"]
        )
        IdempotencyRecord.objects.create(
            firm=firm,
            principal=f"key:{key.api_key.pk}",
            key=f"{IDEMPOTENCY_PREFIX}1",
            request_sha256="0" * 64,
            status_code=201,
            content_type="application/json",
            body='{"name": "Quixotic Family"}',
        )
        equivalence_set = equivalence_set_save(
            firm=firm,
            actor=Actor.person(people["modeler"]),
            name="Quixotic total market",
            symbols=["VTI", "ITOT"],
        )
        # a dividend applied to firm B's books, recorded directly: rebuilding the lots here
        # would renumber the lots the proposals above name
        dividend = CorporateAction.objects.create(
            reference="QX-BND-DIV",
            kind="cash_dividend",
            security=securities["BND"],
            effective_date=AS_OF,
            cash_per_share=Decimal("0.10"),
        )
        CorporateActionApplication.objects.create(firm=firm, action=dividend, households=1)
        custodian_positions_import(
            firm=firm,
            actor=Actor.person(people["trader"]),
            rows=[
                {
                    "account_number": accounts[0].account_number,
                    "as_of": AS_OF.isoformat(),
                    "symbol": "VTI",
                    "quantity": "121",
                }
            ],
        )
        reconciliation = Reconciliation.objects.get(firm=firm, account=accounts[0])
        held_away_create(
            firm=firm,
            actor=Actor.person(people["advisor"]),
            household=household,
            data={
                "name": "Quixotic 401k",
                "tax_status": "tax_deferred",
                "transactions_through": AS_OF,
                "positions": [
                    {
                        "symbol": "VTI",
                        "quantity": Decimal("10"),
                        "market_value_usd": Decimal("3000"),
                    }
                ],
                "transactions": [
                    {
                        "symbol": "VTI",
                        "trade_date": AS_OF - dt.timedelta(days=3),
                        "side": "buy",
                        "quantity": Decimal("1"),
                    }
                ],
            },
        )
        # the household's proposal of the night, recorded directly: solving the household
        # as one here would change the account proposals the test names
        HouseholdProposal.objects.create(
            firm=firm,
            household=household,
            run=run,
            as_of=AS_OF,
            status=HouseholdProposalStatus.NO_TRADES,
            optimizer_status="optimal",
            summary={"location_tax_before": "0.00"},
        )
        # a charitable gift planned from account 0 (taxable, worth about $44,000)
        gift = planned_gift_create(
            firm=firm,
            actor=Actor.person(people["advisor"]),
            account=accounts[0],
            amount_usd="2500.00",
            date=dt.date.today() + dt.timedelta(days=10),
            charity="Quixotic Trust",
        )
        # a waiting request to turn four eyes off (another admin must approve it)
        admin = Actor.person(people["admin"])
        if not Firm.objects.get(pk=firm.pk).require_four_eyes:
            four_eyes_turn_on(firm=firm, actor=admin)
        four_eyes_off_request(firm=firm, actor=admin, reason="outsider book")
        pending = made[accounts[0].pk]
        trade = pending.trades.first()
        assert trade is not None
        book = OutsiderBook(
            firm=firm,
            people=people,
            household=household,
            client=client,
            accounts=accounts,
            model=model,
            published=model.versions.get(number=1),
            draft=draft,
            pending=pending,
            approved=approved_too,
            failed=made[accounts[3].pk],
            trade=trade,
            run=run,
            open_blotter=open_blotter,
            filled_blotter=filled,
            key=key.api_key,
            equivalence_set=equivalence_set,
            reconciliation=reconciliation,
            gift=gift,
            rules=rules,
        )
        _check_complete(book)
    return book


def _check_complete(book: OutsiderBook) -> None:
    """Every firm-owned table has a row of firm B (else the outsider test proves less)."""
    from rebalancer.tenancy import firm_owned_models

    assert book.pending.status == ProposalStatus.PENDING_REVIEW, book.pending.status
    assert book.failed.status == ProposalStatus.FAILED, book.failed.status
    assert AuditEvent.objects.filter(firm=book.firm).exists()
    empty = [
        model._meta.label
        for model in firm_owned_models()
        if not model._default_manager.filter(firm=book.firm).exists()
    ]
    assert empty == [], f"firm B has no rows in {empty}"
