"""Authentication as WinRM does it over HTTP: Basic, and Negotiate/NTLM with pyspnego's
acceptor (`spnego.server`), whose security context then seals the messages (encryption.py).

NTLM is connection-oriented: the handshake's three legs and the messages sealed after it share
one TCP connection, so the contexts are kept per connection (the ASGI scope's client address,
unique while the connection is open; a new handshake on it replaces the old context).

pyspnego's NTLM acceptor reads the accepted credentials from the file named by the environment
variable `NTLM_USER_FILE` (lines `DOMAIN:USER:PASSWORD`); `ntlm_user_file()` writes a private one
for the configured user and the process that serves points the variable at it.
"""

from __future__ import annotations

import base64
import binascii
import collections
import hmac
import os
import tempfile
import threading
from typing import Any

import attrs

MAX_CONNECTIONS = 4096
_NTLM_SIGNATURE = b"NTLMSSP\x00"


@attrs.frozen
class Credentials:
    user: str
    password: str

    def matches(self, user: str, password: str) -> bool:
        want_domain, want_user = _split(self.user)
        domain, name = _split(user)
        same_user = hmac.compare_digest(name.lower().encode(), want_user.lower().encode())
        same_domain = not want_domain or not domain or domain.lower() == want_domain.lower()
        return same_user and same_domain and hmac.compare_digest(password.encode(), self.password.encode())


def _split(user: str) -> tuple[str, str]:
    """`DOMAIN\\user` or `user@domain` as (domain, user)."""
    if "\\" in user:
        domain, _, name = user.partition("\\")
        return domain, name
    if "@" in user:
        name, _, domain = user.partition("@")
        return domain, name
    return "", user


def ntlm_user_file(*accounts: Credentials) -> str:
    """A private file (mode 0600) in pyspnego's `NTLM_USER_FILE` format for the accounts;
    the caller sets the variable and deletes the file when done."""
    lines: set[str] = set()
    for credentials in accounts:
        domain, user = _split(credentials.user)
        lines |= {f"{domain}:{user}:{credentials.password}", f":{user}:{credentials.password}"}
    fd, path = tempfile.mkstemp(prefix="hvemu-ntlm-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(sorted(lines)) + "\n")
    return path


@attrs.frozen
class Outcome:
    """The result of checking one request's credentials: `ok`, the header to answer with
    (`WWW-Authenticate`, a challenge or a final token) and the sealing context, if any."""

    ok: bool
    www_authenticate: tuple[str, ...] = ()
    context: Any = None
    read_only: bool = False
    user: str | None = None  # the account's name (without domain); None when none is configured


class Authenticator:
    """The credentials the server accepts and the security contexts of its connections.

    Without credentials (`hvemu serve` without `--user`) every request is accepted, with or
    without Basic credentials; Negotiate then has nothing to check against and is not offered.
    `read_only_users` (which need `credentials`) authenticate the same ways; their requests are
    marked read-only."""

    def __init__(self, credentials: Credentials | None, read_only_users: tuple[Credentials, ...] = ()) -> None:
        if read_only_users and credentials is None:
            raise ValueError("read-only users need an administrator account")
        self.credentials = credentials
        self.read_only_users = read_only_users
        self._contexts: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self._lock = threading.Lock()

    def challenge(self) -> tuple[str, ...]:
        offers = ['Basic realm="WSMAN"']
        if self.credentials is not None:
            offers = ["Negotiate", *offers]
        return tuple(offers)

    def context(self, connection: Any) -> Any:
        """The completed security context of the connection (None if it has none)."""
        with self._lock:
            return self._contexts.get(connection)

    def forget(self, connection: Any) -> None:
        with self._lock:
            self._contexts.pop(connection, None)

    def check(self, connection: Any, authorization: str | None) -> Outcome:
        if not authorization:
            existing = self.context(connection)
            if existing is not None and existing.complete:
                return Outcome(True, context=existing, read_only=self._read_only_principal(existing),
                               user=self._principal_name(existing))
            return Outcome(self.credentials is None, () if self.credentials is None else self.challenge())
        scheme, _, value = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            return self._basic(connection, value.strip())
        if scheme in ("negotiate", "ntlm") and self.credentials is not None:
            return self._negotiate(connection, value.strip())
        return Outcome(False, self.challenge())

    def _basic(self, connection: Any, value: str) -> Outcome:
        self.forget(connection)
        if self.credentials is None:
            return Outcome(True)
        try:
            user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return Outcome(False, self.challenge())
        if sep and self.credentials.matches(user, password):
            return Outcome(True, user=_split(self.credentials.user)[1])
        for account in self.read_only_users:
            if sep and account.matches(user, password):
                return Outcome(True, read_only=True, user=_split(account.user)[1])
        return Outcome(False, self.challenge())

    def _principal_name(self, ctx: Any) -> str | None:
        """The configured spelling of the account the NTLM context authenticated."""
        _, name = _split(str(getattr(ctx, "client_principal", None) or ""))
        for account in (self.credentials, *self.read_only_users):
            if account is not None and _split(account.user)[1].lower() == name.lower():
                return _split(account.user)[1]
        return None

    def _read_only_principal(self, ctx: Any) -> bool:
        """Whether the NTLM context authenticated a read-only account (pyspnego's
        `client_principal`, `DOMAIN\\user`); the administrator wins a name both share."""
        principal = str(getattr(ctx, "client_principal", None) or "")
        _, name = _split(principal)
        if self.credentials is not None and _split(self.credentials.user)[1].lower() == name.lower():
            return False
        return any(_split(account.user)[1].lower() == name.lower() for account in self.read_only_users)

    def _negotiate(self, connection: Any, value: str) -> Outcome:
        import spnego
        import spnego.exceptions

        try:
            token = base64.b64decode(value, validate=True)
        except binascii.Error:
            return Outcome(False, self.challenge())
        with self._lock:
            ctx = self._contexts.get(connection)
        if ctx is None or ctx.complete:
            raw_ntlm = token.startswith(_NTLM_SIGNATURE)
            try:
                ctx = spnego.server(protocol="ntlm" if raw_ntlm else "negotiate")
            except spnego.exceptions.SpnegoError:
                return Outcome(False, self.challenge())
            with self._lock:
                self._contexts[connection] = ctx
                self._contexts.move_to_end(connection)
                while len(self._contexts) > MAX_CONNECTIONS:
                    self._contexts.popitem(last=False)
        try:
            out = ctx.step(token)
        except Exception:  # noqa: BLE001 - pyspnego's errors for a wrong password or a bad token
            self.forget(connection)
            return Outcome(False, self.challenge())
        header = ("Negotiate " + base64.b64encode(out).decode("ascii"),) if out else ()
        if not ctx.complete:
            return Outcome(False, header)
        return Outcome(True, header, ctx, self._read_only_principal(ctx), self._principal_name(ctx))
