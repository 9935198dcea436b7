"""The page's protections (docs/ui.md, "Security"):

- bound to loopback by default; then only `Host: localhost|127.0.0.1|[::1]` is served, so a
  hostile web page cannot reach the UI through DNS rebinding;
- elsewhere (`--host`), every request needs HTTP Basic with the password `--password-env` names;
- every action is a POST carrying the page's CSRF token (a random value of this server process,
  written into the page's forms; another origin cannot read it), and a POST whose Origin header
  names another site is refused; GET requests only read.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import attrs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
# Every answer: scripts and styles from this server only (inline `style` attributes carry the
# tree's indentation), no framing by another page (its buttons cannot be clicked through a
# disguise), no sniffing, no referrer to other sites.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make the forms' Origin "null"
]
REALM = "hvemu ui"


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@attrs.frozen
class Guard:
    """The protections of one server: the Basic credentials (None on loopback without a
    password), whether only loopback Host headers are served, and the CSRF token."""

    user: str | None = None
    password: str | None = None
    loopback_only: bool = True
    csrf_token: str = attrs.field(factory=lambda: secrets.token_urlsafe(32))

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.csrf_token.encode())

    def credentials_ok(self, header: str | None) -> bool:
        if self.password is None:
            return True
        if not header or not header.lower().startswith("basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user_ok = self.user is None or hmac.compare_digest(user.encode(), self.user.encode())
        return user_ok and hmac.compare_digest(password.encode(), self.password.encode())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def host_allowed(host_header: str | None) -> bool:
    """A loopback Host header (`localhost:8765`, `127.0.0.1`, `[::1]:8765`)."""
    if not host_header:
        return False
    host = host_header.strip()
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return host.casefold() in LOOPBACK_NAMES


def origin_allowed(scope: Scope) -> bool:
    """A POST's Origin (when the browser sends one) must be this server's own."""
    origin = _header(scope, b"origin")
    if origin is None:  # not a browser's cross-site request (curl, a same-origin GET-less client)
        return True
    host = _header(scope, b"host") or ""
    scheme = "https" if scope.get("scheme") == "https" else "http"
    return origin.rstrip("/").casefold() == f"{scheme}://{host}".casefold()


class GuardMiddleware:
    """Refuses what `Guard` does not allow, before the application sees the request."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.guard.loopback_only and not host_allowed(_header(scope, b"host")):
            await _plain(send, 400, "Invalid host header: this page is served to this computer only.")
            return
        if not self.guard.credentials_ok(_header(scope, b"authorization")):
            await _plain(send, 401, "Sign in to use hvemu ui.",
                         [(b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode())])
            return
        if scope.get("method") == "POST" and not origin_allowed(scope):
            await _plain(send, 403, "Refused: the request comes from another site.")
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _plain(send: Send, status: int, text: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
