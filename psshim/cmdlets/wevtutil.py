"""wevtutil.exe on the emulated host, for what scripts do with the Task Scheduler's log:
`wevtutil sl Microsoft-Windows-TaskScheduler/Operational /e:true` (enable; `/e:false` disables),
`wevtutil gl <log>` (its configuration), `wevtutil cl <log>` (clear it); and the .NET way,
`$c = New-Object System.Diagnostics.Eventing.Reader.EventLogConfiguration $log; $c.IsEnabled =
$true; $c.SaveChanges()`.

The Task Scheduler's Operational log is disabled on a fresh host, so Get-WinEvent finds task
events only after a script has enabled it. The other logs Get-WinEvent knows are enabled and
cannot be changed here (`sl` on them is accepted and changes nothing). A native program as
schtasks.exe is (see psshim/cmdlets/schtasks.py): text out, `$LASTEXITCODE`. Not emulated: the
other verbs (qe, el, ep, ...).
"""

from __future__ import annotations

from typing import Any, Iterator

from hyperv_emu.psshim.cmdlets.diagnostics import KNOWN_LOGS, TASK_LOG
from hyperv_emu.psshim.cmdlets.schtasks import native_args
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative
from hyperv_emu.psshim.runtime.registry import Cmdlet, Param, cmdlet

CHANNEL_NOT_FOUND = 15007  # ERROR_EVT_CHANNEL_NOT_FOUND


@cmdlet("wevtutil.exe", module="hvemu.NativeCommands", class_name="wevtutil.exe")
class Wevtutil(Cmdlet):
    """Enables or disables an event log (sl LOG /e:true|false: the Task Scheduler's Operational log
    starts disabled), shows its configuration (gl LOG) or clears it (cl LOG)."""

    Arguments = Param("object[]", position=0, remaining=True)

    def process_record(self) -> Iterator[Any]:
        args = native_args(self.Arguments)
        lines: list[str] = []
        code = self._run(args, lines)
        interp = self.ctx.interp
        interp.last_exit_code = code
        interp.global_scope.define("LASTEXITCODE", code)
        if code:
            interp.failures += 1
        yield from lines

    def _fail(self, text: str, code: int) -> int:
        self.ctx.interp.host.write_err(text + "\n")
        return code

    def _run(self, args: list[str], out: list[str]) -> int:
        if not args:
            return self._fail("The command line is not valid. Use wevtutil /? for help.", 87)
        verb = args[0].casefold()
        verbs = {"sl": "set-log", "gl": "get-log", "cl": "clear-log"}
        verb = next((k for k, v in verbs.items() if verb in (k, v)), verb)
        if verb not in verbs:
            return self._fail(f"The command {args[0]} is not emulated by hvemu (wevtutil sl, gl and cl are).", 87)
        if len(args) < 2:
            return self._fail("The command line is not valid. Use wevtutil /? for help.", 87)
        log = next((name for name in KNOWN_LOGS if name.casefold() == args[1].casefold()), None)
        if log is None:
            return self._fail(f"Failed to read configuration for log {args[1]}. The specified channel could not be "
                              "found.", CHANNEL_NOT_FOUND)
        tasks = self.ctx.hyperv.tasks
        if verb == "sl":
            for option in args[2:]:
                name, _, value = option.lstrip("/-").partition(":")
                if name.casefold() in ("e", "enabled"):
                    if value.casefold() not in ("true", "false"):
                        return self._fail("The parameter is incorrect.", 87)
                    if log == TASK_LOG:
                        tasks.set_log_enabled(value.casefold() == "true")
            return 0
        if verb == "cl":
            if log == TASK_LOG:
                tasks.clear_log()
            return 0
        enabled = tasks.log_enabled if log == TASK_LOG else True
        file_name = log.replace("/", "%4")
        out += [f"name: {log}", f"enabled: {'true' if enabled else 'false'}",
                f"type: {'Operational' if log.endswith('Operational') else 'Admin'}",
                f"owningPublisher: {log.split('/')[0]}", "isolation: Application", "logging:",
                f"  logFileName: %SystemRoot%\\System32\\Winevt\\Logs\\{file_name}.evtx", "  retention: false",
                "  autoBackup: false", "  maxSize: 10485760", "publishing:", "  fileMax: 1"]
        return 0


class EventLogConfiguration(PSNative):
    """System.Diagnostics.Eventing.Reader.EventLogConfiguration of one of the logs Get-WinEvent
    knows: IsEnabled is settable, SaveChanges() stores it (the Task Scheduler's Operational log's
    only; the others stay enabled)."""

    __ps_type_names__ = ["System.Diagnostics.Eventing.Reader.EventLogConfiguration", "System.Object"]

    def __init__(self, log: str, client: Any) -> None:
        self.log = log
        self.client = client
        self.enabled = bool(client.tasks.log_enabled) if log == TASK_LOG else True

    @classmethod
    def ps_new_in_run(cls, args: list[Any], env: Any) -> Any:
        if len(args) != 1:
            return NOT_FOUND
        name = str(args[0])
        log = next((n for n in KNOWN_LOGS if n.casefold() == name.casefold()), None)
        if log is None:
            from hyperv_emu.psshim.runtime.errors import runtime_error

            raise runtime_error(f'Exception calling ".ctor" with "1" argument(s): "The specified channel could not '
                                f'be found."', "EventLogNotFoundException", "NotSpecified")
        interp = getattr(getattr(env, "frame", None), "interp", env)  # a frame's env, or the interpreter
        return cls(log, interp.services.hyperv)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("LogName", self.log), ("LogType", "Operational" if self.log.endswith("Operational") else "Administrative"),
                ("LogIsolation", "Application"), ("IsEnabled", self.enabled), ("IsClassicLog", "/" not in self.log),
                ("OwningProviderName", self.log.split("/")[0]),
                ("LogFilePath", f"%SystemRoot%\\System32\\Winevt\\Logs\\{self.log.replace('/', '%4')}.evtx"),
                ("MaximumSizeInBytes", 10485760), ("LogMode", "Circular")]

    def __ps_set__(self, name: str, value: Any) -> None:
        from hyperv_emu.psshim.runtime import conversions as C_
        from hyperv_emu.psshim.runtime.members import readonly_property

        if name.casefold() != "isenabled":
            raise readonly_property(name)
        self.enabled = C_.to_bool(value)

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        if name.casefold() == "savechanges" and not args:
            from hyperv_emu.psshim.runtime.dotnet_methods import VOID

            if self.log == TASK_LOG:
                self.client.tasks.set_log_enabled(self.enabled)
            return VOID
        return NOT_FOUND

    def __ps_string__(self) -> str:
        return "System.Diagnostics.Eventing.Reader.EventLogConfiguration"


def setup(registry: Any) -> None:
    registry.add_alias("wevtutil", "wevtutil.exe")
    registry.register_type("System.Diagnostics.Eventing.Reader.EventLogConfiguration", EventLogConfiguration)
