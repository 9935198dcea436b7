"""Invoke-Command: a script block here, or on another emulated host.

Without -ComputerName the script block runs in a child scope of the caller (with -NoNewScope in
the caller's scope), its pipeline input in `$input`, as `&` would run it.

With -ComputerName each computer gets what a remote session gives: a fresh runspace on that
host (none of the caller's variables or functions; `$using:name` gives the caller's value of
`name`, taken when the command runs, passed as it is rather than serialised), whose Hyper-V
cmdlets, clock, files and `$env:COMPUTERNAME` are that host's (`services.for_computer(name)`,
which the SDK-backed services provide; a host the run cannot reach fails as WinRM does). The
remote errors and warnings come back as Invoke-Command's own (an error that ended the remote
script is one more error record, so `-ErrorAction Stop` makes it terminating here), and the
output objects come back as they are, custom objects with PSComputerName, RunspaceId and
PSShowComputerName added (`Deserialized.` type names; other objects are not re-serialised, and
psshim does not attach those notes to strings and numbers as 5.1 does).

With -VMName/-VMId the block runs in a VM's guest (PowerShell Direct, see `vmdirect.py`), with
-Session in a session New-PSSession -VMName opened (its state lasts between calls).

Not emulated: -FilePath, -AsJob, -InDisconnectedSession, -Credential (accepted, not checked, for a
VM) and other connection options beyond accepting them.
"""

from __future__ import annotations

from typing import Any, Iterator

from hyperv_emu.psshim.cmdlets.remote_runspace import new_runspace
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.errors import PSError, not_supported
from hyperv_emu.psshim.runtime.frames import CallInfo, Frame, Routing
from hyperv_emu.psshim.runtime.records import ErrorRecord, WarningRecord
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, ValidateNotNullOrEmpty, cmdlet
from hyperv_emu.psshim.runtime.scopes import ScriptBlock as PSScriptBlock
from hyperv_emu.psshim.runtime.values import PSObject

CORE = "Microsoft.PowerShell.Core"
NS = "Microsoft.PowerShell.Commands."

_REMOTE_OPTIONS = ("Credential", "Port", "UseSSL", "ConfigurationName", "ApplicationName", "ThrottleLimit",
                   "Authentication", "CertificateThumbprint", "SessionOption", "EnableNetworkAccess")


def cannot_connect(ctx: Any, computer: str) -> ErrorRecord:
    """The error WinRM gives for a computer it cannot find."""
    message = (f"[{computer}] Connecting to remote server {computer} failed with the following error message : "
               f"WinRM cannot process the request. The following error occurred while using Kerberos "
               f"authentication: Cannot find the computer {computer}. Verify that the computer exists on the "
               f"network and that the name provided is spelled correctly. For more information, see the "
               f"about_Remote_Troubleshooting Help topic.")
    record: ErrorRecord = ctx.error_record(
        message, "ComputerNotFound", "OpenError", target_object=computer,
        exception_type="System.Management.Automation.Remoting.PSRemotingTransportException")
    import attrs

    # the record names the broken session, not the cmdlet (`ComputerNotFound,PSSessionStateBroken`)
    return attrs.evolve(record, fully_qualified_error_id="ComputerNotFound,PSSessionStateBroken",
                        category_info=attrs.evolve(record.category_info, activity=""))


@cmdlet("Invoke-Command", aliases=("icm",), module=CORE, class_name=NS + "InvokeCommandCommand",
        default_set="InProcess")
