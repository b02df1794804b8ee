"""Every page and action of the web UI, built for one book, with who may use it."""

from __future__ import annotations

from django.urls import reverse

ALL = {"admin", "advisor", "modeler", "trader", "compliance"}
BOOK_READERS = ALL
MODEL_READERS = {"admin", "advisor", "modeler", "compliance"}
RUN_READERS = {"admin", "advisor", "compliance"}
BLOTTER_READERS = {"admin", "trader", "compliance"}
AUDIT_READERS = {"admin", "compliance"}
REVIEWERS = {"admin", "advisor"}
MANAGERS = {"admin", "modeler"}
TRADERS = {"admin", "trader"}


def pages(book, *, blotter=None) -> list[tuple[str, str, set[str]]]:
    """(name, url, roles that may open it) for every page about ``book``'s objects."""
    account = book.accounts[0]
    proposal = book.proposals[0]
    household = account.household_id
    rows = [
        ("dashboard", reverse("dashboard"), BOOK_READERS),
        ("households", reverse("households"), BOOK_READERS),
        ("household", reverse("household_detail", args=[household]), BOOK_READERS),
        ("household prefs", reverse("household_preferences", args=[household]), BOOK_READERS),
        ("accounts", reverse("accounts"), BOOK_READERS),
        ("account", reverse("account_detail", args=[account.pk]), BOOK_READERS),
        ("account prefs", reverse("account_preferences", args=[account.pk]), BOOK_READERS),
        ("account history", reverse("account_history", args=[account.pk]), BOOK_READERS),
        ("proposals", reverse("proposals"), BOOK_READERS),
        ("proposal", reverse("proposal_detail", args=[proposal.pk]), BOOK_READERS),
        ("models", reverse("models"), MODEL_READERS),
        ("equivalence sets", reverse("equivalence_sets"), MODEL_READERS),
        ("model", reverse("model_detail", args=[book.model.pk]), MODEL_READERS),
        ("version", reverse("version_detail", args=[book.version.pk]), MODEL_READERS),
        ("compare", reverse("versions_compare", args=[book.model.pk]), MODEL_READERS),
        ("draft", reverse("draft_edit", args=[book.model.pk]), MANAGERS),
        ("blotters", reverse("blotters"), BLOTTER_READERS),
        ("runs", reverse("runs"), RUN_READERS),
        ("reconciliation", reverse("reconciliation"), BLOTTER_READERS),
        ("run", reverse("run_detail", args=[book.run.pk]), RUN_READERS),
        ("run progress", reverse("run_progress", args=[book.run.pk]), RUN_READERS),
        ("audit", reverse("audit_log"), AUDIT_READERS),
    ]
    if blotter is not None:
        rows.append(("blotter", reverse("blotter_detail", args=[blotter.pk]), BLOTTER_READERS))
    return rows


def object_pages(book, *, blotter=None) -> list[tuple[str, str]]:
    """The pages naming one of ``book``'s objects (another firm must get 404 on each)."""
    lists = {
        "dashboard",
        "households",
        "accounts",
        "proposals",
        "models",
        "equivalence sets",
        "blotters",
        "runs",
        "reconciliation",
    }
    return [(n, u) for n, u, _ in pages(book, blotter=blotter) if n not in lists | {"audit"}]
