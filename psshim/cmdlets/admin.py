"""Cmdlets admin scripts lean on around their real work: secure strings and credentials, the
host's prompts (Get-Credential, Out-GridView -PassThru), the location stack, transcripts.

Prompts read the host's answers (`psshim.runtime.prompts`): standard input under `hvemu run`,
scripted lines in tests; with none, they fail as under `powershell.exe -NonInteractive`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.psshim.runtime.prompts import PromptUnavailable
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, ValidateSet, cmdlet
from hyperv_emu.psshim.runtime.security import PSCredential, SecureString

SECURITY = "Microsoft.PowerShell.Security"
UTILITY = "Microsoft.PowerShell.Utility"
MGMT = "Microsoft.PowerShell.Management"
NS = "Microsoft.PowerShell.Commands."


@cmdlet("ConvertTo-SecureString", module=SECURITY, class_name=NS + "ConvertToSecureStringCommand",
        default_set="Secure", notes="-AsPlainText only; encrypted standard strings (-Key, DPAPI) are not emulated.")
class ConvertToSecureString(Cmdlet):
    """A SecureString from plain text."""

    String = Param("string", position=0, mandatory=True, pipeline=True)
    AsPlainText = Param("switch", InSet("PlainText", position=1, mandatory=True))
    Force = Param("switch", InSet("PlainText", position=2))
    Key = Param("byte[]", InSet("Open"))
    SecureKey = Param("object", InSet("Secure", position=1))

    def process_record(self) -> Iterator[Any]:
        if not self.AsPlainText:
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("ConvertTo-SecureString of an encrypted standard string")
        if not self.Force and not options.is_core():
            # 5.1 refuses plain text without -Force (pwsh 7 dropped the check)
            self.ctx.throw_terminating(self.ctx.error_record(
                "The system cannot protect plain text input. To suppress this warning and convert the plain text "
                "to a SecureString, reissue the command specifying the Force parameter. For more information ,type: "
                "get-help ConvertTo-SecureString.", "ImportSecureString", "InvalidArgument",
                exception_type="System.ArgumentException"))
        yield SecureString(str(self.String))


@cmdlet("Get-Credential", module=SECURITY, class_name=NS + "GetCredentialCommand", default_set="CredentialSet",
        notes="Reads the user name (unless -UserName) and password lines from standard input: 5.1's dialog writes "
              "nothing, pwsh's console prompt writes its text; fails as under -NonInteractive without them.")
class GetCredential(Cmdlet):
    """A PSCredential from the host's prompt."""

    Credential = Param("object", InSet("CredentialSet", position=0))
    UserName = Param("string", InSet("MessageSet", position=0))
    Message = Param("string", InSet("MessageSet"))
    Title = Param("string", InSet("MessageSet"))

    def process_record(self) -> Iterator[Any]:
        if isinstance(self.Credential, PSCredential):
            yield self.Credential
            return
        user = self.UserName if self.UserName is not None else (
            None if self.Credential is None else C.to_string(self.Credential))
        try:
            name, password = self.ctx.prompt_ui().prompt_for_credential(self.Title, self.Message, user)
        except PromptUnavailable:
            self.ctx.prompt_unavailable()
        if not name:
            return  # an empty user name: the prompt was cancelled, no credential
        yield PSCredential(name, SecureString(password))


@cmdlet("Out-GridView", aliases=("ogv",), module=UTILITY, class_name=NS + "OutGridViewCommand",
        default_set="PassThru",
        notes="No window: with -PassThru or -OutputMode, one line of standard input selects rows by their 1-based "
              "indexes, comma-separated (an empty line is Cancel).")
