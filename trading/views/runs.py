"""Operations: nightly runs, one run's live progress (HTMX polling), failures with their
reasons, and rerunning the failed accounts."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors.scope import sees_only_own_households
from firms.permissions import Action, can, require
from firms.requests import FirmRequest
from firms.web import error_lines, firm_view, paginate
from rebalancer.errors import DomainError
from trading.models import RunStatus
from trading.selectors.runs import run_chunk_counts, run_failures, run_get, run_list, run_progress
from trading.services.run_now import account_numbers_parse, run_now
from trading.tasks import enqueue_chunks, rerun_failed_accounts


@firm_view(Action.VIEW_RUNS)
def runs(request: FirmRequest) -> HttpResponse:
    return _runs_page(request)


def _runs_page(request: FirmRequest, *, accounts: str = "", errors=None, status: int = 200):
    return render(
        request,
        "trading/runs.html",
        {
            "page": paginate(request, run_list(firm=request.firm)),
            "can_run": can(request.membership, Action.RERUN),
            "accounts": accounts,
            "run_errors": errors or [],
        },
        status=status,
    )


@require_POST
@firm_view()
def run_now_view(request: FirmRequest) -> HttpResponse:
    """Start today's run for the firm or the account numbers given; off to its live page."""
    require(request.membership, Action.VIEW_RUNS)
    require(request.membership, Action.RERUN)
    text = request.POST.get("accounts", "")
    try:
        run, chunk_ids = run_now(
            firm=request.firm,
            actor=request.actor,
            account_numbers=account_numbers_parse(text),
            enqueue=enqueue_chunks,
        )
    except DomainError as exc:
        return _runs_page(request, accounts=text, errors=error_lines(exc), status=400)
    if chunk_ids:
        messages.success(request, f"Run for {run.as_of:%Y-%m-%d} started.")
    else:
        messages.info(
            request,
            f"Nothing to start: every chosen account already has a proposal for "
            f"{run.as_of:%Y-%m-%d}.",
        )
    return redirect("run_detail", run.pk)


def _progress_context(request: FirmRequest, run) -> dict:
    progress = run_progress(firm=request.firm, run=run)
    total = progress["total"] or 1
    return {
        "run": run,
        "progress": progress,
        "percent": round(100 * progress["done"] / total),
        "chunks": run_chunk_counts(run=run),
        "running": run.status == RunStatus.RUNNING,
    }


@firm_view()
def run_detail(request: FirmRequest, run_id: int) -> HttpResponse:
    """The run's progress (the firm's whole run: counts only) and its failed accounts,
    limited to those the member may see (an advisor scoped to their households sees
    only theirs)."""
    run = run_get(firm=request.firm, run_id=run_id)
    require(request.membership, Action.VIEW_RUNS)
    context = _progress_context(request, run)
    failures = run_failures(firm=request.firm, run=run, membership=request.membership)
    context["failures"] = failures[:200]
    context["failures_scoped"] = sees_only_own_households(request.membership)
    return render(request, "trading/run_detail.html", context)


@firm_view()
def run_progress_partial(request: FirmRequest, run_id: int) -> HttpResponse:
    """The progress block alone; the page polls it every two seconds while the run runs."""
    run = run_get(firm=request.firm, run_id=run_id)
    require(request.membership, Action.VIEW_RUNS)
    return render(request, "trading/_run_progress.html", _progress_context(request, run))


@require_POST
@firm_view()
def run_rerun_view(request: FirmRequest, run_id: int) -> HttpResponse:
    """Queue the rerun of every failed account; the run's page shows the outcome."""
    run = run_get(firm=request.firm, run_id=run_id)
    require(request.membership, Action.VIEW_RUNS)
    require(request.membership, Action.RERUN)
    failed = run_failures(firm=request.firm, run=run).count()
    if not failed:
        messages.info(request, "No failed account to rerun.")
        return redirect("run_detail", run.pk)
    firm_id, user_id = request.firm.pk, request.user.pk
    transaction.on_commit(lambda: rerun_failed_accounts.delay(firm_id, run.pk, user_id))
    messages.success(
        request,
        f"Rerunning {failed} failed account(s) in the background: reload this page to see "
        "what is still failing.",
    )
    return redirect("run_detail", run.pk)
