"""A firm admin resets a member's multi-factor sign-in (a lost phone, and the recovery codes
lost too): the member's authenticator and recovery codes are deleted, and their open
sessions end (whoever holds the lost phone may hold a session too). They sign in with
their password again, and when a firm of theirs requires multi-factor sign-in they are sent
to set it up at their next page.

The second factor belongs to the person, not to a firm: for someone who works in several
firms, an admin of any of them may reset it. The event is recorded in the admin's firm.
"""

from __future__ import annotations

from django.db import transaction

from firms.models import Firm, MfaDevice
from firms.selectors.memberships import firm_member_get
from firms.selectors.mfa import recovery_codes_left
from firms.services.audit import audit_record
from firms.services.sessions import sessions_end
from rebalancer.actors import Actor
from rebalancer.errors import DomainError

OWN_RESET = (
    "You cannot reset your own multi-factor sign-in here: turn it off or make new recovery "
    "codes on your Security page."
)


@transaction.atomic
def mfa_reset(*, firm: Firm, actor: Actor, user_id: int) -> None:
    """Delete the authenticator and recovery codes of ``firm``'s active member ``user_id``,
    audited in ``firm`` as ``mfa.reset`` by ``actor``. Http404 for someone who is not an
    active member of ``firm``; DomainError for the actor themselves, or a member with
    nothing to reset. The caller checks that ``actor`` may manage ``firm``."""
    member = firm_member_get(firm=firm, user_id=user_id)
    if member.user_id == actor.user_id:
        raise DomainError(OWN_RESET)
    username = member.user.get_username()
    device = MfaDevice.objects.select_for_update().filter(user_id=user_id).first()
    if device is None:
        raise DomainError(f"{username} does not use multi-factor sign-in: nothing to reset.")
    before = {
        "mfa": device.confirmed_at is not None,
        "confirmed_at": device.confirmed_at,
        "recovery_codes_left": recovery_codes_left(device=device),
    }
    device.delete()
    ended = sessions_end(user_id=user_id)
    audit_record(
        firm=firm,
        actor=actor,
        action="mfa.reset",
        object_type="firms.MfaDevice",
        object_id=str(user_id),
        object_repr=f"Multi-factor sign-in of {username}",
        before=before,
        after={"mfa": False, "sessions_ended": ended},
        note=f"{actor.label} reset the multi-factor sign-in of {username}.",
    )
