"""A firm's review rules, changed by its firm admins (each change audited): the turnover
and tax above which a proposal is flagged, and the flags that do not keep a proposal out
of bulk approval (`firms.review_rules`). They apply to proposals from the next run on; a
flag already on a proposal stays, and the proposals list reads the rules as they are now.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import transaction

from firms.models import Firm
from firms.review_rules import BULK_APPROVABLE_FLAGS
from firms.services.audit import audit_record, snapshot
from money import CENT
from rebalancer.actors import Actor
from rebalancer.errors import ValidationFailed

REVIEW_FIELDS = ["turnover_flag_threshold", "tax_flag_threshold_usd", "bulk_approvable_flags"]
TURNOVER_STEP = Decimal("0.0001")
MAX_TAX_THRESHOLD_USD = Decimal("999999999999.99")
"""The largest tax threshold the field holds (14 digits, 2 of them cents)."""


@transaction.atomic
def firm_review_rules_update(
    *,
    firm: Firm,
    actor: Actor,
    turnover_flag_threshold: Decimal | str,
    tax_flag_threshold_usd: Decimal | str,
    bulk_approvable_flags: Iterable[str],
) -> Firm:
    """Set the firm's review rules. The turnover threshold is a fraction of the account
    (0 to 1, at most 4 decimal places), the tax threshold dollars (0 or more, whole cents);
    each bulk-approvable flag must be one of `BULK_APPROVABLE_FLAGS`."""
    errors: list[tuple[int | None, str | None, str]] = []
    turnover = _decimal(turnover_flag_threshold)
    if turnover is None or not Decimal(0) <= turnover <= Decimal(1):
        errors.append((None, "turnover_flag_threshold", "must be a fraction from 0 to 1"))
    elif turnover != turnover.quantize(TURNOVER_STEP):
        errors.append((None, "turnover_flag_threshold", "has at most 4 decimal places"))
    tax = _decimal(tax_flag_threshold_usd)
    if tax is None or not Decimal(0) <= tax <= MAX_TAX_THRESHOLD_USD:
        errors.append((None, "tax_flag_threshold_usd", "must be an amount in dollars, 0 or more"))
    elif tax != tax.quantize(CENT):
        errors.append((None, "tax_flag_threshold_usd", "is in whole cents"))
    flags = sorted(set(bulk_approvable_flags))
    unknown = [flag for flag in flags if flag not in BULK_APPROVABLE_FLAGS]
    if unknown:
        errors.append(
            (
                None,
                "bulk_approvable_flags",
                f"{', '.join(unknown)}: not a flag bulk approval may let through (one of "
                f"{', '.join(BULK_APPROVABLE_FLAGS)})",
            )
        )
    if errors or turnover is None or tax is None:
        raise ValidationFailed(errors)
    locked = Firm.objects.select_for_update().get(pk=firm.pk)
    before = snapshot(locked, fields=REVIEW_FIELDS)
    # as the columns hold them (4 places, cents), so the audit's after reads as stored
    locked.turnover_flag_threshold = turnover = turnover.quantize(TURNOVER_STEP)
    locked.tax_flag_threshold_usd = tax = tax.quantize(CENT)
    locked.bulk_approvable_flags = flags
    locked.save(update_fields=REVIEW_FIELDS)
    let_through = ", ".join(flags) if flags else "none"
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.review_rules_update",
        obj=locked,
        before=before,
        after=snapshot(locked, fields=REVIEW_FIELDS),
        note=f"Review rules: flagged above {(turnover * 100).normalize():f} % turnover or "
        f"${tax:,.2f} of tax; "
        f"bulk approval lets through: {let_through}.",
    )
    firm.turnover_flag_threshold = locked.turnover_flag_threshold
    firm.tax_flag_threshold_usd = locked.tax_flag_threshold_usd
    firm.bulk_approvable_flags = locked.bulk_approvable_flags
    return locked


def _decimal(value: Decimal | str) -> Decimal | None:
    """`value` as a finite Decimal, or None where it is not a number."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None
