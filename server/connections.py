"""The serving HTTP protocol, told when a TCP connection opens and closes.

NTLM authenticates a connection, and the authenticator keeps each completed security context
under the connection's client address (auth.py). An address outlives its connection: the
client's system hands the same port to a later connection, and that connection must start
unauthenticated, or it would be served on a context it never negotiated (pywinrm, seeing its
empty probe accepted, then seals with a context it does not have). ASGI tells an application
nothing about connections, so the server's protocol class is extended here: uvicorn takes a
protocol class as its `http` setting. The subclass forgets the address's context when a
connection from it opens and when it closes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any


def connection_aware_protocol(forget: Callable[[Any], None]) -> type[asyncio.Protocol]:
    """uvicorn's default HTTP protocol class (httptools, else h11), calling `forget(client)`
    with the connection's `(host, port)` (the ASGI scope's `client`) as it opens and closes."""
    from uvicorn.protocols.http.auto import AutoHTTPProtocol
    from uvicorn.protocols.utils import get_remote_addr

    class ConnectionAwareProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            forget(get_remote_addr(transport))  # type: ignore[arg-type]
            super().connection_made(transport)

        def connection_lost(self, exc: Exception | None) -> None:
            client = self.client
            super().connection_lost(exc)
            if client is not None:
                forget(client)

    return ConnectionAwareProtocol
