"""Who may talk to the API from a browser: the ``Host`` a request names (against DNS
rebinding: a page whose name resolves to 127.0.0.1 reading a loopback server) and the
``Origin`` of a request that changes something (against cross-site form posts, CSRF).

A pure ASGI middleware: it answers before any route runs, with the API's one error shape.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from voxcap.api.errors import error_response
from voxcap.errors import HostRefused, OriginRefused

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class Guards:
    """Refuse a ``Host`` not in ``hosts`` ("*" allows any), and an unsafe method whose
    ``Origin`` is neither this server (same host and port) nor one of ``origins`` (CORS)."""

    def __init__(self, app: ASGIApp, hosts: list[str], origins: list[str]) -> None:
        self.app = app
        self.hosts = {h.lower().strip("[]") for h in hosts}
        self.origins = {o.rstrip("/").lower() for o in origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        name = _hostname(host)
        if "*" not in self.hosts and name not in self.hosts:
            error = HostRefused(
                f"this server does not answer to the host {name or host!r} (VOXCAP_ALLOWED_HOSTS)"
            )
            await _refuse(error.http_status, error.code, error.message, scope, receive, send)
            return
        origin = headers.get("origin")
        if scope["method"] not in SAFE_METHODS and origin and not self._same(origin, host):
            refused = OriginRefused(
                f"requests from the page at {origin[:100]!r} are refused "
                "(a browser's cross-site request; VOXCAP_CORS_ORIGINS allows a site)"
            )
            await _refuse(refused.http_status, refused.code, refused.message, scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _same(self, origin: str, host: str) -> bool:
        if origin.rstrip("/").lower() in self.origins:
            return True
        parts = urlsplit(origin)
        return bool(parts.netloc) and parts.netloc.lower() == host.lower()


def _hostname(host: str) -> str:
    """The name in a ``Host`` header, without its port or IPv6 brackets."""
    try:
        return (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:
        return ""


async def _refuse(
    status: int, code: str, message: str, scope: Scope, receive: Receive, send: Send
) -> None:
    await error_response(status, code, message)(scope, receive, send)
