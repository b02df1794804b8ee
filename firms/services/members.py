"""A firm's people: inviting a member, changing a member's role, removing a member.

A firm always keeps at least one active firm admin: the last one can be neither demoted nor
removed (so an admin leaves only once another admin is in place). An invited person gets a
user with no usable password and a one-time link to set one; the link stops working once
the password is set (Django's password-reset tokens hash the password).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from firms.models import Firm, Membership, Role
from firms.services.audit import audit_record
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, ValidationFailed

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789.@+-_")


@dataclass(frozen=True)
class Invitation:
    membership: Membership
    set_password_path: str  # shown once to the admin, to pass on to the person


def set_password_path(user) -> str:
    """The one-time path where ``user`` sets their password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("set_password", args=[uid, token])


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(
            [(None, "role", f"choose one of {', '.join(str(r.label) for r in Role)}")]
        )


def _active_admins(firm: Firm) -> list[int]:
    """Lock the firm's active admin memberships and return their ids."""
    return list(
        Membership.objects.select_for_update()
        .filter(firm=firm, is_active=True, role=Role.FIRM_ADMIN)
        .values_list("pk", flat=True)
    )


def _member(firm: Firm, user_id: int) -> Membership:
    member = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(firm=firm, user_id=user_id, is_active=True)
        .exclude(user__api_key__isnull=False)
        .first()
    )
    if member is None:
        raise DomainError("No such member of this firm.", field="member")
    return member


@transaction.atomic
def member_invite(*, firm: Firm, actor: Actor, username: str, email: str, role: str) -> Invitation:
    """Create a person with ``role`` in ``firm`` and the one-time link to set their password."""
    username = username.strip().lower()
    email = email.strip()
    errors: list[tuple[int | None, str | None, str]] = []
    if not username or len(username) > 150 or not set(username) <= USERNAME_CHARS:
        errors.append(
            (None, "username", "is required: letters, digits and . @ + - _ (150 at most)")
        )
    elif get_user_model().objects.filter(username__iexact=username).exists():
        errors.append((None, "username", f"'{username}' is taken; choose another"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append((None, "email", f"'{email}' is not an email address"))
    if role not in Role.values:
        errors.append((None, "role", f"choose one of {', '.join(str(r.label) for r in Role)}"))
    if errors:
        raise ValidationFailed(errors)
    user = get_user_model().objects.create(username=username, email=email)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    membership = Membership.objects.create(user=user, firm=firm, role=role)
    audit_record(
        firm=firm,
        actor=actor,
        action="member.invite",
        obj=membership,
        object_repr=f"{username} ({membership.get_role_display()})",
        after={"username": username, "email": email, "role": role},
        note=f"{actor.label} invited {username} as {membership.get_role_display()}.",
    )
    return Invitation(membership=membership, set_password_path=set_password_path(user))


@transaction.atomic
def member_role_change(*, firm: Firm, actor: Actor, user_id: int, role: str) -> Membership:
    """Give a member another role; the firm's last admin stays an admin."""
    _check_role(role)
    admins = _active_admins(firm)
    member = _member(firm, user_id)
    if member.role == role:
        raise DomainError(
            f"{member.user.get_username()} is already a {member.get_role_display()}.", field="role"
        )
    if member.role == Role.FIRM_ADMIN and admins == [member.pk]:
        raise DomainError(
            f"{member.user.get_username()} is the firm's only admin: make another member an "
            "admin first.",
            field="role",
        )
    before = {"role": member.role}
    member.role = role
    member.save(update_fields=["role"])
    audit_record(
        firm=firm,
        actor=actor,
        action="member.role_change",
        obj=member,
        object_repr=member.user.get_username(),
        before=before,
        after={"role": role},
        note=f"{actor.label} made {member.user.get_username()} a {member.get_role_display()}.",
    )
    return member


@transaction.atomic
def member_remove(*, firm: Firm, actor: Actor, user_id: int) -> Membership:
    """End a member's place in the firm (their membership stays, inactive, for the record);
    never the firm's last admin, so an admin removes themselves only beside another admin."""
    admins = _active_admins(firm)
    member = _member(firm, user_id)
    if member.role == Role.FIRM_ADMIN and admins == [member.pk]:
        raise DomainError(
            f"{member.user.get_username()} is the firm's only admin: make another member an "
            "admin first.",
            field="member",
        )
    member.is_active = False
    member.save(update_fields=["is_active"])
    audit_record(
        firm=firm,
        actor=actor,
        action="member.remove",
        obj=member,
        object_repr=member.user.get_username(),
        before={"is_active": True, "role": member.role},
        after={"is_active": False},
        note=f"{actor.label} removed {member.user.get_username()} from the firm.",
    )
    return member
