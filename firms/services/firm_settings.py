"""A firm's operating settings, changed by its firm admins (each change audited): the
nightly run's local time and time zone (read by ``trading.services.schedule.firms_due``)
and the four-eyes rule on blotters.

Four eyes: turning it on is immediate; turning it off is a request that another firm admin
(a different person) approves. Until then it stays on.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from firms.models import Firm, FourEyesOffRequest, FourEyesOffStatus
from firms.services.audit import audit_record, snapshot
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed

SCHEDULE_FIELDS = ["nightly_run_time", "timezone"]


def _locked(firm: Firm) -> Firm:
    return Firm.objects.select_for_update().get(pk=firm.pk)


@transaction.atomic
def firm_schedule_update(
    *, firm: Firm, actor: Actor, nightly_run_time: dt.time | None, time_zone: str
) -> Firm:
    """Set the local time and the time zone of the firm's nightly run."""
    errors: list[tuple[int | None, str | None, str]] = []
    if nightly_run_time is None:
        errors.append((None, "nightly_run_time", "is required (HH:MM, 24-hour)"))
    time_zone = time_zone.strip()
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.append(
            (None, "timezone", f"'{time_zone}' is not a known time zone (e.g. America/New_York)")
        )
    if errors or nightly_run_time is None:
        raise ValidationFailed(errors)
    locked = _locked(firm)
    before = snapshot(locked, fields=SCHEDULE_FIELDS)
    locked.nightly_run_time = nightly_run_time
    locked.timezone = time_zone
    locked.save(update_fields=SCHEDULE_FIELDS)
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.schedule_update",
        obj=locked,
        before=before,
        after=snapshot(locked, fields=SCHEDULE_FIELDS),
        note=f"Nightly run at {nightly_run_time:%H:%M} {time_zone}.",
    )
    firm.nightly_run_time, firm.timezone = locked.nightly_run_time, locked.timezone
    return locked


def _set_four_eyes(locked: Firm, firm: Firm, on: bool) -> None:
    locked.require_four_eyes = on
    locked.save(update_fields=["require_four_eyes"])
    firm.require_four_eyes = on


def pending_four_eyes_off(*, firm: Firm) -> FourEyesOffRequest | None:
    return (
        FourEyesOffRequest.objects.select_related("requested_by")
        .filter(firm=firm, status=FourEyesOffStatus.PENDING)
        .first()
    )


@transaction.atomic
def four_eyes_turn_on(*, firm: Firm, actor: Actor) -> Firm:
    """Require a second trader's approval of each blotter, at once."""
    locked = _locked(firm)
    if locked.require_four_eyes:
        raise InvalidTransition("four eyes is already on")
    _set_four_eyes(locked, firm, True)
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.four_eyes_on",
        obj=locked,
        before={"require_four_eyes": False},
        after={"require_four_eyes": True},
        note=f"{actor.label} turned four eyes on.",
    )
    return locked


@transaction.atomic
def four_eyes_off_request(*, firm: Firm, actor: Actor, reason: str = "") -> FourEyesOffRequest:
    """Ask to turn four eyes off; it stays on until another admin approves."""
    locked = _locked(firm)
    if not locked.require_four_eyes:
        raise InvalidTransition("four eyes is already off")
    if actor.user is None:
        raise DomainError("Only a person may ask to turn four eyes off.")
    reason = reason.strip()
    if len(reason) > 300:
        raise ValidationFailed([(None, "reason", "is at most 300 characters")])
    try:
        with transaction.atomic():
            request = FourEyesOffRequest.objects.create(
                firm=locked, requested_by=actor.user, reason=reason
            )
    except IntegrityError as exc:
        raise InvalidTransition("a request to turn four eyes off is already waiting") from exc
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.four_eyes_off_request",
        obj=request,
        after={"status": request.status, "reason": reason},
        note=f"{actor.label} asked to turn four eyes off; another admin must approve.",
    )
    return request


def _pending(firm: Firm, request_id: int) -> FourEyesOffRequest:
    request = (
        FourEyesOffRequest.objects.select_for_update().filter(firm=firm, pk=request_id).first()
    )
    if request is None:
        raise DomainError("No such request.")
    if request.status != FourEyesOffStatus.PENDING:
        raise InvalidTransition(f"this request is already {request.get_status_display().lower()}")
    return request


def _decide(request: FourEyesOffRequest, actor: Actor, status: str) -> None:
    request.status = status
    request.decided_by = actor.user
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])


@transaction.atomic
def four_eyes_off_approve(*, firm: Firm, actor: Actor, request_id: int) -> Firm:
    """A second admin approves: four eyes is off."""
    from firms.permissions import Action, user_may

    locked = _locked(firm)
    request = _pending(locked, request_id)
    if actor.user is None or actor.user_id == request.requested_by_id:
        raise DomainError(
            "A second firm admin must approve: you asked to turn four eyes off yourself."
        )
    if not user_may(firm=locked, user=actor.user, action=Action.MANAGE_FIRM):
        raise DomainError("Only a firm admin may approve.")
    _decide(request, actor, FourEyesOffStatus.APPROVED)
    _set_four_eyes(locked, firm, False)
    audit_record(
        firm=locked,
        actor=actor,
        action="firm.four_eyes_off",
        obj=locked,
        before={"require_four_eyes": True},
        after={"require_four_eyes": False},
        note=f"{actor.label} approved {request.requested_by.get_username()}'s request: "
        "four eyes is off.",
    )
    return locked


@transaction.atomic
def four_eyes_off_cancel(*, firm: Firm, actor: Actor, request_id: int) -> FourEyesOffRequest:
    """Withdraw (the asker) or decline (another admin) a waiting request: four eyes stays on."""
    request = _pending(firm, request_id)
    _decide(request, actor, FourEyesOffStatus.CANCELLED)
    audit_record(
        firm=firm,
        actor=actor,
        action="firm.four_eyes_off_cancel",
        obj=request,
        before={"status": FourEyesOffStatus.PENDING},
        after={"status": FourEyesOffStatus.CANCELLED},
        note=f"{actor.label} cancelled the request to turn four eyes off; it stays on.",
    )
    return request
