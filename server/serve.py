"""`hvemu serve`: the WinRM endpoint on the emulator (docs/server.md).

    hvemu serve [--state URL | --world FILE] [--host 127.0.0.1] [--port 5985]
                [--https [--cert FILE --key FILE]] [--user U --password-env VAR]
                [--read-only-user R --read-only-password-env VAR2]

With `--world` alone the server serves a fresh in-memory state built from the world; with
`--state` (or $HVEMU_STATE, or ./.hvemu/state) it serves that state, which `hvemu` commands
and other servers may use at the same time. Binds 127.0.0.1 unless told otherwise. With
`--user`, clients must authenticate as that user (Basic, or Negotiate/NTLM with message
encryption); the password comes from the environment variable `--password-env` names.
`--read-only-user` is a second account whose sessions may read but every change they attempt
is refused as Hyper-V refuses an unauthorized account. With `--https` it serves TLS (default port 5986) with the given certificate and key, or a
generated self-signed certificate (tls.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import threading
import uuid
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the emulator over WinRM (WS-Management, PSRP)",
                       description="Serve the emulator as a WinRM endpoint at http://HOST:PORT/wsman.")
    p.add_argument("--world", metavar="FILE", help="serve a new in-memory state built from this world file")
    p.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="the port (default 5985, 5986 with --https)")
    p.add_argument("--https", action="store_true", help="serve HTTPS (TLS) instead of HTTP")
    p.add_argument("--cert", metavar="FILE", help="with --https: the PEM certificate (default: a generated "
                   "self-signed one)")
    p.add_argument("--key", metavar="FILE", help="with --https: the PEM private key of --cert")
    p.add_argument("--user", metavar="USER", help="the user clients authenticate as (DOMAIN\\user or user)")
    p.add_argument("--password-env", metavar="VAR", help="the environment variable holding --user's password")
    p.add_argument("--read-only-user", metavar="USER", help="a second account whose sessions may read but not "
                   "change anything (needs --user)")
    p.add_argument("--read-only-password-env", metavar="VAR",
                   help="the environment variable holding --read-only-user's password")
    p.add_argument("--max-request-size", metavar="BYTES", type=_size, default=None,
                   help="refuse (HTTP 413) a request body larger than this (default 10 MiB; 500KB, 10MB, ...)")
    p.set_defaults(handler=cmd_serve, leaf_parser=p)


def _size(text: str) -> int:
    """A byte count: digits with an optional KB/MB/GB (1024-based) suffix, as the world file's sizes."""
    units = {"": 1, "B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "KIB": 1024, "MIB": 1024 ** 2}
    t = text.strip().upper().replace(" ", "")
    digits = t.rstrip("KMGIB")
    unit = t[len(digits):]
    if not digits.isdigit() or unit not in units or int(digits) * units[unit] < 1024:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size of at least 1KB (e.g. 500KB, 10MB).")
    return int(digits) * units[unit]


def _account(user: str | None, password_env: str | None, user_option: str, password_option: str) -> Any:
    from hyperv_emu.cli.common import CLIError
    from hyperv_emu.server.auth import Credentials

    if user is None:
        if password_env is not None:
            raise CLIError(f"{password_option} needs {user_option}.")
        return None
    if password_env is None:
        raise CLIError(f"{user_option} needs {password_option} VAR (the environment variable that holds the "
                       "password).")
    password = os.environ.get(password_env)
    if password is None:
        raise CLIError(f"the environment variable '{password_env}' is not set.")
    return Credentials(user, password)


def _credentials(args: argparse.Namespace) -> tuple[Any, Any]:
    """(the administrator's credentials, the read-only account's), each None when not given."""
    from hyperv_emu.cli.common import CLIError

    admin = _account(args.user, args.password_env, "--user", "--password-env")
    reader = _account(args.read_only_user, args.read_only_password_env, "--read-only-user",
                      "--read-only-password-env")
    if reader is not None:
        if admin is None:
            raise CLIError("--read-only-user needs --user (the administrator's account).")
        if reader.user.rpartition("\\")[2].lower() == admin.user.rpartition("\\")[2].lower():
            raise CLIError("--read-only-user must differ from --user.")
    return admin, reader


def _state(args: argparse.Namespace) -> str:
    from hyperv_emu import sdk
    from hyperv_emu.cli.common import CLIError

    state = getattr(args, "state", None)
    if args.world is None:
        url = state or sdk.default_state_url()
        sdk.connect(url).get_vms()  # a missing state is reported now, not at the first request
        return url
    if state is not None:
        if sdk.state_exists(state):
            raise CLIError(f"the state '{state}' already holds a state; serve it without --world, or give an "
                           "empty --state.")
        url = state
    else:
        url = f"memory://hvemu-serve/{uuid.uuid4().hex}"
    sdk.load_world(url, sdk.read_world_file(args.world), args.world)
    return url


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before the server starts, so that a port in use is one
    clear error."""
    from hyperv_emu.cli.common import CLIError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror}.") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    return sock


class _Stopped(Exception):
    """SIGTERM: the server has shut down."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped()


def _tls(args: argparse.Namespace) -> Any:
    """The certificate and key files for --https (None without it), checked now so that a bad
    file is one error line."""
    import ssl

    from hyperv_emu.cli.common import CLIError
    from hyperv_emu.server.tls import tls_files

    if not args.https:
        if args.cert is not None or args.key is not None:
            raise CLIError("--cert and --key need --https.")
        return None
    try:
        files = tls_files(args.host, args.cert, args.key)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(files.cert, files.key)
    except (ssl.SSLError, OSError) as exc:
        files.remove()
        raise CLIError(f"cannot use the certificate '{files.cert}' with the key '{files.key}': "
                       f"{getattr(exc, 'reason', None) or exc}.") from None
    return files


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hyperv_emu.server.app import MAX_BODY, ServerConfig, WSManService, build_app
    from hyperv_emu.server.auth import Authenticator, ntlm_user_file
    from hyperv_emu.server.connections import connection_aware_protocol
    from hyperv_emu.server.tls import HTTP_PORT, HTTPS_PORT

    credentials, reader = _credentials(args)
    readers = (reader,) if reader is not None else ()
    url = _state(args)
    port = args.port if args.port is not None else (HTTPS_PORT if args.https else HTTP_PORT)
    tls = _tls(args)
    try:
        sock = _listen(args.host, port)
    except BaseException:
        if tls is not None:
            tls.remove()
        raise
    user_file = None
    if credentials is not None:
        # pyspnego's NTLM acceptor reads the accepted credentials from this file; the process
        # serving is ours, so its environment may point there.
        user_file = ntlm_user_file(credentials, *readers)
        os.environ["NTLM_USER_FILE"] = user_file
    user = credentials.user.rpartition("\\")[2] if credentials is not None else "Administrator"
    service = WSManService(ServerConfig(url, getattr(args, "computer_name", None), user))
    authenticator = Authenticator(credentials, readers)
    app = build_app(service, authenticator,
                    args.max_request_size if args.max_request_size is not None else MAX_BODY)
    scheme = "https" if tls is not None else "http"
    print(f"hvemu serve: WinRM endpoint {scheme}://{args.host}:{port}/wsman on the state {url}", flush=True)
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again for the handler it
    # found: ours ends the command normally, so that the clean-up below runs.
    previous = signal.signal(signal.SIGTERM, _stop) if threading.current_thread() is threading.main_thread() else None
    try:
        ssl_options = {} if tls is None else {"ssl_certfile": tls.cert, "ssl_keyfile": tls.key}
        config = uvicorn.Config(app, log_level="warning", access_log=False,
                                http=connection_aware_protocol(authenticator.forget), **ssl_options)
        uvicorn.Server(config).run(sockets=[sock])
    except _Stopped:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sock.close()
        if user_file is not None:
            os.unlink(user_file)
        if tls is not None:
            tls.remove()
    return 0
