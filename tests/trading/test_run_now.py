"""Operations' "run now": today's run for the firm or chosen accounts, firm admins only."""

from __future__ import annotations

import pytest

from firms.models import AuditEvent, Role
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from trading.models import Proposal, Run, RunTrigger
from trading.services.event_dates import firm_today
from trading.services.run_now import account_numbers_parse, run_now
from trading.services.runs import chunk_process

from .builders import small_book


def test_account_numbers_are_split_on_commas_spaces_and_lines_once_each():
    assert account_numbers_parse(" A-1, A-2\nA-3  A-1;A-4 ") == ["A-1", "A-2", "A-3", "A-4"]
    assert account_numbers_parse("") == []


def test_an_admin_runs_chosen_accounts_now(firm_a, admin_a):
    _, _, accounts = small_book(firm=firm_a, accounts=3, as_of=firm_today(firm=firm_a))
    chosen = [accounts[0].account_number, accounts[2].account_number]
    run, chunk_ids = run_now(firm=firm_a, actor=Actor.person(admin_a), account_numbers=chosen)
    assert run.trigger == RunTrigger.USER and run.as_of == firm_today(firm=firm_a)
    assert run.total_accounts == 2 and chunk_ids
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    made = set(Proposal.objects.filter(run=run).values_list("account__account_number", flat=True))
    assert made == set(chosen)
    event = AuditEvent.objects.get(action="run.run_now")
    assert (event.after or {})["accounts"] == ", ".join(chosen)
    # again: the whole firm, the two done are skipped
    run, chunk_ids = run_now(firm=firm_a, actor=Actor.person(admin_a))
    assert run.pk == Run.objects.get(firm=firm_a).pk and len(chunk_ids) == 1


def test_unknown_accounts_are_named_and_nothing_starts(firm_a, admin_a):
    small_book(firm=firm_a, accounts=1)
    with pytest.raises(ValidationFailed) as caught:
        run_now(firm=firm_a, actor=Actor.person(admin_a), account_numbers=["NOPE-1", "NOPE-2"])
    assert caught.value.errors == [
        (None, "accounts", "no active account of this firm is numbered NOPE-1, NOPE-2")
    ]
    assert not Run.objects.exists()


@pytest.mark.parametrize("role", [Role.TRADER, Role.ADVISOR, Role.MODEL_MANAGER])
def test_only_a_firm_admin_starts_a_run(firm_a, member_factory, role):
    small_book(firm=firm_a, accounts=1)
    member = member_factory(firm_a, role, f"someone-{role}")
    with pytest.raises(DomainError, match="Only a firm administrator"):
        run_now(firm=firm_a, actor=Actor.person(member))
    assert not Run.objects.exists()
