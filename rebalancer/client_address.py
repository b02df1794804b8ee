"""The client's address, as limits per address need it, also behind a reverse proxy.

Without configuration it is the connection's address (``REMOTE_ADDR``). Behind a reverse
proxy every request comes from the proxy, so a limit per address would lock everyone out
at once; list the proxies in ``DJANGO_TRUSTED_PROXIES`` (addresses or networks,
comma-separated, e.g. ``10.0.0.0/8,127.0.0.1``). Then, when the connection comes from one of
them, the address is the right-most entry of ``X-Forwarded-For`` that is not itself a
trusted proxy: entries further left were written by the client and prove nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address to count attempts against (``"unknown"`` when there is none)."""
    remote = request.META.get("REMOTE_ADDR") or "unknown"
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a malformed entry: count against the proxy, never trust it
    return remote
