"""``manage.py bench_nightly --managed-households``: the book measured with no household
managed as one and then with a share of its accounts in managed households, back to back."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max

from accounts.models import Account
from benchmarks.managed_book import managed_flags, managed_flags_restore, managed_share_set
from firms.models import Firm
from models_library.models import Price
from rebalancer.rowsecurity import firm_scope
from trading.models import HouseholdProposal, Proposal

pytestmark = pytest.mark.django_db(transaction=True)


def _statuses(firm: Firm, household_ids: set[int]) -> list[set[str]]:
    with firm_scope(firm):
        rows = Account.objects.filter(firm=firm, household_id__in=household_ids).values_list(
            "household_id", "tax_status"
        )
        out: dict[int, set[str]] = {}
        for household_id, status in rows:
            out.setdefault(household_id, set()).add(status)
    return list(out.values())


def test_the_option_manages_ira_and_roth_households_and_runs_them_beside_plain() -> None:
    # given a seeded 30-account book
    call_command("seed_demo", firm="bench-hh", accounts=30, no_logins=True, stdout=StringIO())
    firm = Firm.objects.get(slug="bench-hh")
    seeded = managed_flags(firm=firm)

    # when a fifth of the accounts is put in managed households
    share = managed_share_set(firm=firm, share=0.2)

    # then the households chosen hold a taxable account, an IRA and a Roth
    chosen = managed_flags(firm=firm)
    assert len(chosen) == share.households == share.full >= 1
    assert all(s >= {"taxable", "tax_deferred", "tax_exempt"} for s in _statuses(firm, chosen))
    assert share.accounts >= 6 and share.book_accounts == 30
    assert chosen != seeded
    # and a share of nothing manages none; the seeded flags go back as they were
    assert managed_share_set(firm=firm, share=0.0).households == 0
    assert managed_flags(firm=firm) == set()
    managed_flags_restore(firm=firm, managed=seeded)
    assert managed_flags(firm=firm) == seeded

    # when the book is measured plain and with 30 % of its accounts managed as one
    out = StringIO()
    call_command(
        "bench_nightly",
        "--accounts=30",
        "--firm=bench-hh",
        "--chunk-size=10",
        "--managed-households=0.3",
        stdout=out,
    )

    # then both runs are reported, with their rates and the ratio
    text = out.getvalue()
    assert "== plain: 0 of 30 accounts (0 %) in 0 households managed as one" in text
    managed = re.search(r"== households: (\d+) of 30 accounts .* in (\d+) households", text)
    assert managed is not None
    assert int(managed.group(1)) >= 9
    assert text.count("accounts per second   ") == 2
    assert re.search(r"plain \(0 % managed\)\s+\d+\.\d", text)
    assert re.search(r"households \(\d+ % managed\)\s+\d+\.\d", text)
    assert re.search(r"ratio households / plain\s+\d+\.\d\d", text)
    # and the second run solved each managed household as one, every account proposed
    as_of = Price.objects.aggregate(last=Max("date"))["last"]
    with firm_scope(firm):
        grouped = HouseholdProposal.objects.filter(firm=firm, as_of=as_of)
        assert grouped.count() == int(managed.group(2))
        assert set(grouped.values_list("optimizer_status", flat=True)) == {"optimal"}
        proposals = Proposal.objects.filter(firm=firm, as_of=as_of)
        assert proposals.count() == 30
        in_groups = proposals.filter(household_proposal__isnull=False).count()
        assert in_groups == int(managed.group(1))
    # and the book's own households are managed as before
    assert managed_flags(firm=firm) == seeded
    # and a sample of the book is solved again, account by account, by kind of account
    assert "solve time by kind of account (500 accounts sampled" in text
    sampled = re.search(r"\n  all\s+(\d+)\s+mean\s+\d+\.\d ms", text)
    assert sampled is not None and 25 <= int(sampled.group(1)) <= 30  # out of balance: left out
    assert re.search(r"\n  fund, taxable\s+\d+ \(\s*\d+ %\)\s+mean", text)


def test_a_share_outside_zero_to_one_is_refused_naming_the_option() -> None:
    with pytest.raises(CommandError, match="--managed-households"):
        call_command("bench_nightly", "--accounts=1", "--managed-households=1.5")
