"""Start-Process on the emulated host.

`powershell.exe` and `pwsh` (by name or by their install paths) run in psshim as a new
process: the arguments are parsed by `psshim.commandline` (the one powershell command-line
parser), the child gets a fresh session (its own global scope and location) on the same host,
and runs the -File script or the -Command text to the end before Start-Process returns. With
-NoNewWindow (or -RedirectStandardOutput/-RedirectStandardError) its output is this console's
(or the files'); otherwise it had a window of its own and nothing of it is seen here.
-PassThru returns a Process object whose ExitCode is the child's exit code.

A `.ps1` path opens the script's associated program on Windows (Notepad): nothing runs. Any
other program fails with a clear error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.runtime import paths as P
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, Param, ValidateSet, cmdlet

MGMT = "Microsoft.PowerShell.Management"
NS = "Microsoft.PowerShell.Commands."

_POWERSHELL = {"powershell", "powershell.exe"}
_PWSH = {"pwsh", "pwsh.exe"}


def child_pid(ctx: Any) -> int:
    count: int = getattr(ctx.interp, "_child_processes", 0) + 1
    setattr(ctx.interp, "_child_processes", count)
    return 4000 + 4 * count


@cmdlet("Start-Process", aliases=("saps", "start"), module=MGMT, class_name=NS + "StartProcessCommand",
        default_set="Default", supports_should_process=True,
        notes="Runs powershell.exe/pwsh -File/-Command in psshim as a new process (at once, to the end); a .ps1 "
              "path opens its editor (nothing runs); other programs fail. -Verb RunAs changes nothing (the session "
              "is elevated); -Credential is not supported.")
class StartProcess(Cmdlet):
    """Starts powershell.exe or pwsh (a new psshim session)."""

    FilePath = Param("string", position=0, mandatory=True, aliases=("PSPath", "Path"))
    ArgumentList = Param("string[]", position=1, aliases=("Args",))
    WorkingDirectory = Param("string")
    Wait = Param("switch")
    NoNewWindow = Param("switch", aliases=("nnw",))
    PassThru = Param("switch")
    WindowStyle = Param("string", validate=[ValidateSet("Normal", "Hidden", "Minimized", "Maximized")])
    RedirectStandardOutput = Param("string", aliases=("RSO",))
    RedirectStandardError = Param("string", aliases=("RSE",))
    RedirectStandardInput = Param("string", aliases=("RSI",))
    Verb = Param("string")
    Credential = Param("object", aliases=("RunAs",))
    LoadUserProfile = Param("switch", aliases=("Lup",))
    UseNewEnvironment = Param("switch")

    def process_record(self) -> Iterator[Any]:
        ctx = self.ctx
        if self.Credential is not None:
            raise not_supported("Start-Process -Credential (the emulated host has one account)")
        if self.Verb is not None and str(self.Verb).casefold() not in ("runas", "open"):
            raise not_supported(f"Start-Process -Verb {self.Verb}")
        program = str(self.FilePath)
        leaf = P.leaf(program.replace("/", "\\")).casefold()
        if leaf in _POWERSHELL or leaf in _PWSH:
            edition = "7" if leaf in _PWSH else "5.1"
            if not ctx.should_process(program):
                return
            code = self.run_child(edition)
            name = "pwsh" if edition == "7" else "powershell"
        elif leaf.endswith(".ps1"):
            full = ctx.resolve_path(program)
            if not ctx.services.files.exists(full):
                self.not_found()
                return
            if not ctx.should_process(full):
                return
            code, name = 0, "notepad"   # the .ps1 association opens Notepad; nothing runs
        else:
            full = ctx.resolve_path(program) if ("\\" in program or "/" in program) else program
            files = ctx.services.files
            if ("\\" in program or "/" in program) and not files.exists(full):
                self.not_found()
                return
            raise not_supported(f"Start-Process '{program}' (only powershell.exe and pwsh run on the emulated host)")
        if self.PassThru:
            from hyperv_emu.psshim.cmdlets.admin import ProcessInfo

            yield ProcessInfo(child_pid(ctx), name, ctx.now(), code)

    def not_found(self) -> None:
        self.ctx.write_error(self.ctx.error_record(
            "This command cannot be run due to the error: The system cannot find the file specified.",
            "InvalidOperationException", "InvalidOperation",
            exception_type="System.InvalidOperationException"))

    def run_child(self, edition: str) -> int:
        from hyperv_emu.psshim.commandline import CommandLineError, parse_command_line, split_windows_command_line
        from hyperv_emu.psshim.runtime.host import Host
        from hyperv_emu.psshim.runtime.prompts import Answers
        from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings

        ctx = self.ctx
        files = ctx.services.files
        parent_host = ctx.interp.host
        workdir = ctx.resolve_path(str(self.WorkingDirectory)) if self.WorkingDirectory else str(ctx.interp.location)
        # Start-Process joins -ArgumentList's elements with spaces; the child splits the line again
        line = " ".join(str(a) for a in (self.ArgumentList or []))
        args = split_windows_command_line(line)

        out_parts: list[str] = []
        err_parts: list[str] = []
        visible = bool(self.NoNewWindow)

        def write_out(text: str) -> None:
            if self.RedirectStandardOutput:
                out_parts.append(text)
            elif visible:
                parent_host.write_out(text)

        def write_err(text: str) -> None:
            if self.RedirectStandardError:
                err_parts.append(text)
            elif visible:
                parent_host.write_err(text)

        def in_child(path: str) -> str:
            return P.resolve(workdir, path)

        try:
            cl = parse_command_line(args, edition, file_exists=lambda p: bool(files.exists(in_child(p))),
                                    stdin_redirected=bool(self.RedirectStandardInput))
        except CommandLineError as exc:
            write_err(exc.message + "\n")
            self.flush(out_parts, err_parts)
            return exc.exit_code
        answers = Answers.non_interactive() if cl.non_interactive or not visible else parent_host.answers
        if self.RedirectStandardInput:
            stdin_text = files.read_text(ctx.resolve_path(str(self.RedirectStandardInput)))
            answers = Answers.non_interactive() if cl.non_interactive else Answers.from_text(stdin_text)
        settings = ctx.interp.settings
        child_settings = RunSettings(edition=edition, culture=settings.culture, width=settings.width,
                                     max_steps=settings.max_steps, timeout_seconds=settings.timeout_seconds,
                                     location=workdir, utc_offset=settings.utc_offset)
        child = Runspace(ctx.services, child_settings, Host(write_out, write_err, answers=answers),
                         registry=ctx.interp.registry)
        child.interp.location = workdir
        if cl.file is not None:
            path = in_child(cl.file)
            from hyperv_emu.psshim.host_services import decode_text

            reader = getattr(files, "read_bytes", None)
            text = decode_text(reader(path), "utf-8") if reader is not None else files.read_text(path)
            code = child.run_script(text, path, cl.argv())
        elif cl.command is not None:
            code = child.run_command(cl.command)
        elif cl.commands_from_stdin and self.RedirectStandardInput:
            code = child.run_command(files.read_text(ctx.resolve_path(str(self.RedirectStandardInput))))
        else:
            code = 0  # an interactive console in a window of its own: nothing to see here
        child.host.finish()
        self.flush(out_parts, err_parts)
        return int(code)

    def flush(self, out_parts: list[str], err_parts: list[str]) -> None:
        files = self.ctx.services.files
        if self.RedirectStandardOutput:
            files.write_text(self.ctx.resolve_path(str(self.RedirectStandardOutput)),
                             "".join(out_parts).replace("\n", "\r\n"), False)
        if self.RedirectStandardError:
            files.write_text(self.ctx.resolve_path(str(self.RedirectStandardError)),
                             "".join(err_parts).replace("\n", "\r\n"), False)

