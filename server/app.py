"""The WS-Management endpoint: an ASGI application (Starlette) answering POST /wsman.

Each request: authenticate (auth.py; 401 with the offered schemes), unseal an encrypted body
(encryption.py), parse the SOAP envelope (soap.py), dispatch by action and resource URI to a
shell (winrs.py for cmd, psrp.py for PowerShell), seal the answer the way the request came.
Faults answer HTTP 500 with a SOAP fault; the server keeps serving. The script work runs in
Starlette's worker threads; every shell has its own SDK client of the one state, and the
emulator's transactions lock the state as for concurrent `hvemu` processes.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import attrs
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from hyperv_emu import sdk
from hyperv_emu.server import encryption, soap
from hyperv_emu.server.auth import Authenticator
from hyperv_emu.server.hostenv import USER_HOME, host_environment
from hyperv_emu.server.psrp import PSRP_URI, PsrpShell, creation_xml
from hyperv_emu.server.soap import NS, Request, WSManFault
from hyperv_emu.server.winrs import CMD_URI, CmdShellResource, created_response, empty_response, shell_not_found

SOAP_TYPE = "application/soap+xml;charset=UTF-8"
MAX_BODY = 10 * 1024 * 1024  # far above WinRM's MaxEnvelopeSize (500 KB); a bigger body is refused (413)


@attrs.define
class ServerConfig:
    state_url: str
    computer_name: str | None = None
    user: str = "Administrator"


class WSManService:
    """The shells of one server and the dispatch of a parsed request to them."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.shells: dict[str, Any] = {}
        self.read_only_shells: dict[str, bool] = {}
        self.lock = threading.Lock()

    def client(self, read_only: bool = False) -> sdk.HyperVClient:
        """A new SDK client of the served state; for a read-only account, one whose backend
        refuses every change (sdk.backends.read_only)."""
        client = sdk.connect(self.config.state_url, computer_name=self.config.computer_name)
        if read_only:
            from hyperv_emu.sdk.backends.read_only import read_only as read_only_backend

            client = sdk.HyperVClient(read_only_backend(client.backend), self.config.computer_name)
        return client

    def environment(self, client: sdk.HyperVClient, user: str | None = None) -> dict[str, str]:
        """The variables of a new shell: the host's with the world's `[env]` on top, never this
        process's (hostenv.py)."""
        env = host_environment(client, user or self.config.user, self.config.computer_name)
        for name, value in dict(client.settings().get("env", {})).items():
            for known in [k for k in env if k.casefold() == str(name).casefold()]:
                del env[known]
            env[str(name)] = str(value)
        return env

    def handle(self, data: bytes, read_only: bool = False, user: str | None = None) -> tuple[int, bytes]:
        """The answer (HTTP status, SOAP body) to one request of the account `user` (None: the
        served user), read-only or not."""
        relates_to = ""
        try:
            request = soap.parse_request(data)
            relates_to = request.message_id
            return 200, self.dispatch(request, read_only, user)
        except WSManFault as fault:
            return 500, soap.fault_envelope(fault, relates_to)
        except Exception as exc:  # noqa: BLE001 - a bug answers as WinRM's internal error, never a traceback
            internal = WSManFault(f"The WS-Management service encountered an internal error: "
                                  f"{type(exc).__name__}: {exc}", code=2150858770, subcode="w:InternalError",
                                  sender=False)
            return 500, soap.fault_envelope(internal, relates_to)

    def dispatch(self, request: Request, read_only: bool = False, user: str | None = None) -> bytes:
        uri = request.resource_uri.lower()
        if request.action == soap.ACTION_CREATE:
            return self.create(request, uri, read_only, user or self.config.user)
        shell_id = request.selectors.get("ShellId", "")
        with self.lock:
            shell = self.shells.get(shell_id.upper())
            if shell is not None and read_only and not self.read_only_shells.get(shell_id.upper(), False):
                shell = None  # an administrator's shell is not a read-only account's to use
        if request.action == soap.ACTION_DELETE:
            if shell is None:
                raise shell_not_found(shell_id)
            with self.lock:
                self.shells.pop(shell_id.upper(), None)
                self.read_only_shells.pop(shell_id.upper(), None)
            shell.close()
            return empty_response(request, soap.ACTION_DELETE)
        operations = {soap.ACTION_COMMAND: "command", soap.ACTION_SEND: "send", soap.ACTION_RECEIVE: "receive",
                      soap.ACTION_SIGNAL: "signal"}
        name = operations.get(request.action)
        if name is None:
            raise WSManFault(f"The WS-Management service does not support the action {request.action}.",
                             code=soap.ERROR_WSMAN_ACTION_NOT_SUPPORTED, subcode="a:ActionNotSupported")
        if shell is None:
            raise shell_not_found(shell_id)
        result: bytes = getattr(shell, name)(request)
        return result

    def create(self, request: Request, uri: str, read_only: bool = False, user: str | None = None) -> bytes:
        user = user or self.config.user
        if uri == CMD_URI.lower():
            shell_id = str(uuid.uuid4()).upper()
            node = request.body.find("rsp:Shell", NS)
            client = self.client(read_only)
            cwd = USER_HOME.format(user=user)
            env = self.environment(client, user)
            if node is not None:
                cwd = (node.findtext("rsp:WorkingDirectory", "", NS) or "").strip() or cwd
                for var in node.iterfind("rsp:Environment/rsp:Variable", NS):
                    name = var.get("Name", "")
                    for known in [k for k in env if k.casefold() == name.casefold()]:
                        del env[known]
                    env[name] = var.text or ""
            shell: Any = CmdShellResource(shell_id, client, cwd, env)
        elif uri == PSRP_URI.lower():
            node = request.body.find("rsp:Shell", NS)
            given = node.get("ShellId") if node is not None else None
            shell_id = (given or str(uuid.uuid4())).upper()
            client = self.client(read_only)
            shell = PsrpShell(shell_id, client, creation_xml(request), self.environment(client, user))
        else:
            raise WSManFault(f"The WS-Management service cannot process the request. The resource URI "
                             f"{request.resource_uri} is not supported.", code=2150858811,
                             subcode="w:DestinationUnreachable")
        with self.lock:
            self.shells[shell_id] = shell
            self.read_only_shells[shell_id] = read_only
        return created_response(request, request.resource_uri, shell_id, "http://localhost/wsman",
                                {"Owner": user, "ClientIP": "127.0.0.1", "InputStreams": "stdin pr",
                                 "OutputStreams": "stdout"})


