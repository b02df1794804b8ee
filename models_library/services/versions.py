"""Editing drafts, publishing versions and assigning models. Every change is audited.

A published version never changes. Saving a draft and publishing take the same locks in
the same order (the model's row, then the version's), so one waits for the other; after
taking them each re-reads the version's status, and publishing is a conditional update
that must hit exactly one draft row. The database refuses any change to a published
version's lines itself (migration 0002), whatever the code above it does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import ModelLine, ModelPortfolio, ModelVersion, Security, VersionStatus
from models_library.selectors.resolution import ONE, version_security_weights
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed
from rebalancer.transitions import transition


def _lines_snapshot(lines: list[ModelLine]) -> list[dict]:
    return [
        {
            "security": line.security.symbol if line.security is not None else None,
            "sub_model": line.sub_model_id,
            "weight": str(line.weight),
        }
        for line in lines
    ]


@transaction.atomic
def model_create(*, firm: Firm, actor: Actor, name: str, description: str = "") -> ModelPortfolio:
    name = name.strip()
    if not name:
        raise ValidationFailed([(None, "name", "is required")])
    if ModelPortfolio.objects.for_firm(firm).filter(name=name).exists():
        raise ValidationFailed([(None, "name", f"a model named '{name}' already exists")])
    model = ModelPortfolio.objects.create(
        firm=firm, name=name, description=description, created_by=actor.user
    )
    audit_record(firm=firm, actor=actor, action="model.create", obj=model, after={"name": name})
    return model


def _parse_lines(*, firm: Firm, model: ModelPortfolio, rows: list[dict]) -> list[ModelLine]:
    """Validate every row ({security|sub_model, weight}); collect all errors, then raise."""
    errors: list[tuple[int | None, str | None, str]] = []
    lines: list[ModelLine] = []
    seen: set[tuple[str, object]] = set()
    symbols = {str(r.get("security", "")).strip().upper() for r in rows if r.get("security")}
    securities = {s.symbol: s for s in Security.objects.filter(symbol__in=symbols)}
    sub_ids = {r["sub_model"] for r in rows if r.get("sub_model")}
    subs = {m.pk: m for m in ModelPortfolio.objects.for_firm(firm).filter(pk__in=sub_ids)}
    for row_no, row in enumerate(rows, start=1):
        symbol = str(row.get("security") or "").strip().upper()
        sub_id = row.get("sub_model")
        if bool(symbol) == bool(sub_id):
            errors.append((row_no, "security", "give exactly one of security or sub_model"))
            continue
        try:
            weight = Decimal(str(row.get("weight")))
        except (InvalidOperation, ValueError):
            errors.append((row_no, "weight", "is not a number"))
            continue
        if not (Decimal("0") < weight <= ONE):
            errors.append((row_no, "weight", "must be greater than 0 and at most 1"))
            continue
        if symbol and symbol not in securities:
            errors.append((row_no, "security", f"'{symbol}' is not in the security master"))
            continue
        if sub_id and sub_id not in subs:
            errors.append((row_no, "sub_model", f"model {sub_id} not found"))
            continue
        if sub_id == model.pk:
            errors.append((row_no, "sub_model", "a model cannot contain itself"))
            continue
        key = ("security", symbol) if symbol else ("sub_model", sub_id)
        if key in seen:
            errors.append((row_no, key[0], "appears twice"))
            continue
        seen.add(key)
        lines.append(
            ModelLine(
                firm=firm,
                security=securities.get(symbol),
                sub_model=subs.get(sub_id) if sub_id else None,
                weight=weight,
            )
        )
    total = sum((line.weight for line in lines), Decimal("0"))
    if total > ONE:
        errors.append((None, "weight", f"weights sum to {total * 100:.4f} %, more than 100 %"))
    if errors:
        raise ValidationFailed(errors)
    return lines


def _model_lock(model_id: int) -> None:
    """The first lock of every change to a model's versions: the model's row."""
    ModelPortfolio.objects.select_for_update().get(pk=model_id)


def _version_lock(version_id: int) -> ModelVersion:
    """The second lock: the version's row, re-read now that no one else can change it."""
    return ModelVersion.objects.select_for_update().get(pk=version_id)


