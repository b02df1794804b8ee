"""Refuse, before any view runs, request text that no database column can store.

PostgreSQL cannot store (or even compare with) a NUL character, so a NUL in the path, a
query parameter or a web form field would be a server error deep inside a query. Here it
is a 400: on the API a problem naming the parameter, on the web a plain "bad request" page
naming it. JSON and CSV bodies are checked by their own parsers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

NUL = "\x00"
NUL_MESSAGE = "contains a NUL character"
API_PREFIX = "/api/"


def nul_field(request: HttpRequest) -> str | None:
    """The name of the first part of the request holding a NUL character, or None."""
    if NUL in request.path:
        return "path"
    parts: list[Iterable[tuple[str, list[str]]]] = [request.GET.lists()]
    if not request.path.startswith(API_PREFIX) and request.method == "POST":
        parts.append(request.POST.lists())
    for items in parts:
        for name, values in items:
            if NUL in name:
                return name.replace(NUL, "\\0")
            if any(NUL in value for value in values):
                return name
    return None


def bad_request(request: HttpRequest, field: str) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        body = {
            "type": "urn:rebalancer:problem:validation",
            "title": "Your request is not valid.",
            "status": 400,
            "detail": f"{field}: {NUL_MESSAGE}",
            "instance": request.path.replace(NUL, "\\0"),
            "errors": [{"row": None, "field": field, "message": NUL_MESSAGE}],
        }
        return HttpResponse(json.dumps(body), status=400, content_type="application/problem+json")
    page = render_to_string("400.html", {"field": field, "message": NUL_MESSAGE})
    return HttpResponse(page, status=400)


class UnstorableTextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is not None:
            return bad_request(request, field)
        return self.get_response(request)
