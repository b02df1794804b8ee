"""Who makes a change: a person, an API key acting for whoever created it, or a system
process (a command, a scheduled task).

Built in one place per entry point: the web's middleware (``request.actor``), the API's
authentication (``principal.actor``), and each command or task (``Actor.system``). Services
take an ``Actor`` and read what they need from it: the user to record as the author of a row,
and the label the audit log shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class Actor:
    """``user``: the user the change is made as (the person signed in, or an API key's own
    service user); None for a system process. ``label``: how the audit log names the actor
    (the user's username, or the process's name). ``api_key_id``: the key the change is made
    with, if any."""

    user: User | None
    label: str
    api_key_id: int | None = None

    @classmethod
    def person(cls, user: User) -> Actor:
        return cls(user=user, label=user.get_username())

    @classmethod
    def for_api_key(cls, api_key: Any) -> Actor:
        """An API key acts through its service user (whose person is the key's creator:
        ``firms.selectors.people.person_acting``)."""
        return cls(user=api_key.user, label=api_key.user.get_username(), api_key_id=api_key.pk)

    @classmethod
    def system(cls, name: str) -> Actor:
        """A process, named in the audit log as ``name`` (e.g. ``command:create_api_key``)."""
        return cls(user=None, label=name)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None
