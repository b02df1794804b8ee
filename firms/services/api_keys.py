"""Issuing and revoking API keys. Keys are stored as SHA-256 digests, never in clear.

A key reads ``rbk_<prefix>_<secret>``: the prefix finds the row, the digest of the whole key
proves it. Each key gets a service user (no password, so it cannot sign in); a key with the
``trade`` scope also gets a trader membership, which the trading services require.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from firms.models import ApiKey, ApiScope, Firm, Membership, Role
from firms.services.audit import audit_record
from rebalancer import rowsecurity
from rebalancer.actors import Actor
from rebalancer.errors import DomainError, InvalidTransition, ValidationFailed

KEY_PREFIX = "rbk"
DEFAULT_LIFETIME = dt.timedelta(days=365)


@dataclass(frozen=True)
class IssuedKey:
    api_key: ApiKey
    raw_key: str  # shown once; never stored


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _clean_scopes(scopes: list[str]) -> list[str]:
    cleaned = sorted({s.strip() for s in scopes if s.strip()})
    unknown = [s for s in cleaned if s not in ApiScope.values]
    if unknown or not cleaned:
        raise ValidationFailed(
            [(None, "scopes", f"choose from {', '.join(ApiScope.values)}; got {scopes!r}")]
        )
    return cleaned


@transaction.atomic
def api_key_create(
    *,
    firm: Firm,
    actor: Actor,
    name: str,
    scopes: list[str],
    expires_at: dt.datetime | None = None,
    never_expires: bool = False,
) -> IssuedKey:
    """Issue a key for ``firm``. Expires in a year unless ``expires_at`` or ``never_expires``."""
    name = name.strip()
    errors = []
    if not name or len(name) > 100:
        errors.append((None, "name", "is required (at most 100 characters)"))
    elif ApiKey.objects.filter(firm=firm, name=name).exists():
        errors.append((None, "name", f"a key named '{name}' already exists"))
    if expires_at is not None and expires_at <= timezone.now():
        errors.append((None, "expires_at", "must be in the future"))
    if errors:
        raise ValidationFailed(errors)
    scopes = _clean_scopes(scopes)
    prefix = secrets.token_hex(6)
    raw_key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    user = get_user_model().objects.create(username=f"api-{firm.slug}-{prefix}"[:150])
    user.set_unusable_password()
    user.save(update_fields=["password"])
    if ApiScope.TRADE in scopes:
        Membership.objects.create(user=user, firm=firm, role=Role.TRADER)
    if expires_at is None and not never_expires:
        expires_at = timezone.now() + DEFAULT_LIFETIME
    api_key = ApiKey.objects.create(
        firm=firm,
        name=name,
        prefix=prefix,
        key_sha256=key_digest(raw_key),
        scopes=scopes,
        user=user,
        created_by=actor.user,
        expires_at=expires_at,
    )
    audit_record(
        firm=firm,
        actor=actor,
        action="api_key.create",
        obj=api_key,
        after={"name": name, "prefix": prefix, "scopes": scopes, "expires_at": expires_at},
    )
    return IssuedKey(api_key=api_key, raw_key=raw_key)


@transaction.atomic
def api_key_revoke(*, firm: Firm, actor: Actor, api_key: ApiKey) -> ApiKey:
    if api_key.firm_id != firm.pk:
        raise DomainError("Not found.")
    now = timezone.now()
    if ApiKey.objects.filter(pk=api_key.pk, firm=firm, revoked_at=None).update(revoked_at=now) != 1:
        raise InvalidTransition("this key is already revoked")
    Membership.objects.filter(user_id=api_key.user_id, firm=firm).update(is_active=False)
    audit_record(
        firm=firm,
        actor=actor,
        action="api_key.revoke",
        obj=api_key,
        before={"revoked_at": None},
        after={"revoked_at": now},
    )
    api_key.refresh_from_db()
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The usable key matching ``raw_key``, or None (unknown, wrong, expired or revoked)."""
    parts = raw_key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    # row-level security shows a key's row, before its firm is known, only by its prefix
    rowsecurity.set_api_key_prefix(parts[1])
    api_key = ApiKey.objects.select_related("firm", "user").filter(prefix=parts[1]).first()
    rowsecurity.set_api_key_prefix(None)
    if api_key is None or not hmac.compare_digest(api_key.key_sha256, key_digest(raw_key)):
        return None
    if not api_key.is_usable():
        return None
    rowsecurity.set_firm(api_key.firm_id)
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > dt.timedelta(minutes=5):
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    return api_key