class OutGridView(Cmdlet):
    """The selected rows of a (virtual) grid window."""

    InputObject = Param("psobject", pipeline=True)
    Title = Param("string")
    Wait = Param("switch", InSet("Wait"))
    OutputMode = Param("string", InSet("OutputMode"), validate=[ValidateSet("None", "Single", "Multiple")])
    PassThru = Param("switch", InSet("PassThru"))

    def begin_processing(self) -> None:
        self.rows: list[Any] = []

    def process_record(self) -> None:
        if self.ctx.has_input:
            self.rows.extend(C.enumerate_value(self.InputObject))

    def end_processing(self) -> Iterator[Any]:
        mode = "Multiple" if self.PassThru else str(self.OutputMode or "None").capitalize()
        if mode == "None":
            return
        try:
            self.ctx.prompt_ui().check_interactive()
            line = self.ctx.prompt_ui().answers.read_raw().strip()
        except PromptUnavailable:
            self.ctx.prompt_unavailable()
        picked: list[int] = []
        for part in line.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= len(self.rows):
                self.ctx.throw_terminating(self.ctx.error_record(
                    f"Out-GridView: '{part}' is not the index of a row (1 to {len(self.rows)}).",
                    "NotARowIndex", "InvalidArgument", exception_type="System.ArgumentException"))
            if int(part) - 1 not in picked:
                picked.append(int(part) - 1)
        if mode == "Single":
            picked = picked[:1]
        for i in sorted(picked):
            yield self.rows[i]


def setup(registry: Any) -> None:
    """The .NET types these cmdlets and admin scripts use, as types of the runtime
    (`[Security.Principal.WindowsIdentity]`, `[pscredential]`, `[GC]`, ...)."""
    from hyperv_emu.psshim.runtime import security as S
    from hyperv_emu.psshim.runtime.hostui import ChoiceDescription

    for full, cls in (("System.Security.Principal.WindowsIdentity", S.WindowsIdentity),
                      ("System.Security.Principal.WindowsPrincipal", S.WindowsPrincipal),
                      ("System.Security.Principal.SecurityIdentifier", S.SecurityIdentifier),
                      ("System.Security.SecureString", S.SecureString),
                      ("System.Management.Automation.PSCredential", S.PSCredential),
                      ("System.Net.NetworkCredential", S.NetworkCredential),
                      ("System.GC", S.GC),
                      ("System.Management.Automation.Host.ChoiceDescription", ChoiceDescription)):
        registry.register_type(full, cls)
    registry.register_enum(S.WindowsBuiltInRole)


# --- the location stack ------------------------------------------------------------------


def _state(ctx: Any) -> "_HostState":
    state: _HostState | None = getattr(ctx.interp, "_admin_state", None)
    if state is None:
        state = _HostState()
        setattr(ctx.interp, "_admin_state", state)
    return state


class _HostState:
    """What these cmdlets keep for one run: the location stacks and the open transcripts."""

    def __init__(self) -> None:
        self.stacks: dict[str, list[str]] = {}
        self.transcripts: list["_Transcript"] = []


def _set_location(ctx: Any, target: str, *, check: bool = True) -> str | None:
    from hyperv_emu.psshim.runtime.winregistry import is_registry_path

    if is_registry_path(target):
        from hyperv_emu.psshim.runtime.errors import not_supported

        raise not_supported("Changing the location to a registry drive")
    full: str = ctx.resolve_path(target)
    if not check:  # a location pushed earlier: restored as it was
        ctx.interp.location = full
        ctx.interp.global_scope.define("PWD", full)
        return full
    files = getattr(ctx.services, "files", None)
    if files is None or not files.exists(full):
        ctx.write_error(ctx.error_record(
            f"Cannot find path '{full}' because it does not exist.", "PathNotFound", "ObjectNotFound",
            target_object=full, exception_type="System.Management.Automation.ItemNotFoundException"))
        return None
    ctx.interp.location = full
    ctx.interp.global_scope.define("PWD", full)
    return full