def _too_large(length: str | None, limit: int) -> bool:
    try:
        return length is not None and int(length) > limit
    except ValueError:
        return False


def build_app(service: WSManService, authenticator: Authenticator, max_body: int = MAX_BODY) -> Starlette:
    """The ASGI application; a request body over `max_body` bytes is refused with HTTP 413
    (announced by its Content-Length before it is read, or once that much has arrived)."""

    async def wsman(http: HttpRequest) -> Response:
        connection = http.scope.get("client")
        outcome = authenticator.check(connection, http.headers.get("authorization"))
        if not outcome.ok:
            response = Response(status_code=401, content=b"")
            for value in outcome.www_authenticate:
                response.raw_headers.append((b"www-authenticate", value.encode("latin-1")))
            return response
        if _too_large(http.headers.get("content-length"), max_body):
            return Response(status_code=413, content=b"", headers={"connection": "close"})
        body = bytearray()
        async for chunk in http.stream():
            body += chunk
            if len(body) > max_body:
                return Response(status_code=413, content=b"", headers={"connection": "close"})
        content_type = http.headers.get("content-type", "")
        context = outcome.context or authenticator.context(connection)
        encrypted = encryption.is_encrypted(content_type)
        if encrypted:
            if context is None:
                return Response(status_code=400, content=b"")
            try:
                body = bytearray(encryption.decrypt(context, bytes(body)))
            except encryption.EncryptionError:
                return Response(status_code=400, content=b"")
        headers = [(b"www-authenticate", v.encode("latin-1")) for v in outcome.www_authenticate]
        if not body:  # an authentication probe (pywinrm and pypsrp send one before sealing)
            response = Response(status_code=200, content=b"")
            response.raw_headers.extend(headers)
            return response
        status, answer = await run_in_threadpool(service.handle, bytes(body), outcome.read_only, outcome.user)
        if encrypted:
            response = Response(status_code=status, content=encryption.encrypt(context, answer),
                                media_type=None)
            response.raw_headers.append((b"content-type", encryption.CONTENT_TYPE.encode()))
        else:
            response = Response(status_code=status, content=answer, media_type=None)
            response.raw_headers.append((b"content-type", SOAP_TYPE.encode()))
        response.raw_headers.extend(headers)
        return response

    return Starlette(routes=[Route("/wsman", wsman, methods=["POST"]), Route("/wsman/", wsman, methods=["POST"])])
