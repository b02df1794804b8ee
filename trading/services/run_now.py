"""Operations' "run now": start (or resume) today's run for the whole firm or a chosen set
of accounts, as the nightly schedule would, from the runs page.

Starting a run is the ``rerun`` permission (firm administrators; an API key with the
``trade`` scope starts runs over the API).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from accounts.models import Account
from firms.models import Firm
from firms.permissions import Action, user_may
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed
from rebalancer.rowsecurity import firm_scope
from trading.models import Run, RunTrigger
from trading.services.corporate_actions import corporate_actions_apply_due
from trading.services.event_dates import firm_today
from trading.services.gifts import gifts_record_due
from trading.services.runs import run_start

# at most this many account numbers in one "run now"
RUN_NOW_MAX_ACCOUNTS = 10_000


def account_numbers_parse(text: str) -> list[str]:
    """Account numbers separated by commas, spaces or new lines, each once, in order."""
    seen: dict[str, None] = {}
    for number in re.split(r"[\s,;]+", text or ""):
        if number:
            seen.setdefault(number, None)
    return list(seen)


def run_now(
    *,
    firm: Firm,
    actor: Actor,
    account_numbers: list[str] | None = None,
    enqueue: Callable[[int, list[int]], None] | None = None,
) -> tuple[Run, list[int]]:
    """Start (or resume) the firm's run for its today, for every active account or only
    ``account_numbers``; returns the run and the chunks queued (none when every chosen
    account already has a proposal for the day). Due corporate actions are applied first,
    as before a nightly run."""
    if actor.user is None or not user_may(firm=firm, user=actor.user, action=Action.RERUN):
        raise DomainError("Only a firm administrator may start a run.", field="actor")
    numbers = account_numbers or []
    if len(numbers) > RUN_NOW_MAX_ACCOUNTS:
        raise ValidationFailed(
            [(None, "accounts", f"at most {RUN_NOW_MAX_ACCOUNTS} account numbers at a time")]
        )
    if numbers:
        known = set(
            Account.objects.for_firm(firm)
            .filter(account_number__in=numbers, is_active=True)
            .values_list("account_number", flat=True)
        )
        unknown = [n for n in numbers if n not in known]
        if unknown:
            shown = ", ".join(unknown[:10]) + (
                f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
            )
            raise ValidationFailed(
                [(None, "accounts", f"no active account of this firm is numbered {shown}")]
            )
    as_of = firm_today(firm=firm)
    with firm_scope(firm):
        corporate_actions_apply_due(firm=firm, actor=actor)
        gifts_record_due(firm=firm, actor=actor)
    run, chunk_ids = run_start(
        firm=firm,
        as_of=as_of,
        trigger=RunTrigger.USER,
        actor=actor,
        account_numbers=numbers or None,
        enqueue=enqueue,
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="run.run_now",
        obj=run,
        after={
            "as_of": as_of.isoformat(),
            "accounts": ", ".join(numbers) if numbers else "every active account",
            "chunks queued": len(chunk_ids),
        },
    )
    return run, chunk_ids
