from django.urls import path

from . import (
    blotters,
    corporate_actions,
    drift,
    gifts,
    household_proposals,
    ledger,
    proposals,
    reconciliation,
    runs,
)

urlpatterns = [
    path(
        "corporate-actions/",
        corporate_actions.CorporateActionListApi.as_view(),
        name="corporate-actions",
    ),
    path("transactions/bulk/", ledger.TransactionBulkApi.as_view(), name="transactions-bulk"),
    path("cash/bulk/", ledger.CashBulkApi.as_view(), name="cash-bulk"),
    path(
        "custodian-positions/bulk/",
        reconciliation.CustodianPositionsBulkApi.as_view(),
        name="custodian-positions-bulk",
    ),
    path(
        "reconciliations/", reconciliation.ReconciliationListApi.as_view(), name="reconciliations"
    ),
    path(
        "reconciliations/<int:reconciliation_id>/resolve/",
        reconciliation.ReconciliationResolveApi.as_view(),
        name="reconciliation-resolve",
    ),
    path(
        "accounts/<int:account_id>/transactions/",
        ledger.AccountTransactionsApi.as_view(),
        name="account-transactions",
    ),
    path("accounts/<int:account_id>/lots/", ledger.AccountLotsApi.as_view(), name="account-lots"),
    path(
        "accounts/<int:account_id>/positions/",
        ledger.AccountPositionsApi.as_view(),
        name="account-positions",
    ),
    path("accounts/<int:account_id>/drift/", drift.AccountDriftApi.as_view(), name="account-drift"),
    path("accounts/<int:account_id>/cash/", ledger.AccountCashApi.as_view(), name="account-cash"),
    path("accounts/<int:account_id>/gifts/", gifts.AccountGiftsApi.as_view(), name="account-gifts"),
    path(
        "accounts/<int:account_id>/gifts/<int:gift_id>/cancel/",
        gifts.AccountGiftCancelApi.as_view(),
        name="account-gift-cancel",
    ),
    path(
        "accounts/<int:account_id>/optimize/",
        proposals.AccountOptimizeApi.as_view(),
        name="account-optimize",
    ),
    path(
        "household-proposals/",
        household_proposals.HouseholdProposalListApi.as_view(),
        name="household-proposals",
    ),
    path(
        "households/<int:household_id>/proposal/",
        household_proposals.HouseholdProposalApi.as_view(),
        name="household-proposal",
    ),
    path(
        "households/<int:household_id>/proposal/approve/",
        household_proposals.HouseholdProposalApproveApi.as_view(),
        name="household-proposal-approve",
    ),
    path("proposals/", proposals.ProposalListApi.as_view(), name="proposals"),
    path("proposals/<int:proposal_id>/", proposals.ProposalDetailApi.as_view(), name="proposal"),
    path(
        "proposals/<int:proposal_id>/approve/",
        proposals.ProposalApproveApi.as_view(),
        name="proposal-approve",
    ),
    path(
        "proposals/<int:proposal_id>/reject/",
        proposals.ProposalRejectApi.as_view(),
        name="proposal-reject",
    ),
    path("blotters/", blotters.BlotterListCreateApi.as_view(), name="blotters"),
    path("blotters/<int:blotter_id>/", blotters.BlotterDetailApi.as_view(), name="blotter"),
    path(
        "blotters/<int:blotter_id>/approve/",
        blotters.BlotterApproveApi.as_view(),
        name="blotter-approve",
    ),
    path(
        "blotters/<int:blotter_id>/export/",
        blotters.BlotterExportApi.as_view(),
        name="blotter-export",
    ),
    path(
        "blotters/<int:blotter_id>/fills/",
        blotters.BlotterFillsApi.as_view(),
        name="blotter-fills",
    ),
    path("runs/", runs.RunListStartApi.as_view(), name="runs"),
    path("runs/<int:run_id>/", runs.RunDetailApi.as_view(), name="run"),
]
