"""The person behind an action: whoever signed in, or, for an API key, whoever created it.

Rules that need "a different person" (four eyes, not acting on oneself) compare people, not
users: a key acts through its own service user, but for the person who issued it. A key
that no person issued (``manage.py create_api_key``) is a principal of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from firms.models import ApiKey


@dataclass(frozen=True)
class Person:
    """``person_id``: the user id of the person (a key with no creator: its service user's).
    ``api_key``: the key the action was made with, if any. ``name``: the person's username,
    or the key's name when no person created it."""

    person_id: int
    name: str
    api_key: ApiKey | None = None

    def describe(self) -> str:
        """How a message names this approval's source, e.g. "the API key 'desk', which
        acts for ann" or "ann"."""
        if self.api_key is None:
            return self.name
        if self.api_key.created_by_id is None:
            return f"the API key '{self.api_key.name}' (issued by no person)"
        return f"the API key '{self.api_key.name}', which acts for {self.name}"


def person_acting(*, user_id: int) -> Person:
    """The person ``user_id`` acts for: the creator of the key whose service user it is,
    else the user themselves."""
    api_key = ApiKey.objects.select_related("created_by").filter(user_id=user_id).first()
    if api_key is None:
        user = get_user_model().objects.get(pk=user_id)
        return Person(person_id=user.pk, name=user.get_username())
    if api_key.created_by is None:
        return Person(person_id=user_id, name=api_key.name, api_key=api_key)
    creator = api_key.created_by
    return Person(person_id=creator.pk, name=creator.get_username(), api_key=api_key)
