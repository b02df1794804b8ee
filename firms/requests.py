"""What a page's request carries: the firm and membership `FirmMiddleware` sets, narrowed
by `login_required` and `firm_view`. Types for annotations; no behaviour."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest

from firms.models import Firm, Membership
from rebalancer.actors import Actor


class MemberRequest(HttpRequest):
    """A request past `FirmMiddleware`: the firm the person works in and their membership
    of it (both None when signed out or a member of no firm)."""

    firm: Firm | None
    membership: Membership | None
    actor: Actor | None


class SignedInRequest(MemberRequest):
    """A request past `login_required`."""

    user: User
    actor: Actor


class FirmRequest(SignedInRequest):
    """A request past `firm_view`: signed in, a member of ``firm`` as ``membership``."""

    firm: Firm
    membership: Membership