@cmdlet("Push-Location", aliases=("pushd",), module=MGMT, class_name=NS + "PushLocationCommand")
class PushLocation(Cmdlet):
    """Saves the current location on a stack (-StackName) and goes to -Path."""

    Path = Param("string", position=0, pipeline=True, pipeline_by_property=True)
    LiteralPath = Param("string", aliases=("PSPath",))
    StackName = Param("string")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.cmdlets.core import PathInfo

        before = str(self.ctx.interp.location)
        _state(self.ctx).stacks.setdefault((self.StackName or "default").casefold(), []).append(before)
        target = self.Path or self.LiteralPath
        if target is not None:
            _set_location(self.ctx, str(target))
        if self.PassThru:
            yield PathInfo(before)


@cmdlet("Pop-Location", aliases=("popd",), module=MGMT, class_name=NS + "PopLocationCommand")
class PopLocation(Cmdlet):
    """Returns to the location last pushed (on -StackName)."""

    StackName = Param("string")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        from hyperv_emu.psshim.cmdlets.core import PathInfo

        name = self.StackName or "default"
        stack = _state(self.ctx).stacks.get(name.casefold(), [])
        if not stack:
            if self.StackName is None:
                return  # popping an empty default stack does nothing
            self.ctx.write_error(self.ctx.error_record(
                f"Cannot find location stack '{name}'. It does not exist or it is not a container.",
                "Argument", "InvalidArgument", exception_type="System.Management.Automation.PSArgumentException"))
            return
        full = _set_location(self.ctx, stack.pop(), check=False)
        if full is not None and self.PassThru:
            yield PathInfo(full)


# --- transcripts -------------------------------------------------------------------------


class _Transcript:
    def __init__(self, files: Any, path: str) -> None:
        self.files = files
        self.path = path
        self.closer: Any = None  # what the host runs at the end of the process

    def write(self, text: str) -> None:
        self.files.write_text(self.path, text.replace("\r\n", "\n").replace("\n", "\r\n"), True)


def _stop_transcript(ctx: Any, transcript: _Transcript) -> None:
    """Write the footer and stop copying (Stop-Transcript, or the end of the process)."""
    host = ctx.interp.host
    if transcript.write in host.tees:
        host.tees.remove(transcript.write)
    if transcript.closer in host.closers:
        host.closers.remove(transcript.closer)
    state = _state(ctx)
    if transcript in state.transcripts:
        state.transcripts.remove(transcript)
    product = "PowerShell" if options.is_core() else "Windows PowerShell"
    transcript.write(f"**********************\n{product} transcript end\nEnd time: {_stamp(ctx.now())}\n"
                     "**********************\n")


def _stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%d%H%M%S")


@cmdlet("Start-Transcript", module="Microsoft.PowerShell.Host", class_name=NS + "StartTranscriptCommand",
        default_set="ByPath", supports_should_process=True,
        notes="Writes the header, everything the host writes and the footer to the file on the emulated host.")
