"""`hvemu ui`: serve the checkpoint pane as a local web page (docs/ui.md).

    hvemu ui [--state URL | --world FILE | --url powershell://...|winrm://...] [--port 8765] [--open]
             [--host ADDRESS --password-env VAR [--user NAME]] [--also-host NAME ...]

With `--world` alone the page shows a fresh in-memory state built from the world; with `--state`
(or $HVEMU_STATE, or ./.hvemu/state) that state, which other `hvemu` commands may change at the
same time; with `--url` a real host through the SDK's PowerShell backend. Binds 127.0.0.1; any
other address needs `--password-env` (HTTP Basic).
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from typing import Any

DEFAULT_PORT = 8765


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("ui", parents=[common], help="show VMs and checkpoint trees in a local web page",
                       description="Serve Hyper-V Manager's virtual machines list and Checkpoints pane as a "
                       "web page at http://HOST:PORT/ (docs/ui.md).")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--world", metavar="FILE", help="show a new in-memory state built from this world file")
    source.add_argument("--url", metavar="URL", help="show a real host: powershell://localhost or "
                        "winrm://[user@]host[:port] (the SDK's PowerShell backend)")
    p.add_argument("--host", default="127.0.0.1", help="the address to bind (default 127.0.0.1; another "
                   "address needs --password-env)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the port (default {DEFAULT_PORT})")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.add_argument("--password-env", metavar="VAR", help="the environment variable holding the password "
                   "every request must give (HTTP Basic)")
    p.add_argument("--user", metavar="NAME", help="with --password-env: the user name (default: any)")
    p.add_argument("--also-host", metavar="NAME", action="append", default=[],
                   help="another host of the state to list (repeatable)")
    p.set_defaults(handler=cmd_ui, leaf_parser=p)


def _guard(args: argparse.Namespace) -> Any:
    from hyperv_emu.cli.common import CLIError
    from hyperv_emu.ui.security import Guard, is_loopback

    loopback = is_loopback(args.host)
    if args.password_env is None:
        if args.user is not None:
            raise CLIError("--user needs --password-env VAR (the environment variable that holds the password).")
        if not loopback:
            raise CLIError(f"--host {args.host} serves the page to other computers: give --password-env VAR "
                           "(the environment variable holding the password they must give).")
        return Guard(loopback_only=True)
    password = os.environ.get(args.password_env)
    if not password:
        raise CLIError(f"the environment variable '{args.password_env}' is not set (or empty).")
    return Guard(user=args.user, password=password, loopback_only=loopback)


def _clients(args: argparse.Namespace) -> list[Any]:
    """One SDK client per host shown: the state's (or --url's) host, then each --also-host."""
    from hyperv_emu import sdk
    from hyperv_emu.server.serve import _state

    if args.url is not None:
        if getattr(args, "state", None) is not None:
            from hyperv_emu.cli.common import CLIError

            raise CLIError("--url and --state name two backends: give one.")
        hv = sdk.connect(args.url, computer_name=getattr(args, "computer_name", None))
        hv.get_vms()  # an unreachable host is reported now, not at the first page
    else:
        hv = sdk.connect(_state(args), computer_name=getattr(args, "computer_name", None))
    clients = [hv]
    for name in args.also_host:
        other = hv.host(name)
        other.get_vms()
        clients.append(other)
    return clients


class _Stopped(Exception):
    """SIGTERM: the server has shut down."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped()


def cmd_ui(args: argparse.Namespace) -> int:
    import uvicorn

    from hyperv_emu.server.serve import _listen
    from hyperv_emu.ui.app import UIState, build_app

    guard = _guard(args)
    state = UIState(_clients(args), guard)
    sock = _listen(args.host, args.port)
    sock.listen(128)  # connections made before uvicorn is up wait instead of being refused
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{sock.getsockname()[1]}/"
    print(f"hvemu ui: {url} ({'HTTP Basic' if guard.password else 'this computer only'}); Ctrl+C stops it",
          flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    previous = signal.signal(signal.SIGTERM, _stop) if threading.current_thread() is threading.main_thread() else None
    try:
        config = uvicorn.Config(build_app(state), log_level="warning", access_log=False)
        uvicorn.Server(config).run(sockets=[sock])
    except _Stopped:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        sock.close()
    return 0
