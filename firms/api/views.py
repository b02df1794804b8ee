"""The base of every API view: the firm from the key or the session, scopes and roles."""

from __future__ import annotations

from typing import Any

from rest_framework.views import APIView

from firms.api.permissions import FirmApiRequest, FirmScopePermission, Principal
from firms.permissions import Action
from rebalancer.api.pagination import IdCursorPagination
from rebalancer.api.query_params import check_query_parameters


class FirmAPIView(APIView):
    """Subclasses set ``required_scope`` (for API keys) and ``session_action`` (for people;
    None: firm admins only). ``self.principal`` is the caller, ``self.firm`` their firm."""

    permission_classes = [FirmScopePermission]
    request: FirmApiRequest  # FirmScopePermission sets the principal
    required_scope = "read"
    session_action: Action | None = Action.VIEW_BOOK
    api_keys_allowed = True
    write_scope: str | None = None  # for POST/PATCH, when it differs from required_scope
    write_action: Action | None | str = "same"  # for POST/PATCH; "same": session_action

    def initial(self, request, *args, **kwargs):
        """After authentication and permissions, the query parameters against the schema."""
        super().initial(request, *args, **kwargs)
        check_query_parameters(request)

    def scope_for(self, method: str) -> str:
        if method in ("GET", "HEAD", "OPTIONS") or self.write_scope is None:
            return self.required_scope
        return self.write_scope

    def action_for(self, method: str) -> Action | None:
        write = self.write_action
        if method in ("GET", "HEAD", "OPTIONS") or write == "same":
            return self.session_action
        return None if write is None else Action(write)

    @property
    def principal(self) -> Principal:
        return self.request.principal

    @property
    def firm(self):
        return self.request.principal.firm

    @property
    def actor(self):
        return self.request.principal.actor

    @property
    def membership(self):
        return self.request.principal.membership

    def paginate(self, queryset, serializer_class, *, ordering: str = "id"):
        paginator = IdCursorPagination()
        paginator.ordering = ordering
        page: list[Any] | None = paginator.paginate_queryset(queryset, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)
