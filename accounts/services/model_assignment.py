"""Which model an account follows: assigning one, with its audit record."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Account, ModelAssignment
from firms.models import Firm
from firms.services.audit import audit_record
from models_library.models import ModelPortfolio
from models_library.selectors.resolution import latest_published
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed


@transaction.atomic
def model_assign(
    *, firm: Firm, actor: Actor, account: Account, model: ModelPortfolio
) -> ModelAssignment:
    if account.firm_id != firm.pk or model.firm_id != firm.pk:
        raise DomainError("Not found.")
    if latest_published(model) is None:
        raise ValidationFailed([(None, "model", f"'{model}' has no published version yet")])
    existing = ModelAssignment.objects.filter(account=account).first()
    before = {"model": existing.model_id} if existing else None
    assignment, _ = ModelAssignment.objects.update_or_create(
        account=account, defaults={"firm": firm, "model": model, "assigned_by": actor.user}
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="model.assign",
        obj=account,
        before=before,
        after={"model": model.pk},
        account_id=account.pk,
    )
    return assignment
