"""What a firm admin reads about the firm's people and API keys (the firm passed in)."""

from __future__ import annotations

from django.db.models import QuerySet

from firms.models import ApiKey, FourEyesOffRequest, Membership


def firm_people(*, firm) -> list[Membership]:  # noqa: ANN001
    """The firm's active people (not API keys' service users), by username."""
    return list(
        Membership.objects.filter(firm=firm, is_active=True)
        .exclude(user__api_key__isnull=False)
        .select_related("user")
        .order_by("user__username")
    )


def firm_api_keys(*, firm) -> QuerySet[ApiKey]:  # noqa: ANN001
    """The firm's API keys, newest first, with who issued each."""
    return ApiKey.objects.filter(firm=firm).select_related("created_by")


def four_eyes_requests(*, firm, limit: int = 10) -> list[FourEyesOffRequest]:  # noqa: ANN001
    """The firm's latest requests to turn four eyes off."""
    return list(
        FourEyesOffRequest.objects.filter(firm=firm).select_related("requested_by", "decided_by")[
            :limit
        ]
    )
