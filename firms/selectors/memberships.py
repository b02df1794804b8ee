"""Who works where, in which role."""

from __future__ import annotations

from django.contrib.auth.models import User

from firms.models import Firm, Membership
from rebalancer.tenancy import get_for_firm_or_404


def membership_for_request(*, user: User, firm_id: int | None) -> Membership | None:
    """The active membership the user works in: the session's firm if theirs, else the first."""
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("firm")
    if firm_id is not None:
        chosen = memberships.filter(firm_id=firm_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("id").first()


def firm_member_get(*, firm: Firm, user_id: int) -> Membership:
    """The active membership of the person ``user_id`` in ``firm``, or Http404 (also for
    someone who works only in another firm)."""
    members = Membership.objects.filter(is_active=True).select_related("user")
    return get_for_firm_or_404(members, firm=firm, user_id=user_id)