class InvokeCommand(Cmdlet):
    """Runs a script block here, or on other (emulated) computers."""

    ScriptBlock = Param("scriptblock", InSet("InProcess", position=0, mandatory=True),
                        InSet("ComputerName", position=1, mandatory=True), InSet("VMName", position=1, mandatory=True),
                        InSet("VMId", position=1, mandatory=True), InSet("Session", position=1, mandatory=True),
                        aliases=("Command",))
    VMName = Param("string[]", InSet("VMName", mandatory=True, pipeline_by_property=True),
                   InSet("FilePathVMName", mandatory=True, pipeline_by_property=True),
                   validate=(ValidateNotNullOrEmpty(),))
    VMId = Param("guid[]", InSet("VMId", position=0, mandatory=True, pipeline_by_property=True),
                 InSet("FilePathVMId", position=0, mandatory=True, pipeline_by_property=True),
                 aliases=("VMGuid",), validate=(ValidateNotNullOrEmpty(),))
    ComputerName = Param("string[]", InSet("ComputerName", position=0), InSet("FilePathComputerName", position=0),
                         aliases=("Cn",))
    NoNewScope = Param("switch", InSet("InProcess"))
    InputObject = Param("psobject", pipeline=True)
    ArgumentList = Param("object[]", aliases=("Args",))
    HideComputerName = Param("switch", InSet("ComputerName"), InSet("VMName"), InSet("VMId"), InSet("Session"),
                             aliases=("HCN",))
    AsJob = Param("switch", InSet("ComputerName"))
    JobName = Param("string", InSet("ComputerName"))
    Session = Param("object[]", InSet("Session", position=0))
    FilePath = Param("string", InSet("FilePathComputerName", position=1, mandatory=True),
                     InSet("FilePathVMName", position=1, mandatory=True),
                     InSet("FilePathVMId", position=1, mandatory=True), aliases=("PSPath",))
    Credential = Param("object", InSet("ComputerName"), InSet("VMName", pipeline_by_property=True),
                       InSet("VMId", pipeline_by_property=True))
    Port = Param("int", InSet("ComputerName"))
    UseSSL = Param("switch", InSet("ComputerName"))
    ConfigurationName = Param("string", InSet("ComputerName"), InSet("VMName"), InSet("VMId"))
    ApplicationName = Param("string", InSet("ComputerName"))
    ThrottleLimit = Param("int", InSet("ComputerName"), InSet("VMName"), InSet("VMId"))
    Authentication = Param("string", InSet("ComputerName"))
    CertificateThumbprint = Param("string", InSet("ComputerName"))
    SessionOption = Param("object", InSet("ComputerName"))
    EnableNetworkAccess = Param("switch", InSet("ComputerName"))
    InDisconnectedSession = Param("switch", InSet("ComputerName"), aliases=("Disconnected",))

    def begin_processing(self) -> None:
        self._input: list[Any] = []
        if self.ctx.parameter_set.startswith("FilePath"):
            raise not_supported("Invoke-Command -FilePath")
        if self.AsJob or self.InDisconnectedSession:
            raise not_supported("Invoke-Command -AsJob and -InDisconnectedSession")
        if self.is_bound("Credential") and self.ctx.parameter_set not in ("VMName", "VMId", "FilePathVMName",
                                                                           "FilePathVMId"):
            raise not_supported("Invoke-Command -Credential")

    def process_record(self) -> None:
        if self.ctx.has_input:
            self._input.append(self.InputObject)

    def end_processing(self) -> Iterator[Any]:
        sb = self.ScriptBlock
        args = list(self.ArgumentList or [])
        inputs = self._input
        if self.ctx.parameter_set in ("VMName", "VMId"):
            from hyperv_emu.psshim.cmdlets import vmdirect

            for target in vmdirect.resolve_targets(self.ctx, self.ctx.parameter_set == "VMId"):
                runspace = new_runspace(self.ctx, vmdirect.guest_services(self.ctx, target), vmdirect.guest_registry())
                yield from self._run_in(target.name, runspace, sb, args, inputs, self.ctx.interp.new_guid())
            return
        if self.ctx.parameter_set == "Session":
            yield from self._in_sessions(sb, args, inputs)
            return
        if self.ctx.parameter_set != "ComputerName" or not self.is_bound("ComputerName"):
            yield from self.ctx.interp.stream_scriptblock(sb, self.ctx.frame, args=args,
                                                          new_scope=not self.NoNewScope, input_items=inputs)
            return
        computers = [C.to_string(c) for c in C.as_list(self.ComputerName) if c is not None]
        for computer in computers:
            yield from self._remote(computer, sb, args, inputs)

    def _in_sessions(self, sb: PSScriptBlock, args: list[Any], inputs: list[Any]) -> Iterator[Any]:
        """-Session: each open session's own runspace, whose state carries over between calls."""
        from hyperv_emu.psshim.cmdlets.vmdirect import VMSession

        sessions = C.as_list(self.Session)
        if not all(isinstance(s, VMSession) for s in sessions):
            raise not_supported("Invoke-Command -Session with a session not made by New-PSSession -VMName/-VMId")
        for session in sessions:
            if session.state != "Opened":
                self.ctx.write_error(self.ctx.error_record(
                    f"Because the session state for session {session.name}, {session.instance_id}, "
                    f"{session.vm_name} is not equal to Open, you cannot run a command in the session.  "
                    f"The session state is {session.state}.", "InvokeCommandCommandInvalidSessionState",
                    "InvalidOperation", target_object=session,
                    exception_type="System.Management.Automation.Runspaces.InvalidRunspaceStateException"))
                continue
            yield from self._run_in(session.vm_name, session.runspace, sb, args, inputs, session.instance_id,
                                    new_scope=False)

    # --- another host ---------------------------------------------------------------------------

    def _remote(self, computer: str, sb: PSScriptBlock, args: list[Any], inputs: list[Any]) -> Iterator[Any]:
        services_for = getattr(self.ctx.services, "for_computer", None)
        if services_for is None:
            raise not_supported("Invoke-Command -ComputerName without an emulated host")
        services = services_for(computer)
        if services is None:
            self.ctx.write_error(cannot_connect(self.ctx, computer))
            return
        yield from self._run_in(computer, new_runspace(self.ctx, services, self.ctx.interp.registry), sb, args,
                                inputs, self.ctx.interp.new_guid())

    def _run_in(self, computer: str, remote: Any, sb: PSScriptBlock, args: list[Any], inputs: list[Any],
                runspace_id: Any, new_scope: bool = True) -> Iterator[Any]:
        """The block in the runspace `remote` (of another host, or of a VM's guest)."""
        interp = self.ctx.interp
        rinterp = remote.interp
        rinterp.using_values = interp.using_values_of(sb.ast, self.ctx.frame)
        sink: list[Any] = []
        routing = Routing("output", "output", "output", "output", "output", sink)
        call = CallInfo("", "interactive", sb.ast.extent, sb.source)
        frame = Frame(rinterp, rinterp.global_scope, sb.source, routing=routing, call=call)
        remote_sb = PSScriptBlock(sb.ast, sb.source, None, text=sb.text)
        output: list[Any] = []
        ended: ErrorRecord | None = None
        try:
            for obj in rinterp.stream_scriptblock(remote_sb, frame, args=args, new_scope=new_scope,
                                                  input_items=inputs):
                output.append(obj)
        except PSError as exc:
            ended = exc.record
        for item in sink:
            if isinstance(item, ErrorRecord):
                self.ctx.write_error(item)
            elif isinstance(item, WarningRecord):
                self.ctx.write_warning(item.message)
        for obj in output:
            if isinstance(obj, ErrorRecord):  # an error of the remote session's own pipeline
                self.ctx.write_error(obj)
                continue
            yield _received(obj, computer, runspace_id, not self.HideComputerName)
        if ended is not None:
            self.ctx.write_error(ended)


def _received(obj: Any, computer: str, runspace_id: Any, show: bool) -> Any:
    """An object as a remote session returns it (custom objects get the remoting notes)."""
    if not isinstance(obj, PSObject):
        return obj
    props = dict(obj.properties)
    props["PSComputerName"] = computer
    props["RunspaceId"] = runspace_id
    props["PSShowComputerName"] = show
    return PSObject(props, [n if n.startswith("Deserialized.") else "Deserialized." + n for n in obj.type_names])
