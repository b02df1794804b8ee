"""The demo firm, its people (one login per role, all with one documented password), and reset."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import models, transaction
from django.db.models import ProtectedError, RestrictedError

from firms.models import Firm, Membership, Role
from models_library.services.firm_reset import published_lines_release
from rebalancer.tenancy import firm_owned_models

from .bulk import firm_rows_delete

DEFAULT_SLUG = "demo"
DEFAULT_NAME = "Northwind Wealth Partners"
DEFAULT_TIMEZONE = "America/New_York"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the documented demo login, printed and in the README

# (login, role, first name, last name); the first advisor is the one the README names.
STAFF: tuple[tuple[str, Role, str, str], ...] = (
    ("admin", Role.FIRM_ADMIN, "Alex", "Morgan"),
    ("advisor", Role.ADVISOR, "Avery", "Chen"),
    ("advisor2", Role.ADVISOR, "Jordan", "Patel"),
    ("advisor3", Role.ADVISOR, "Riley", "Okafor"),
    ("advisor4", Role.ADVISOR, "Casey", "Lindqvist"),
    ("modeler", Role.MODEL_MANAGER, "Morgan", "Reyes"),
    ("trader", Role.TRADER, "Taylor", "Brooks"),
    ("compliance", Role.COMPLIANCE, "Quinn", "Adeyemi"),
)

# Firm-owned tables cleared first on reset, children before parents; any other table with
# a ``firm`` column is cleared after them, and the firm's own cascade takes the rest. The
# audit log goes first: the application's role may not delete it, and is told so before
# anything else (such as a published model's lines, which only the owner may delete).
RESET_ORDER: tuple[str, ...] = (
    "firms.AuditEvent",
    "trading.TaxLot",
    "trading.RealizedGain",
    "trading.Transaction",
    "trading.CashBalance",
    "accounts.CashWithdrawal",
    "accounts.PreferenceSet",
    "accounts.Restriction",
    "accounts.Screen",
    "accounts.Substitution",
    "accounts.ModelAssignment",
    "models_library.ModelLine",
    "models_library.ModelVersion",
    "models_library.ModelPortfolio",
    "accounts.Account",
    "accounts.Client",
    "accounts.Household",
)


@dataclass(frozen=True)
class DemoStaff:
    """The firm's demo users by role login (``admin``, ``advisor``...), and its advisors."""

    users: dict[str, User]
    advisors: list[User]


def login_for(*, slug: str, base: str) -> str:
    """The demo firm keeps plain logins (``advisor``); another firm prefixes its slug."""
    return base if slug == DEFAULT_SLUG else f"{slug}-{base}"


def firm_create(*, slug: str, name: str) -> Firm:
    """A new firm in New York time; raises ValidationError for a bad or taken slug."""
    firm = Firm(slug=slug, name=name, timezone=DEFAULT_TIMEZONE)
    firm.full_clean()
    firm.save()
    return firm


def staff_create(*, firm: Firm) -> DemoStaff:
    """One user per role (plus extra advisors), each with a membership in ``firm``.

    Users that already exist (from an earlier seed) are reused, and their password is set
    back to ``DEMO_PASSWORD``. The hash is computed once for all of them: hashing is slow
    by design, and this password is public anyway.
    """
    user_model = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    memberships = []
    for base, role, first_name, last_name in STAFF:
        username = login_for(slug=firm.slug, base=base)
        user, _ = user_model.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": f"{username}@example.com",
                "password": password_hash,
                "is_active": True,
            },
        )
        users[base] = user
        memberships.append(Membership(user=user, firm=firm, role=role))
    Membership.objects.bulk_create(memberships)
    advisors = [users[base] for base, role, *_ in STAFF if role == Role.ADVISOR]
    return DemoStaff(users=users, advisors=advisors)


def _firm_owned_models() -> list[type[models.Model]]:
    ordered = [apps.get_model(label) for label in RESET_ORDER]
    return ordered + [model for model in firm_owned_models() if model not in ordered]


def _still_referenced(*, model: type[models.Model], firm: Firm) -> bool:
    rows = model._base_manager.filter(firm=firm).values("pk")
    for relation in model._meta.related_objects:
        if relation.many_to_many:
            return True
        referring = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": rows}
        )
        if referring.exists():
            return True
    return False


def firm_delete(*, firm: Firm) -> None:
    """Delete ``firm`` and every row it owns, its audit log included. For demo firms only.

    Tables are cleared in ``RESET_ORDER``, then every other firm-owned table. A table that
    nothing refers to any more is cleared with one ``DELETE``; otherwise the ORM deletes
    (and cascades), and a table still protected by another is retried after the rest.
    The audit log is append-only for the application, and a published model version's
    lines never change; a reset bypasses both on purpose, because it throws the whole firm
    away.
    """
    pending = _firm_owned_models()
    with transaction.atomic():
        published_lines_release(firm_id=firm.id)
        while pending:
            blocked = []
            for model in pending:
                if not _still_referenced(model=model, firm=firm):
                    firm_rows_delete(model=model, firm_id=firm.id)
                    continue
                try:
                    with transaction.atomic():
                        models.QuerySet.delete(model._base_manager.filter(firm=firm))
                except (ProtectedError, RestrictedError):
                    blocked.append(model)
            if len(blocked) == len(pending):
                names = ", ".join(model._meta.label for model in blocked)
                raise RuntimeError(f"cannot reset firm '{firm.slug}': {names} still protected")
            pending = blocked
        firm.delete()
