"""`manage.py replay PROPOSAL_ID`: reproduce a stored proposal, or show how it differs."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from firms.models import Firm
from rebalancer.errors import DomainError
from rebalancer.rowsecurity import firm_scope
from trading.models import Proposal
from trading.services.replay import proposal_replay
from trading.stored_input import unpack_input


class Command(BaseCommand):
    help = (
        "Run the optimizer again on the exact input stored with a proposal and compare. "
        "Exit status 0 when it reproduces, 1 when it differs."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("proposal_id", type=int)
        parser.add_argument("--show-input", action="store_true", help="Print the stored input.")
        parser.add_argument(
            "--firm", help="The proposal's firm (slug); without it, every firm is searched."
        )

    def handle(self, *args, proposal_id: int, show_input: bool, **options) -> None:
        firm = _firm_of(proposal_id, slug=options.get("firm"))
        with firm_scope(firm):
            self._replay(proposal_id=proposal_id, firm=firm, show_input=show_input)

    def _replay(self, *, proposal_id: int, firm: Firm, show_input: bool) -> None:
        try:
            replay = proposal_replay(firm=firm, proposal_id=proposal_id)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        proposal = Proposal.objects.for_firm(firm).select_related("account").get(pk=proposal_id)
        self.stdout.write(
            f"proposal {proposal.pk}: {firm.slug} account "
            f"{proposal.account.account_number}, as of {proposal.as_of}, status {proposal.status}"
        )
        self.stdout.write(f"stored input sha256 {proposal.input_sha256}")
        if show_input:
            self.stdout.write(json.dumps(unpack_input(proposal.input_blob), indent=2))
        if not replay.input_intact:
            self.stdout.write(self.style.ERROR("the stored input does not match its hash"))
        if replay.identical:
            trades = len(replay.result.trades)
            self.stdout.write(self.style.SUCCESS(f"reproduced exactly: {trades} trade(s)"))
            return
        self.stdout.write(self.style.WARNING("the replay differs:"))
        for line in replay.differences:
            self.stdout.write(f"  {line}")
        raise SystemExit(1)


def _firm_of(proposal_id: int, *, slug: str | None) -> Firm:
    """The firm that holds the proposal, looked for in each firm's own scope (row-level
    security shows a firm's proposals only inside its scope)."""
    firms = Firm.objects.order_by("pk")
    if slug:
        firms = firms.filter(slug=slug)
        if not firms.exists():
            raise CommandError(f"--firm: no firm with slug '{slug}'")
    for firm in firms:
        with firm_scope(firm):
            if Proposal.objects.filter(firm=firm, pk=proposal_id).exists():
                return firm
    raise CommandError(f"proposal {proposal_id} not found")
