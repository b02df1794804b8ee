"""A model's own settings beside its versions: its default tracking-error limit. Audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import ModelPortfolio
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed


def _limit(value: Decimal | str | None) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise ValidationFailed(
            [(None, "tracking_error_limit_pct", "is not a number (percent a year)")]
        )
    return number


@transaction.atomic
def model_tracking_error_limit_set(
    *, firm: Firm, actor: Actor, model: ModelPortfolio, limit_pct: Decimal | str | None
) -> ModelPortfolio:
    """Set (or clear, with None) the tracking-error limit in %/yr that ``model`` gives the
    accounts following it that set none of their own."""
    if model.firm_id != firm.pk:
        raise DomainError("Not found.")
    locked = ModelPortfolio.objects.select_for_update().get(pk=model.pk)
    before = locked.tracking_error_limit_pct
    locked.tracking_error_limit_pct = _limit(limit_pct)
    others = [f.name for f in locked._meta.fields if f.name != "tracking_error_limit_pct"]
    try:
        locked.clean_fields(exclude=others)
    except ValidationError as exc:
        raise ValidationFailed(
            [(None, name, " ".join(messages)) for name, messages in exc.message_dict.items()]
        ) from exc
    locked.save(update_fields=["tracking_error_limit_pct"])
    locked.refresh_from_db(fields=["tracking_error_limit_pct"])
    after = locked.tracking_error_limit_pct
    if before != after:
        audit_record(
            firm=firm,
            actor=actor,
            action="model.update",
            obj=locked,
            before={"tracking_error_limit_pct": None if before is None else str(before)},
            after={"tracking_error_limit_pct": None if after is None else str(after)},
        )
    return locked
