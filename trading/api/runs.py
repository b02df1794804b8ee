"""Nightly runs: start one (or resume it) for a date, read their progress."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from firms.api.idempotency import idempotent
from firms.api.views import FirmAPIView
from firms.permissions import Action
from rebalancer.api.schema import CURSOR_PARAMETERS, example, page_of
from trading.models import Run, RunTrigger
from trading.selectors.runs import run_get, run_list, run_progress
from trading.services.runs import run_start
from trading.tasks import enqueue_chunks


class RunOutput(serializers.ModelSerializer):
    class Meta:
        model = Run
        fields = ["id", "as_of", "status", "trigger", "total_accounts", "started_at", "finished_at"]


RunDetailOutput = inline_serializer(
    "RunDetail",
    {
        **{name: field for name, field in RunOutput().get_fields().items()},
        "progress": serializers.DictField(
            child=serializers.IntegerField(),
            help_text="total, done, and a count per proposal status.",
        ),
    },
)
RUN = {
    "id": 3,
    "as_of": "2025-06-30",
    "status": "completed",
    "trigger": "api",
    "total_accounts": 2,
    "started_at": "2025-07-01T06:00:00Z",
    "finished_at": "2025-07-01T06:00:04Z",
}
PROGRESS = {"total": 2, "done": 2, "pending_review": 1, "no_trades": 1, "approved": 0}


def _detail(firm, run: Run) -> dict:
    return {**RunOutput(run).data, "progress": run_progress(firm=firm, run=run)}


class RunListStartApi(FirmAPIView):
    session_action = Action.VIEW_RUNS
    write_scope = "trade"
    write_action = Action.RERUN

    class RunStartInput(serializers.Serializer):
        as_of = serializers.DateField()
        account_numbers = serializers.ListField(
            child=serializers.CharField(max_length=40),
            required=False,
            max_length=10_000,
            help_text="Only these accounts (default: every active account).",
        )

    @extend_schema(
        operation_id="runs_list",
        tags=["Runs"],
        summary="List runs",
        description="The firm's runs, one per as-of date.",
        parameters=CURSOR_PARAMETERS,
        responses=page_of(RunOutput),
        examples=[example("Runs", {"next": None, "previous": None, "results": [RUN]})],
    )
    def get(self, request):
        return self.paginate(run_list(firm=self.firm), RunOutput)

    @extend_schema(
        operation_id="runs_start",
        tags=["Runs"],
        summary="Start (or resume) the run for a date",
        description="Scope `trade`, or a firm admin. Optimizes every active account without "
        "a proposal for `as_of`, in chunks on the workers (in-process when no broker is "
        "configured). Starting again resumes an interrupted run and is a no-op on a "
        "complete one. Read progress with GET /runs/{id}/.",
        request=RunStartInput,
        responses={202: RunDetailOutput},
        examples=[
            example("Start", {"as_of": "2025-06-30"}, request=True),
            example("Started", {**RUN, "progress": PROGRESS}, status=202),
        ],
    )
    @idempotent
    def post(self, request):
        data = self.RunStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        run, _ = run_start(
            firm=self.firm,
            as_of=data.validated_data["as_of"],
            trigger=RunTrigger.API,
            actor=self.actor,
            account_numbers=data.validated_data.get("account_numbers"),
            enqueue=enqueue_chunks,
        )
        run.refresh_from_db()
        return Response(_detail(self.firm, run), status=status.HTTP_202_ACCEPTED)


class RunDetailApi(FirmAPIView):
    session_action = Action.VIEW_RUNS

    @extend_schema(
        operation_id="runs_retrieve",
        tags=["Runs"],
        summary="Read a run and its progress",
        description="Status and a count of the date's proposals per status.",
        responses=RunDetailOutput,
        examples=[example("Run", {**RUN, "progress": PROGRESS})],
    )
    def get(self, request, run_id: int):
        return Response(_detail(self.firm, run_get(firm=self.firm, run_id=run_id)))
