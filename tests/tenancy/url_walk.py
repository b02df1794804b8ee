"""Every URL pattern of the project, from Django's resolver, with what it takes: its path
parameters and the HTTP methods its view may accept."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ALL_METHODS = ("get", "post", "put", "patch", "delete")
_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or the route when the pattern has no name
    route: str  # the whole route, prefixes included
    params: tuple[str, ...]
    callback: Callable

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def url(self, values: dict[str, object]) -> str:
        """The path with ``values`` in place of the parameters."""
        filled = _REGEX_PARAM.sub(lambda m: str(values[m.group(1)]), self.route)
        filled = _ROUTE_PARAM.sub(lambda m: str(values[m.group(1)]), filled)
        return "/" + filled.replace("^", "").replace("$", "").replace("\\", "")


def _params(route: str) -> tuple[str, ...]:
    named_groups = _REGEX_PARAM.findall(route)
    return tuple(_ROUTE_PARAM.findall(_REGEX_PARAM.sub("", route)) + named_groups)


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Pattern]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}{entry.name}" if entry.name else route
            yield Pattern(key=key, route=route, params=_params(route), callback=entry.callback)


def all_patterns() -> list[Pattern]:
    """Every pattern, keyed uniquely (a repeated name is told apart by its route)."""
    patterns: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver(), "", ""):
        key = pattern.key if pattern.key not in patterns else f"{pattern.key} {pattern.route}"
        patterns[key] = Pattern(key, pattern.route, pattern.params, pattern.callback)
    return list(patterns.values())


def _declared_methods(callback: Callable) -> set[str] | None:
    """The methods named by a ``require_http_methods`` (``require_POST``...) decorator on
    the view, found in the decorator's closure along the ``__wrapped__`` chain."""
    view: Callable[..., Any] | None = callback
    while view is not None:
        closure = inspect.getclosurevars(view).nonlocals if inspect.isfunction(view) else {}
        if "request_method_list" in closure:
            return {method.lower() for method in closure["request_method_list"]}
        view = getattr(view, "__wrapped__", None)
    return None


def accepted_methods(callback: Callable) -> tuple[str, ...]:
    """The methods a class-based view (Django's or DRF's) has a handler for, or that a
    function view's ``require_http_methods`` allows; every method when neither says."""
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        declared = _declared_methods(callback)
        return ALL_METHODS if declared is None else tuple(m for m in ALL_METHODS if m in declared)
    return tuple(
        method
        for method in ALL_METHODS
        if method in view_class.http_method_names and hasattr(view_class, method)
    )
