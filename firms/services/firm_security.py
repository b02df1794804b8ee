"""A firm's security settings, changed by its firm admins."""

from __future__ import annotations

from django.db import transaction

from firms.models import Firm
from firms.services.audit import audit_record, snapshot
from rebalancer.actors import Actor

SECURITY_FIELDS = ["require_mfa"]


@transaction.atomic
def firm_security_update(*, firm: Firm, actor: Actor, require_mfa: bool) -> Firm:
    """Set whether everyone in ``firm`` must use multi-factor sign-in (audited)."""
    locked = Firm.objects.select_for_update().get(pk=firm.pk)
    before = snapshot(locked, fields=SECURITY_FIELDS)
    locked.require_mfa = require_mfa
    locked.save(update_fields=SECURITY_FIELDS)
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.security_update",
        obj=locked,
        before=before,
        after=snapshot(locked, fields=SECURITY_FIELDS),
    )
    firm.require_mfa = require_mfa
    return locked
