"""Rerunning a run's failed accounts in the background: each tried once, in batches."""

from __future__ import annotations

import pytest

from accounts.models import ModelAssignment
from firms.models import AuditEvent
from trading.models import Proposal, ProposalStatus
from trading.services import rerun
from trading.services.runs import chunk_process, run_start
from trading.tasks import rerun_failed_accounts

from .builders import AS_OF, small_book

pytestmark = pytest.mark.django_db


def test_every_failed_account_is_tried_once_in_batches_and_one_still_failing_ends_it(
    firm_a, advisor_a, monkeypatch
):
    _, _, accounts = small_book(firm=firm_a, accounts=3)
    run, chunk_ids = run_start(firm=firm_a, as_of=AS_OF, trigger="command")
    for chunk_id in chunk_ids:
        chunk_process(firm_id=firm_a.pk, chunk_id=chunk_id)
    Proposal.objects.filter(firm=firm_a).update(status=ProposalStatus.FAILED, message="no price")
    ModelAssignment.objects.filter(account=accounts[1]).delete()  # this one keeps failing
    monkeypatch.setattr(rerun, "MAX_RERUN", 1)

    result = rerun_failed_accounts.delay(firm_a.pk, run.pk, advisor_a.pk).get()

    assert result == {"run": run.pk, "rerun": 3, "still_failed": 1}
    current = Proposal.objects.filter(firm=firm_a, as_of=AS_OF).exclude(status="superseded")
    statuses = dict(current.values_list("account_id", "status"))
    assert statuses[accounts[1].pk] == ProposalStatus.FAILED
    assert statuses[accounts[0].pk] != ProposalStatus.FAILED
    assert statuses[accounts[2].pk] != ProposalStatus.FAILED
    batches = AuditEvent.objects.filter(action="run.rerun_failed", actor=advisor_a)
    assert [(e.after or {}).get("accounts") for e in batches.order_by("pk")] == [1, 1, 1]
