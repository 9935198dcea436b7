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
        from hyperv_emu.psshim.commandline import split_windows_command_line
        from hyperv_emu.psshim.launch import launch
        from hyperv_emu.psshim.runtime.runner import RunSettings

        ctx = self.ctx
        parent_host = ctx.interp.host
        workdir = ctx.resolve_path(str(self.WorkingDirectory)) if self.WorkingDirectory else str(ctx.interp.location)
        # Start-Process joins -ArgumentList's elements with spaces; the child splits the line again
        args = split_windows_command_line(" ".join(str(a) for a in (self.ArgumentList or [])))
        out_parts: list[str] = []
        err_parts: list[str] = []
        visible = bool(self.NoNewWindow)  # else the child had a console window of its own

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

        stdin_text = None
        if self.RedirectStandardInput:
            stdin_text = ctx.services.files.read_text(ctx.resolve_path(str(self.RedirectStandardInput)))
        s = ctx.interp.settings
        settings = RunSettings(edition=edition, culture=s.culture, width=s.width, max_steps=s.max_steps,
                               timeout_seconds=s.timeout_seconds, utc_offset=s.utc_offset)
        code = launch(args, services=ctx.services, settings=settings, workdir=workdir, write_out=write_out,
                      write_err=write_err, answers=parent_host.answers if visible else None,
                      stdin_text=stdin_text, registry=ctx.interp.registry)
        self.flush(out_parts, err_parts)
        return code

    def flush(self, out_parts: list[str], err_parts: list[str]) -> None:
        files = self.ctx.services.files
        if self.RedirectStandardOutput:
            files.write_text(self.ctx.resolve_path(str(self.RedirectStandardOutput)),
                             "".join(out_parts).replace("\n", "\r\n"), False)
        if self.RedirectStandardError:
            files.write_text(self.ctx.resolve_path(str(self.RedirectStandardError)),
                             "".join(err_parts).replace("\n", "\r\n"), False)

