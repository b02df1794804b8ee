"""Rate limits per API key (or per signed-in person); 429 with ``Retry-After`` when over."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from firms.models import ApiKey


class PerKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
