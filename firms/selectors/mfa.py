"""Reads about a person's second factor. MFA belongs to the person, not to a firm."""

from __future__ import annotations

from django.contrib.auth.models import User

from firms.models import Firm, Membership, MfaDevice, MfaRecoveryCode


def mfa_device_get(*, user: User) -> MfaDevice | None:
    """The person's authenticator, confirmed or still enrolling, if any."""
    return MfaDevice.objects.filter(user=user).first()


def mfa_confirmed(*, user: User) -> bool:
    """Whether the person signs in with an authenticator."""
    return MfaDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def recovery_codes_left(*, device: MfaDevice) -> int:
    return MfaRecoveryCode.objects.filter(device=device, used_at__isnull=True).count()


def firms_requiring_mfa(*, user: User) -> list[Firm]:
    """The firms the person works in that require multi-factor sign-in."""
    return list(
        Firm.objects.filter(
            memberships__user=user, memberships__is_active=True, require_mfa=True
        ).order_by("name")
    )


def members_without_mfa(*, firm: Firm) -> list[Membership]:
    """The firm's active people (not API key service users) who have no confirmed
    authenticator, by username."""
    return list(
        Membership.objects.filter(firm=firm, is_active=True)
        .exclude(user__mfa_device__confirmed_at__isnull=False)
        .exclude(user__api_key__isnull=False)
        .select_related("user")
        .order_by("user__username")
    )


def members_with_mfa(*, firm: Firm) -> list[Membership]:
    """The firm's active people who sign in with a (confirmed) authenticator, by username,
    with ``user.mfa_device`` loaded."""
    return list(
        Membership.objects.filter(
            firm=firm, is_active=True, user__mfa_device__confirmed_at__isnull=False
        )
        .select_related("user", "user__mfa_device")
        .order_by("user__username")
    )
