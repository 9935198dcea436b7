"""`hvemu run` and `hvemu shell`: PowerShell scripts against an emulated (or SDK) Hyper-V host.

    hvemu run [--state URL] [--world FILE] [--timeout S] script.ps1 [script arguments]
    hvemu run [--state URL] [--world FILE] -c 'Get-VM | Select-Object Name, State'
    hvemu run [--state URL] [--world FILE] -          (the script on standard input)
    hvemu shell [--state URL] [--world FILE]          (an interactive prompt with history)

Prompts (Read-Host, -Confirm, ShouldContinue, Get-Credential, Out-GridView -PassThru) read their
answers from standard input, one line each, as powershell.exe does when its input is redirected;
`hvemu run -` reads the script from standard input, so no answers are left. With
`--non-interactive` every prompt fails at once, as under `powershell.exe -NonInteractive`.

State selection (../shared/docs/scenarios.md, "Running a world"): with `--world` and `--state`,
an empty or missing state is first initialised from the world (an existing one is an error);
with `--world` alone the run uses a temporary in-memory state, gone afterwards; with neither,
the default state (`$HVEMU_STATE`, else ./.hvemu/state).

The exit code is that of `powershell.exe -File`: the script's `exit N`, 1 after a parse error
or a terminating error that ended the script, else 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hyperv_emu.cli.progress import ProgressView

from hyperv_emu.cli.common import CLIError, startup_finished


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    run = sub.add_parser("run", parents=[common], help="run a PowerShell script against the emulator",
                         description="Run a PowerShell script (or -c COMMAND) against the emulator.")
    _run_options(run)
    run.add_argument("-c", "--command", metavar="COMMAND", help="run this command line instead of a script")
    run.add_argument("--non-interactive", "-NonInteractive", dest="non_interactive", action="store_true",
                     help="fail every prompt at once (powershell.exe -NonInteractive)")
    run.add_argument("script", nargs="?", help="the .ps1 file, or - for standard input")
    run.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments bound to the script's param() block")
    run.set_defaults(handler=cmd_run, leaf_parser=run)
    shell = sub.add_parser("shell", parents=[common], help="an interactive PowerShell prompt on the emulator",
                           description="An interactive PowerShell prompt (with history) on the emulator.")
    _run_options(shell)
    shell.set_defaults(handler=cmd_shell, leaf_parser=shell)


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--world", metavar="FILE", help="initialise the state from this world file first")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="stop a script that runs longer than this")
    p.add_argument("--edition", choices=["5.1", "7"], help="PowerShell edition rules (default: the world's)")


class _Session:
    """The state a run uses, created and cleaned up as the options say."""

    def __init__(self, args: argparse.Namespace) -> None:
        from hyperv_emu import sdk
        from hyperv_emu.psshim.session import Session

        self.temp_url: str | None = None
        self.progress: ProgressView | None = None
        state = getattr(args, "state", None)
        world = getattr(args, "world", None)
        computer_name = getattr(args, "computer_name", None)
        if world is None:
            self.url = state or sdk.default_state_url()
            client = sdk.connect(self.url, computer_name=computer_name)
        else:
            text = sdk.read_world_file(world)
            if state is None:
                # A throwaway state lives in memory: no disk writes, and sparse disk files cost
                # nothing (a world's gigabytes of `written` are holes).
                state = self.temp_url = f"memory://hvemu-run/{uuid.uuid4().hex}"
            elif sdk.state_exists(state):
                raise CLIError(f"the state '{state}' already holds a state; run without --world to use it, "
                               "or give an empty --state.")
            self.url = state
            from hyperv_emu.cli.progress import FileOpsBar

            bar = FileOpsBar("Creating disk files")  # a big world's files, on a terminal
            try:
                client = sdk.load_world(state, text, world, computer_name=computer_name, progress=bar)
            finally:
                bar.close()
        self.session = Session(client, url=self.url, edition=getattr(args, "edition", None),
                               timeout=getattr(args, "timeout", None), answers=_answers(args))

    def runspace(self, script_dir: str | None) -> Any:
        """A runspace on the console: error records in the console host's error colours and
        warning, verbose and debug lines in its warning colours on a colour terminal; a
        script's Write-Progress as bars when standard error is a terminal (see cli.colour,
        cli.progress). Redirected, the text is written as it is."""
        from hyperv_emu.cli import colour, progress

        out = _writer(sys.stdout)
        error_colour = colour.painter(sys.stderr, colour.ERROR)
        err = _writer(sys.stderr)
        stream_colour = colour.painter(sys.stdout, colour.WARNING)

        if progress.enabled(sys.stderr):
            view = self.progress = progress.ProgressView(sys.stderr)
            plain_out, plain_err = out, err

            def out(text: str) -> None:
                with view.writing():
                    plain_out(text)

            def err(text: str) -> None:
                with view.writing():
                    plain_err(text)

        def write_err(text: str) -> None:
            err(error_colour(text))

        def write_stream(kind: str, text: str) -> None:
            out(stream_colour(text) if kind in ("warning", "verbose", "debug") else text)

        return self.session.runspace(out, write_err, script_dir=script_dir, write_stream=write_stream,
                                     progress=self.progress)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()
        if self.temp_url is not None:
            self.session.discard()


def _answers(args: argparse.Namespace) -> Any:
    """Where prompts read their answers: standard input, unless the script itself comes from
    there or --non-interactive is given."""
    from hyperv_emu.psshim.runtime.prompts import Answers

    if getattr(args, "non_interactive", False) or getattr(args, "script", None) == "-" or sys.stdin is None:
        return Answers.non_interactive()
    return Answers.from_stream(sys.stdin)


def _writer(stream: Any) -> Any:
    """Write and flush; once the reader has gone away (`hvemu run x.ps1 | head`), drop the rest
    quietly instead of failing the script."""
    closed = False

    def write(text: str) -> None:
        nonlocal closed
        if closed:
            return
        try:
            stream.write(text)
            stream.flush()
        except BrokenPipeError:
            closed = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())

    return write


def _read_script(path: str) -> str:
    from hyperv_emu.psshim.host_services import decode_text
    from hyperv_emu.psshim.session import read_script

    try:
        if path == "-":
            data = sys.stdin.buffer.read()
            return decode_text(data) if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe")) else data.decode("utf-8", "replace")
        return read_script(path)
    except OSError as exc:
        raise CLIError(f"cannot read the script '{path}': {exc.strerror or exc}.") from exc


def cmd_run(args: argparse.Namespace) -> int:
    if args.command is None and args.script is None:
        raise CLIError("give a script to run (a .ps1 file, or - for standard input), or -c COMMAND.")
    if args.command is not None and args.script is not None:
        # `hvemu run -c 'cmd'` takes no script; anything after -c's argument is an error.
        raise CLIError("give either a script or -c COMMAND, not both.")
    session = _Session(args)
    try:
        code = _run(session, args)
    except BaseException:
        session.close()
        raise
    if session.progress is not None:
        session.progress.close()
    if session.temp_url is not None and getattr(args, "owns_process", False):
        # The state lived in this process's memory and nobody else can see it: the process may
        # end at once, without tearing the state and every other object down (see cli.main).
        args.exit_process = True
    else:
        session.close()
    return code


HARD_DEADLINE_GRACE = 0.5
"""Seconds after --timeout at which the watchdog interrupts a step that overran the budget (the
interpreter's own check between steps stops everything else at --timeout itself)."""


def _run(session: _Session, args: argparse.Namespace) -> int:
    from hyperv_emu.cli.watchdog import TimeBudgetInterrupt, hard_deadline

    timeout = getattr(args, "timeout", None)
    if args.command is not None:
        rs = session.runspace(os.getcwd())
        startup_finished(args)

        def run() -> int:
            return int(rs.run_command(args.command))
    else:
        path = args.script
        text = _read_script(path)
        script_path = None if path == "-" else os.path.abspath(path)
        # relative code paths the host does not have are looked for from the current folder, as
        # powershell.exe -File resolves them (psshim.runtime.pipeline.local_code_path)
        rs = session.runspace(os.getcwd())
        startup_finished(args)

        def run() -> int:
            return int(rs.run_script(text, script_path, list(args.script_args)))
    try:
        with hard_deadline(None if timeout is None else timeout + HARD_DEADLINE_GRACE):
            code = run()
    except TimeBudgetInterrupt:
        # one long step overran --timeout: the run ends with the time budget's error
        record = rs.interp.time_budget_record()
        rs.interp.add_error(record)
        rs.host.write_err(rs.render_error(record))
        code = 1
    rs.host.finish()  # the process ends: an open transcript writes its footer
    return code


def cmd_shell(args: argparse.Namespace) -> int:
    session = _Session(args)
    try:
        rs = session.runspace(os.getcwd())
        startup_finished(args)
        return _repl(rs)
    finally:
        session.close()


def _repl(rs: Any) -> int:
    try:
        import readline  # line editing and history for input()

        history = os.path.expanduser("~/.hvemu_history")
        try:
            readline.read_history_file(history)
        except OSError:
            pass
        from hyperv_emu.cli.shell_complete import install

        install(rs)  # TAB completes cmdlets, parameters and VM names
    except ImportError:  # pragma: no cover - readline is absent on some platforms
        history = ""
    from hyperv_emu.psshim.parser import ParseError, parse

    code = 0
    while True:
        try:
            line = input("PS C:\\Users\\Administrator> ")
        except EOFError:
            sys.stdout.write("\n")
            break
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            continue
        text = line
        while True:  # an incomplete statement (an open brace, a pipe at the end) reads on
            try:
                parse(text)
                break
            except ParseError as exc:
                if not any(e.error_id.startswith(("MissingEnd", "Incomplete", "MissingCloseParen", "MissingExpressionAfter"))
                           for e in exc.errors) or not text.strip():
                    break
            try:
                text += "\n" + input(">> ")
            except EOFError:
                break
        if text.strip() in ("exit", "quit"):
            break
        code = int(rs.run_command(text))
    rs.host.finish()
    if history:
        try:
            import readline

            readline.write_history_file(history)
        except OSError:
            pass
    return code