def _draft_for_save(*, model: ModelPortfolio, version: ModelVersion | None) -> ModelVersion | None:
    """The draft to replace (locked), or None to start one. ``version`` is the draft the
    caller was editing; it must still be a draft of ``model``."""
    if version is None:
        current = model.versions.filter(status=VersionStatus.DRAFT).values_list("pk", flat=True)
        version_id = current.first()
        return _version_lock(version_id) if version_id is not None else None
    if version.model_id != model.pk:
        raise DomainError("Not found.")
    locked = _version_lock(version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise InvalidTransition(
            f"Draft v{locked.number} has been {locked.status} since you opened it; a "
            f"{locked.status} version never changes. Reload the editor to start a new draft "
            "from it."
        )
    return locked


@transaction.atomic
def draft_save(
    *,
    firm: Firm,
    actor: Actor,
    model: ModelPortfolio,
    rows: list[dict],
    note: str = "",
    version: ModelVersion | None = None,
) -> ModelVersion:
    """Create or replace the model's draft with ``rows``; checks weights and cycles.

    ``version`` is the draft the caller was editing: if it is no longer a draft (it was
    published meanwhile) nothing is saved and InvalidTransition says so. Without it the
    model's current draft, if any, is replaced.
    """
    if model.firm_id != firm.pk:
        raise DomainError("Not found.")
    if not rows:
        raise ValidationFailed(
            [(None, None, "A draft needs at least one line: a security or a model, with a weight.")]
        )
    lines = _parse_lines(firm=firm, model=model, rows=rows)
    _model_lock(model.pk)
    draft = _draft_for_save(model=model, version=version)
    before = _lines_snapshot(list(draft.lines.select_related("security"))) if draft else None
    if draft is None:
        number = (model.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ModelVersion.objects.create(
            firm=firm, model=model, number=number, note=note, created_by=actor.user
        )
    else:
        draft.lines.all().delete()
        if note:
            draft.note = note
            draft.save(update_fields=["note"])
    for line in lines:
        line.version = draft
    ModelLine.objects.bulk_create(lines)
    version_security_weights(version=draft)  # raises on a cycle through sub-models
    audit_record(
        firm=firm,
        actor=actor,
        action="model_version.draft_save",
        obj=draft,
        before=before,
        after=_lines_snapshot(lines),
    )
    return draft


@transaction.atomic
def version_publish(*, firm: Firm, actor: Actor, version: ModelVersion) -> ModelVersion:
    """Publish a draft. Fails if it is not (or no longer) a draft of ``firm``.

    Takes the draft save's locks first, so the lines it checks, resolves and audits are
    the lines it publishes.
    """
    if version.firm_id != firm.pk:
        raise DomainError("Not found.")
    _model_lock(version.model_id)
    refused = "Only a draft can be published; this version is already published."
    if _version_lock(version.pk).status != VersionStatus.DRAFT:
        raise InvalidTransition(refused)
    if not version.lines.exists():
        raise ValidationFailed([(None, "lines", "a version needs at least one line")])
    weights = version_security_weights(version=version)
    now = timezone.now()
    transition(
        ModelVersion.objects.filter(pk=version.pk, firm=firm),
        expected=VersionStatus.DRAFT,
        to=VersionStatus.PUBLISHED,
        conflict=refused,
        published_at=now,
        published_by=actor.user,
    )
    version.refresh_from_db()
    audit_record(
        firm=firm,
        actor=actor,
        action="model_version.publish",
        obj=version,
        before={"status": VersionStatus.DRAFT},
        after={"status": VersionStatus.PUBLISHED, "weights": weights},
    )
    return version
