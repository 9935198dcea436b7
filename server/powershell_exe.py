"""`hvemu-powershell`: a `powershell.exe` drop-in on the emulator, and `hvemu install-shim DIR`
writing `powershell`, `powershell.exe` and `pwsh` launchers into DIR (put DIR first on PATH and
tools that spawn `powershell -File x.ps1` run against the emulator).

    hvemu-powershell [-NoProfile] [-NoLogo] [-NonInteractive] [-ExecutionPolicy P]
                     [-InputFormat F] [-OutputFormat F] (-File x.ps1 ARGS | -Command ... |
                     -EncodedCommand B64 | -)

The state: $HVEMU_STATE, else ./.hvemu/state. Script files (-File) are read from this machine.
Exit codes are powershell.exe's (pwsh_run); a command line powershell.exe refuses exits 64 here
(its -196608 cannot be a process exit code outside Windows).
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from typing import Any

EXIT_BAD_LINE = 64
_LAUNCHERS = ("powershell", "powershell.exe", "pwsh")


def main(argv: list[str] | None = None) -> int:
    from hyperv_emu import sdk
    from hyperv_emu.psshim.session import read_script
    from hyperv_emu.sdk.errors import HyperVError
    from hyperv_emu.server.pwsh_run import EXIT_BAD_COMMAND_LINE, run_powershell

    args = sys.argv[1:] if argv is None else argv

    def read(path: str) -> tuple[str, str] | None:
        full = os.path.abspath(path)
        try:
            return full, read_script(full)
        except OSError:
            return None

    needs_stdin = "-" in args or not args
    stdin = sys.stdin.read() if needs_stdin and not sys.stdin.isatty() else ""
    try:
        client = sdk.connect(None)
    except HyperVError as exc:
        sys.stderr.write(f"hvemu-powershell: {exc.message}\n")
        return 1
    # powershell.exe writes an encoded command's errors as CLIXML when standard error is
    # redirected (ConsoleHost's ErrorFormat); on a terminal, as text.
    clixml_errors = None if not sys.stderr.isatty() else False
    # a local drop-in: the process that spawned it passes its environment, as to powershell.exe
    try:
        result = run_powershell(client, args, stdin, read_script=read, environment=os.environ,
                                clixml_errors=clixml_errors, newline="\n")
    except HyperVError as exc:  # the state cannot be opened (missing, corrupt, ...)
        sys.stderr.write(f"hvemu-powershell: {exc.message}\n")
        return 1
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.write(result.stderr)
    sys.stderr.flush()
    return EXIT_BAD_LINE if result.exit_code == EXIT_BAD_COMMAND_LINE else result.exit_code & 0xFF


def console_main() -> None:
    raise SystemExit(main())


# --- hvemu install-shim -----------------------------------------------------------------------------


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("install-shim", parents=[common],
                       help="write powershell, powershell.exe and pwsh launchers running hvemu-powershell",
                       description="Write launchers into DIR; put DIR first on PATH.")
    p.add_argument("dir", metavar="DIR", help="the folder to write them into (created if missing)")
    p.set_defaults(handler=cmd_install_shim, leaf_parser=p)


def launcher_text(python: str, state: str | None) -> str:
    lines = ["#!/bin/sh", "# hvemu: powershell.exe on the emulator (hvemu install-shim)"]
    if state:
        # the state given to install-shim, unless HVEMU_STATE names another (a quoted word:
        # inside "${VAR:=...}" the quotes would become part of the value)
        lines.append(f'[ -n "${{HVEMU_STATE:-}}" ] || HVEMU_STATE={_sh_quote(state)}; export HVEMU_STATE')
    lines.append(f'exec {_sh_quote(python)} -m hyperv_emu.server.powershell_exe "$@"')
    return "\n".join(lines) + "\n"


def _sh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def cmd_install_shim(args: argparse.Namespace) -> int:
    from hyperv_emu.cli.common import CLIError

    try:
        os.makedirs(args.dir, exist_ok=True)
        for name in _LAUNCHERS:
            path = os.path.join(args.dir, name)
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(launcher_text(sys.executable, getattr(args, "state", None)))
            os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except OSError as exc:
        raise CLIError(f"cannot write the launchers in '{args.dir}': {exc.strerror or exc}") from None
    sys.stdout.write(f"Wrote {', '.join(_LAUNCHERS)} in {args.dir}; put it first on PATH.\n")
    return 0


if __name__ == "__main__":
    console_main()
