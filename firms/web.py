"""What every page shares: the firm and role checks, form errors from services, paging."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse

from firms.permissions import Action, require
from firms.requests import MemberRequest
from rebalancer.errors import DomainError, ValidationFailed

PAGE_SIZE = 25


def firm_view(action: Action | None = None) -> Callable:
    """Signed in, a member of a firm (otherwise its pages do not exist for you: 404), and,
    when ``action`` is given, in a role that may do it (otherwise 403)."""

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapper(request: MemberRequest, *args, **kwargs) -> HttpResponse:
            if request.firm is None:
                raise Http404("You are not a member of any firm.")
            if action is not None:
                require(request.membership, action)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def add_service_errors(form: forms.Form, exc: DomainError, *, rename: dict | None = None) -> None:
    """Put a service's errors on the form, next to the field they name when it has one."""
    rename = rename or {}
    errors = (
        exc.errors if isinstance(exc, ValidationFailed) else [(exc.row, exc.field, exc.message)]
    )
    for row, field, message in errors:
        name = rename.get(field, field)
        prefix = f"Row {row}: " if row is not None else ""
        if name in form.fields:
            form.add_error(name, prefix + message)
        else:
            words = field_words(field)
            form.add_error(None, prefix + (f"{words}: " if words else "") + message)


# Fields whose name says less to a person than these words.
FIELD_WORDS = {
    "from_symbol": "Security replaced",
    "to_symbol": "Security held instead",
    "start_date": "Start date",
    "end_date": "End date",
    "amount_usd": "Amount ($)",
    "fill_id": "Fill id",
    "order_id": "Order id",
}


def field_words(field: str | None) -> str:
    """A service error's field in words: ``end_date`` is "End date"; none for the whole
    form (``None`` or Django's ``__all__``)."""
    if not field or field == NON_FIELD_ERRORS:
        return ""
    return FIELD_WORDS.get(field) or field.replace("_", " ").capitalize()


def error_lines(exc: DomainError) -> list[str]:
    """A service's errors as sentences naming the row and field (a file's column, as the
    file names it)."""
    if not isinstance(exc, ValidationFailed):
        return [exc.message]
    lines = []
    for row, field, message in exc.errors:
        where = " ".join(p for p in (f"Row {row}" if row else "", field or "") if p)
        lines.append(f"{where}: {message}" if where else message)
    return lines


def paginate(request: HttpRequest, items, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def wants_csv(request: HttpRequest) -> bool:
    """A list page asked for its rows as a CSV download (``?format=csv``)."""
    return request.GET.get("format") == "csv"


def csv_download(text: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
