"""The nightly run's inputs: household wash-sale context, retries, and the beat task."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import OperationalError

from optimizer import case_to_dict
from rebalancer.actors import Actor
from trading.models import Proposal, ProposalStatus, ProposedTrade, Run
from trading.optimization import case_for_account
from trading.selectors.run_inputs import chunk_inputs
from trading.services.lot_ledger import transactions_record
from trading.services.review import proposal_approve, proposed_trade_edit
from trading.services.runs import chunk_process, run_start

from .builders import AS_OF, funded_account, small_book


def test_loss_sale_in_one_account_blocks_buying_in_the_households_ira(firm_a, advisor_a):
    securities, model, [taxable] = small_book(firm=firm_a, accounts=1)
    ira = funded_account(
        firm=firm_a,
        model=model,
        securities=securities,
        number="IRA-1",
        lots=[("BND", "50", "3600", dt.date(2023, 3, 1))],
        cash="50000",
        household=taxable.household,
        tax_status="tax_deferred",
    )
    # the taxable account sells VTI at a loss ten days before the run
    transactions_record(
        firm=firm_a,
        account=taxable,
        actor=Actor.person(advisor_a),
        rows=[
            {
                "external_id": "S1",
                "date": AS_OF - dt.timedelta(days=10),
                "type": "sell",
                "symbol": "VTI",
                "quantity": "10",
                "amount_usd": "1000.00",
            }
        ],
    )
    inputs = chunk_inputs(firm=firm_a, account_ids=[ira.pk], as_of=AS_OF)
    case = case_to_dict(case_for_account(inputs.accounts[0], inputs))
    assert case["wash_sale"]["recent_loss_sales"] == [
        {"symbol": "VTI", "date": (AS_OF - dt.timedelta(days=10)).isoformat()}
    ]
    # and the IRA, though underweight VTI with cash to spend, does not buy it
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    proposal = Proposal.objects.get(account=ira)
    assert proposal.optimizer_status == "optimal"
    assert not proposal.trades.filter(side="buy", security__symbol="VTI").exists()


def test_approved_unfilled_purchase_counts_as_a_recent_buy(firm_a, advisor_a):
    securities, model, [first, second] = small_book(firm=firm_a, accounts=2)
    day_before = AS_OF - dt.timedelta(days=1)
    proposal = Proposal.objects.create(
        firm=firm_a,
        account=first,
        as_of=day_before,
        status=ProposalStatus.PENDING_REVIEW,
        optimizer_status="optimal",
        result={"trades": [{"symbol": "BND", "side": "buy", "quantity": "5", "lots": []}]},
    )
    ProposedTrade.objects.create(
        firm=firm_a,
        proposal=proposal,
        security=securities["BND"],
        side="buy",
        quantity=Decimal("5"),
        price=Decimal("72"),
        value_usd=Decimal("360.00"),
    )
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=Proposal.objects.get())
    second.household = first.household
    second.save()
    inputs = chunk_inputs(firm=firm_a, account_ids=[second.pk], as_of=AS_OF)
    case = case_to_dict(case_for_account(inputs.accounts[0], inputs))
    assert {"symbol": "BND", "date": day_before.isoformat(), "quantity": "5"} in case["wash_sale"][
        "recent_buys"
    ]


def test_household_wash_context_sees_the_advisors_edit_not_the_original_answer(firm_a, advisor_a):
    # given an approved proposal whose purchase the advisor edited before approving
    securities, model, [account] = small_book(firm=firm_a, accounts=1)
    _, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    proposal = Proposal.objects.get(account=account)
    buy = proposal.trades.filter(side="buy").select_related("security").get()
    symbol, original = buy.security.symbol, buy.quantity
    edited = original - 1
    proposed_trade_edit(firm=firm_a, actor=Actor.person(advisor_a), trade=buy, quantity=edited)
    proposal_approve(
        firm=firm_a, actor=Actor.person(advisor_a), proposal=Proposal.objects.get(pk=proposal.pk)
    )
    # when the household's wash-sale context is loaded for the same day
    inputs = chunk_inputs(firm=firm_a, account_ids=[account.pk], as_of=AS_OF)
    # then it holds the edited purchase, and the stored answer still the optimizer's own
    buys = inputs.wash[account.household_id].recent_buys
    assert [(e.symbol, e.date, e.quantity) for e in buys] == [(symbol, AS_OF, edited)]
    result = Proposal.objects.get(pk=proposal.pk).result
    assert result is not None
    stored = result["trades"]
    assert [Decimal(t["quantity"]) for t in stored if t["side"] == "buy"] == [original]


def test_household_wash_context_sees_a_sale_the_advisor_edited_into_a_loss(firm_a, advisor_a):
    # given an approved proposal whose sale, as the optimizer answered, realized a gain,
    # and as the advisor left it relieves a lot at a loss
    securities, model, [seller, buyer] = small_book(firm=firm_a, accounts=2)
    buyer.household = seller.household
    buyer.save()
    gain_lot = {"lot": "L1", "quantity": "5", "cost_basis": "1000.00", "gain": "500.00"}
    loss_lot = {"lot": "L2", "quantity": "5", "cost_basis": "2000.00", "gain": "-500.00"}
    proposal = Proposal.objects.create(
        firm=firm_a,
        account=seller,
        as_of=AS_OF - dt.timedelta(days=2),
        status=ProposalStatus.PENDING_REVIEW,
        optimizer_status="optimal",
        result={
            "trades": [
                {
                    "symbol": "VTI",
                    "side": "sell",
                    "quantity": "5",
                    "lots": [gain_lot | {"term": "long"}],
                }
            ]
        },
    )
    ProposedTrade.objects.create(
        firm=firm_a,
        proposal=proposal,
        security=securities["VTI"],
        side="sell",
        quantity=Decimal("10"),
        original_quantity=Decimal("5"),
        price=Decimal("300"),
        value_usd=Decimal("3000.00"),
        lots=[gain_lot | {"term": "long"}, loss_lot | {"term": "short"}],
    )
    proposal_approve(firm=firm_a, actor=Actor.person(advisor_a), proposal=proposal)
    # when the other account of the household is loaded
    inputs = chunk_inputs(firm=firm_a, account_ids=[buyer.pk], as_of=AS_OF)
    # then the edited sale is a recent loss sale, so the household may not buy VTI now
    sales = inputs.wash[buyer.household_id].recent_loss_sales
    assert [(e.symbol, e.date) for e in sales] == [("VTI", AS_OF - dt.timedelta(days=2))]


def test_transient_database_error_is_retried(firm_a, monkeypatch):
    from trading import tasks

    small_book(firm=firm_a, accounts=1)
    _, [chunk_id] = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    calls = {"n": 0}
    real = tasks.chunk_process

    def flaky(*, firm_id, chunk_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(firm_id=firm_id, chunk_id=chunk_id)

    monkeypatch.setattr(tasks, "chunk_process", flaky)
    # as on a worker: a failure is not raised to the caller, the task is retried
    conf = tasks.process_run_chunk.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:
        result = tasks.process_run_chunk.apply(args=(firm_a.pk, chunk_id)).get()
    finally:
        conf.task_eager_propagates = propagates
    assert calls["n"] == 2
    assert result["written"] == 1
    assert Run.objects.get().status == "completed"


def test_beat_task_starts_due_firms_once(firm_a, monkeypatch):

    from trading import tasks

    small_book(firm=firm_a, accounts=2)
    firm_a.timezone, firm_a.nightly_run_time = "UTC", dt.time(0, 0)
    firm_a.save()
    monkeypatch.setattr(
        tasks.timezone, "now", lambda: dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC)
    )
    assert tasks.start_due_nightly_runs.apply().get() == [firm_a.pk]
    assert Run.objects.filter(firm=firm_a, as_of=AS_OF).count() == 1
    assert tasks.start_due_nightly_runs.apply().get() == []