class StartTranscript(Cmdlet):
    """Copies what the host writes to a file."""

    Path = Param("string", InSet("ByPath", position=0))
    LiteralPath = Param("string", InSet("ByLiteralPath"), aliases=("PSPath",))
    OutputDirectory = Param("string", InSet("ByOutputDirectory"))
    Append = Param("switch")
    Force = Param("switch")
    NoClobber = Param("switch", aliases=("NoOverwrite",))
    IncludeInvocationHeader = Param("switch")

    def process_record(self) -> Iterator[Any]:
        ctx = self.ctx
        files = ctx.services.files
        env = ctx.services.environment
        computer = _env(env, "COMPUTERNAME", "HV-HOST01")
        user = _env(env, "USERNAME", "Administrator")
        now = ctx.now()
        if self.Path or self.LiteralPath:
            path = ctx.resolve_path(str(self.Path or self.LiteralPath))
        else:
            # PowerShell_transcript.<computer>.<8 random characters>.<start time>.txt in Documents
            folder = ctx.resolve_path(str(self.OutputDirectory)) if self.OutputDirectory else \
                f"C:\\Users\\{user}\\Documents"
            new_guid = getattr(ctx.services, "new_guid", None)
            random = new_guid().hex[:8] if new_guid is not None else "00000000"
            path = f"{folder}\\PowerShell_transcript.{computer}.{random}.{_stamp(now)}.txt"
        if not ctx.should_process(path):
            return
        from hyperv_emu.psshim.runtime.winregistry import is_registry_path

        if is_registry_path(str(self.Path or self.LiteralPath or "")):
            self.cannot_start("The current provider (Microsoft.PowerShell.Core\\Registry) cannot open a file.")
        if self.NoClobber and not self.Append and files.exists(path):
            ctx.throw_terminating(ctx.error_record(
                f"File {path} already exists and NoClobber was specified.", "NoClobber", "ResourceExists",
                target_object=path, exception_type="System.UnauthorizedAccessException"))
        product = "PowerShell" if options.is_core() else "Windows PowerShell"
        header = ("**********************\n"
                  f"{product} transcript start\n"
                  f"Start time: {_stamp(now)}\n"
                  f"Username: {computer}\\{user}\n"
                  f"RunAs User: {computer}\\{user}\n"
                  f"Machine: {computer} (Microsoft Windows NT 10.0.20348.0)\n"
                  "**********************\n")
        transcript = _Transcript(files, path)
        from hyperv_emu.sdk.errors import HyperVError

        try:
            folder = path.rsplit("\\", 1)[0]
            if "\\" in path and not files.exists(folder):
                files.make_dir(folder)  # the host creates the transcript's folder
            if not self.Append:
                files.write_text(path, "", False)
            transcript.write(header)
        except (HyperVError, OSError) as exc:
            self.cannot_start(getattr(exc, "message", None) or str(exc))
        _state(ctx).transcripts.append(transcript)
        ctx.interp.host.tees.append(transcript.write)
        transcript.closer = lambda: _stop_transcript(ctx, transcript)
        ctx.interp.host.closers.append(transcript.closer)
        yield f"Transcript started, output file is {path}"


    def cannot_start(self, reason: str) -> None:
        self.ctx.throw_terminating(self.ctx.error_record(
            f"Transcription cannot be started due to the error: {reason}", "CannotStartTranscription",
            "InvalidOperation", exception_type="System.Management.Automation.PSInvalidOperationException"))


@cmdlet("Stop-Transcript", module="Microsoft.PowerShell.Host", class_name=NS + "StopTranscriptCommand")
class StopTranscript(Cmdlet):
    """Stops the transcript started last."""

    def process_record(self) -> Iterator[Any]:
        ctx = self.ctx
        transcripts = _state(ctx).transcripts
        if not transcripts:
            ctx.throw_terminating(ctx.error_record(
                "An error occurred stopping transcription: The host is not currently transcribing.",
                "InvalidOperation", "InvalidOperation", exception_type="System.Management.Automation.PSInvalidOperationException"))
        transcript = transcripts[-1]
        _stop_transcript(ctx, transcript)
        yield f"Transcript stopped, output file is {transcript.path}"


def _env(env: Any, key: str, default: str) -> str:
    for k, v in (env or {}).items():
        if k.casefold() == key.casefold():
            return str(v)
    return default


class ProcessInfo(PSNative):
    """What Start-Process -PassThru returns (System.Diagnostics.Process)."""

    __ps_type_names__ = ["System.Diagnostics.Process", "System.ComponentModel.Component",
                         "System.MarshalByRefObject", "System.Object"]

    def __init__(self, pid: int, name: str, start: dt.datetime, exit_code: int | None) -> None:
        self.pid = pid
        self.name = name
        self.start = start
        self.exit_code = exit_code

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Id", self.pid), ("ProcessName", self.name), ("StartTime", self.start),
                ("HasExited", self.exit_code is not None), ("ExitCode", self.exit_code)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        n = name.casefold()
        if n == "waitforexit":
            return True if args else C.AutomationNull()
        if n in ("refresh", "dispose", "close"):
            return C.AutomationNull()
        from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND

        return NOT_FOUND

    def __ps_string__(self) -> str:
        return f"System.Diagnostics.Process ({self.name})"
