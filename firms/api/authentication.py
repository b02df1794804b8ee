"""API-key authentication: ``Authorization: Bearer rbk_<prefix>_<secret>``."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from firms.services.api_keys import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates as the key's service user; ``request.auth`` is the :class:`ApiKey`.

    A request without a bearer token is left to the next scheme (the session); a bearer
    token that is unknown, expired or revoked is refused (401).
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        keyword, _, token = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        api_key = api_key_authenticate(raw_key=token) if token.strip() else None
        if api_key is None:
            raise exceptions.AuthenticationFailed("The API key is unknown, expired or revoked.")
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "rbk_<prefix>_<secret>",
            "description": "An API key issued by a firm admin, sent as "
            "`Authorization: Bearer rbk_...`. It is bound to one firm and carries scopes "
            "(read, import, trade).",
        }
