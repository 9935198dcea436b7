"""Run a `powershell.exe` / `pwsh` command line as a new process on the emulated host.

    code = launch(["-NoProfile", "-NonInteractive", "-File", "C:\\Scripts\\job.ps1", "-VMName", "x"],
                  services=services, settings=RunSettings(edition="5.1"), workdir="C:\\Scripts",
                  write_out=out.append, write_err=err.append)

Start-Process runs its children through it; the server's drop-in scripts and scheduled task
actions are meant to do the same. The arguments are parsed by `psshim.commandline` (the one
powershell command-line parser); a bad command line writes the console host's message to
standard error and gives its exit code (5.1: -196608, pwsh: 64). The child is a fresh session
(its own global scope and location) on the same services: it runs the -File script with its
arguments, the -Command / -EncodedCommand text, or the commands of standard input (`-Command -`),
to the end. Its prompts read `stdin_text` (one answer per line), or `answers` when given; with
-NonInteractive, or with neither, every prompt fails at once. The exit code is powershell.exe's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hyperv_emu.psshim.commandline import CommandLineError, parse_command_line
from hyperv_emu.psshim.runtime import paths as P


def launch(args: Sequence[str], *, services: Any, settings: Any, workdir: str,
           write_out: Callable[[str], None], write_err: Callable[[str], None],
           answers: Any = None, stdin_text: str | None = None, registry: Any = None) -> int:
    """Parse `args` (what follows the exe; `settings.edition` says which exe) and run them."""
    from hyperv_emu.psshim.host_services import decode_text
    from hyperv_emu.psshim.runtime.host import Host
    from hyperv_emu.psshim.runtime.prompts import Answers
    from hyperv_emu.psshim.runtime.runner import Runspace

    files = services.files

    def in_child(path: str) -> str:
        return P.resolve(workdir, path)

    try:
        cl = parse_command_line(args, settings.edition, file_exists=lambda p: bool(files.exists(in_child(p))),
                                stdin_redirected=stdin_text is not None)
    except CommandLineError as exc:
        write_err(exc.message + "\n")
        return exc.exit_code
    if cl.non_interactive:
        answers = Answers.non_interactive()
    elif stdin_text is not None and not cl.commands_from_stdin:
        answers = Answers.from_text(stdin_text)
    settings.location = workdir
    child = Runspace(services, settings, Host(write_out, write_err, answers=answers), registry=registry)
    child.interp.location = workdir
    if cl.file is not None:
        path = in_child(cl.file)
        reader = getattr(files, "read_bytes", None)
        text = decode_text(reader(path), "utf-8") if reader is not None else files.read_text(path)
        code = child.run_script(text, path, cl.argv())
    elif cl.command is not None:
        code = child.run_command(cl.command)
    elif cl.commands_from_stdin and stdin_text is not None:
        code = child.run_command(stdin_text)
    else:
        code = 0  # an interactive console with nothing to run
    child.host.finish()
    return int(code)
