"""One `powershell.exe` process, emulated: its command line (psshim.commandline, the project's one
parser of powershell.exe/pwsh arguments), its script run through
psshim against an SDK client, its standard output, standard error and exit code.

Used by the winrs shell (`powershell -EncodedCommand ...` over WinRM) and by the
`hvemu-powershell` drop-in. Exit codes are powershell.exe's: `-File`: the script's `exit N`,
1 after a terminating error or a parse error, else 0; `-Command`: `exit N`, else 1 when the
last pipeline failed (`$?` false), else 0; a command line it refuses: -196608 (0xFFFD0000).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

import attrs

from hyperv_emu import sdk
from hyperv_emu.server import clixml
from hyperv_emu.psshim.commandline import CommandLine, CommandLineError, parse_command_line

EXIT_BAD_COMMAND_LINE = -196608


@attrs.frozen
class ProcessResult:
    stdout: str
    stderr: str
    exit_code: int


def _bad_line(message: str, exit_code: int = EXIT_BAD_COMMAND_LINE) -> ProcessResult:
    return ProcessResult("", message + "\r\n", exit_code)


ScriptReader = Callable[[str], "tuple[str, str] | None"]


def run_powershell(client: sdk.HyperVClient, argv: list[str] | tuple[str, ...], stdin: str = "", *,
                   read_script: ScriptReader, environment: Mapping[str, str], clixml_errors: bool | None = None,
                   newline: str = "\r\n", cwd: str | None = None) -> ProcessResult:
    """Run one powershell.exe command line, its standard error redirected. `read_script(path)`
    gives a -File script's full path and text (None when there is no such file): a full POSIX
    path is a script on this machine (its folder is the run's), else one on the emulated host.
    `clixml_errors` None means
    as powershell.exe decides (ConsoleHost's ErrorFormat: CLIXML when the command came encoded
    and standard error is redirected; 7 also keeps text when -OutputFormat was given).
    `environment`: the process's variables (the world's `[env]` goes on top); `cwd`: its
    working folder on the emulated host (None: psshim's default)."""
    edition = str(client.settings().get("edition") or "5.1")
    try:
        args = parse_command_line(list(argv), "7" if edition.startswith("7") else "5.1")
    except CommandLineError as exc:
        return _bad_line(exc.message, exc.exit_code)
    if clixml_errors is None:
        as_clixml = args.encoded and not (edition.startswith("7") and args.output_format.casefold() != "text")
    else:
        as_clixml = clixml_errors
    result = _run(client, args, stdin, read_script, environment, cwd)
    if result.stdout or result.stderr:
        out = result.stdout.replace("\r\n", "\n").replace("\n", newline)
        err = result.stderr.replace("\r\n", "\n").replace("\n", newline)
        if as_clixml and err:
            err = clixml.error_stream(err)
        return ProcessResult(out, err, result.exit_code)
    return result


def _run(client: sdk.HyperVClient, args: CommandLine, stdin: str, read_script: ScriptReader,
         environment: Mapping[str, str], cwd: str | None = None) -> ProcessResult:
    from hyperv_emu.psshim.session import Session

    if args.show_help:
        return ProcessResult("PowerShell[.exe] [-File <path> <args>]\n"
                             "    [-Command { - | <script-block> [-args <arg-array>]\n"
                             "    | <string> [<CommandParameters>] } ] [-EncodedCommand <Base64EncodedCommand>]\n"
                             "    [-NoProfile] [-NoLogo] [-NonInteractive] [-ExecutionPolicy <ExecutionPolicy>]\n"
                             "    [-InputFormat {Text | XML}] [-OutputFormat {Text | XML}]\n", "", 0)
    out: list[str] = []
    err: list[str] = []
    script_dir = None
    if args.file is not None:
        path = args.file
        if not path.lower().endswith(".ps1"):
            return _bad_line(f"Processing -File '{path}' failed because the file does not have a '.ps1' extension. "
                             "Specify a valid Windows PowerShell script file name, and then try again.")
        found = read_script(path)
        if found is None:
            return _bad_line(f"The argument '{path}' to the -File parameter does not exist. Provide the path to an "
                             "existing '.ps1' file as an argument to the -File parameter.")
        full_path, text = found
        script_dir = os.path.dirname(full_path) if full_path.startswith("/") else None
    session = Session(client, environment=environment)
    rs = session.runspace(out.append, err.append, None, script_dir, location=cwd)
    if args.file is not None:
        code = int(rs.run_script(text, full_path, args.argv()))
    else:
        command = args.command
        if command is None:
            command = stdin if (args.commands_from_stdin or stdin) else ""
        if not command.strip():
            return ProcessResult("", "", 0)
        code = int(rs.run_command(command))
        if code == 0 and not getattr(rs.interp, "status", True) and not _ended_by_exit(command):
            code = 1
    return ProcessResult("".join(out), "".join(err), code)


def _ended_by_exit(command: str) -> bool:
    return command.rstrip().rstrip(";").split(";")[-1].strip().lower().startswith("exit")
