from django.urls import path

from trading.views import blotters, proposals, reconciliation, runs

urlpatterns = [
    path("proposals/", proposals.proposals, name="proposals"),
    path(
        "proposals/bulk-approve/",
        proposals.proposals_bulk_approve_view,
        name="proposals_bulk_approve",
    ),
    path("proposals/<int:proposal_id>/", proposals.proposal_detail, name="proposal_detail"),
    path(
        "proposals/<int:proposal_id>/approve/",
        proposals.proposal_approve_view,
        name="proposal_approve",
    ),
    path(
        "proposals/<int:proposal_id>/report/",
        proposals.proposal_report,
        name="proposal_report",
    ),
    path(
        "proposals/<int:proposal_id>/unapprove/",
        proposals.proposal_unapprove_view,
        name="proposal_unapprove",
    ),
    path(
        "proposals/<int:proposal_id>/reject/",
        proposals.proposal_reject_view,
        name="proposal_reject",
    ),
    path("trades/<int:trade_id>/edit/", proposals.trade_edit, name="trade_edit"),
    path(
        "accounts/<int:account_id>/reoptimize/",
        proposals.account_reoptimize,
        name="account_reoptimize",
    ),
    path("blotters/", blotters.blotters, name="blotters"),
    path("blotters/new/", blotters.blotter_create_view, name="blotter_create"),
    path("blotters/<int:blotter_id>/", blotters.blotter_detail, name="blotter_detail"),
    path(
        "blotters/<int:blotter_id>/approve/",
        blotters.blotter_approve_view,
        name="blotter_approve",
    ),
    path(
        "blotters/<int:blotter_id>/approve/confirm/",
        blotters.blotter_approve_confirm,
        name="blotter_approve_confirm",
    ),
    path(
        "blotters/<int:blotter_id>/order-terms/",
        blotters.blotter_order_terms_view,
        name="blotter_order_terms",
    ),
    path(
        "blotters/<int:blotter_id>/orders/<int:order_id>/hold/",
        blotters.blotter_order_hold_view,
        name="blotter_order_hold",
    ),
    path("blotters/<int:blotter_id>/export/", blotters.blotter_export_view, name="blotter_export"),
    path("blotters/<int:blotter_id>/fills/", blotters.blotter_import_view, name="blotter_import"),
    path("reconciliation/", reconciliation.reconciliation, name="reconciliation"),
    path(
        "reconciliation/import/",
        reconciliation.reconciliation_import_view,
        name="reconciliation_import",
    ),
    path(
        "reconciliation/<int:reconciliation_id>/resolve/",
        reconciliation.reconciliation_resolve_view,
        name="reconciliation_resolve",
    ),
    path("runs/", runs.runs, name="runs"),
    path("runs/now/", runs.run_now_view, name="run_now"),
    path("runs/<int:run_id>/", runs.run_detail, name="run_detail"),
    path("runs/<int:run_id>/progress/", runs.run_progress_partial, name="run_progress"),
    path("runs/<int:run_id>/rerun-failed/", runs.run_rerun_view, name="run_rerun_failed"),
]
