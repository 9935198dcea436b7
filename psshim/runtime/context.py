"""`CommandContext`: everything a cmdlet sees while it runs (`self.ctx` in a Cmdlet).

Output: `write_output(obj)` (or `yield obj` from a generator method).
Errors: `error_record(...)` builds a record with the right invocation info, prefix and
FullyQualifiedErrorId (`<id>,<class_name>`); `write_error(record)` writes it as a
non-terminating error honouring -ErrorAction/$ErrorActionPreference (Stop makes it terminating);
`throw_terminating(record)` ends the statement.
Other streams: `write_warning`, `write_verbose`, `write_debug`, `write_information`,
`write_host`, `write_progress` (a record for the host, which may show it).
-WhatIf/-Confirm: `should_process(target, action=None, text=None)` returns False under -WhatIf
(after printing `What if: ...`) and asks the host (`psshim.runtime.prompts.HostUI`) when a
confirmation is needed: Yes/No for this call, Yes to All/No to All for the rest of this command,
PowerShell's NonInteractive error when the host has no answer. `should_continue(query, caption)`
and `prompt_ui()` (Read-Host, Get-Credential) ask the same host.
Services: `services` (clock, environment, files, hyperv), `now()`, `sleep(seconds)`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterator, NoReturn

from hyperv_emu.psshim.ast import NO_EXTENT, Extent
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import INVALID_OPERATION_EXCEPTION, PSError, make_record
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND
from hyperv_emu.psshim.runtime.records import ErrorRecord, InvocationInfo, ProgressRecord, ScriptPosition

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.commands import CmdletInfo
    from hyperv_emu.psshim.runtime.frames import Frame
    from hyperv_emu.psshim.runtime.interpreter import Interpreter


class CommandContext:
    def __init__(self, interp: "Interpreter", frame: "Frame", info: "CmdletInfo", invocation_name: str,
                 extent: Extent = NO_EXTENT, name_extent: Extent = NO_EXTENT, *, expects_input: bool = False,
                 pipeline_position: int = 1) -> None:
        self.interp = interp
        self.frame = frame
        self.info = info
        self.invocation_name = invocation_name
        self.extent = extent
        self.name_extent = name_extent
        self.expects_input = expects_input
        self.pipeline_position = pipeline_position
        self.bound: dict[str, Any] = {}
        self.common: dict[str, Any] = {}
        self.parameter_set: str = ""
        self.has_input = False  # the current process_record call got a pipeline object
        self.input_object: Any = None
        self.stop_requested = False
        self.pending_output: list[Any] = []
        self.failed = False
        self._confirm_all: bool | None = None  # Yes to All / No to All chosen for this command

    # -- environment ----------------------------------------------------------------------

    @property
    def services(self) -> Any:
        return self.interp.services

    @property
    def hyperv(self) -> Any:
        return self.interp.services.hyperv

    @property
    def adapters(self) -> Any:
        return self.interp.adapters

    @property
    def settings(self) -> Any:
        return self.interp.settings

    @property
    def edition(self) -> str:
        return options.edition()

    @property
    def culture(self) -> str:
        return str(self.interp.settings.culture)

    def now(self) -> dt.datetime:
        return self.interp.observe_clock()

    def sleep(self, seconds: float) -> None:
        self.interp.sleep(seconds)

    def remaining_time(self) -> float | None:
        """What is left of hvemu's time budget for a real-clock wait (None: no bound)."""
        return self.interp.remaining_time()

    def stop_for_time_budget(self) -> None:
        self.interp.stop_for_time_budget()

    def observe(self) -> None:
        """Tell the runtime this cmdlet looked at state that only changes with time."""
        self.interp.observations += 1

    def get_variable(self, name: str) -> Any:
        return self.interp.get_variable(self.frame, name, None)

    def set_variable(self, name: str, value: Any) -> None:
        self.interp.set_variable(self.frame, name, None, value)

    def resolve_path(self, path: str) -> str:
        return self.interp.resolve_path(path)

    # -- output ---------------------------------------------------------------------------

    def write_output(self, obj: Any, enumerate_collection: bool = False) -> None:
        if enumerate_collection:
            self.pending_output.extend(C.enumerate_value(obj))
        else:
            self.pending_output.append(obj)

    def drain(self) -> list[Any]:
        out, self.pending_output = self.pending_output, []
        return out

    def stop_upstream(self) -> None:
        """Select-Object -First: no more input is needed."""
        self.stop_requested = True

    # -- errors ---------------------------------------------------------------------------

    def _position(self) -> ScriptPosition:
        return ScriptPosition(self.frame.source.path, self.extent, self.frame.source.text)

    def error_record(self, message: str, error_id: str, category: str = "NotSpecified", *,
                     target_object: Any = None, exception_type: str = "System.Exception",
                     target_name: str | None = None, target_type: str | None = None,
                     reason: str | None = None) -> ErrorRecord:
        """A record for an error this cmdlet reports (prefix: the name as typed)."""
        if target_name is None:
            target_name = "" if target_object is None else C.to_string(target_object)
        if target_type is None:
            target_type = "" if target_object is None else \
                self.interp.short_type_name(target_object)
        return make_record(
            message, error_id, category,
            exception_type=exception_type, target_object=target_object,
            target_name=target_name, target_type=target_type, activity=self.info.name,
            reason=reason, fqid=f"{error_id},{self.info.class_name}", prefix=self.invocation_name,
            invocation=InvocationInfo(self.invocation_name, self._position()),
        )

    def complete(self, record: ErrorRecord) -> ErrorRecord:
        """Fill in invocation/prefix/activity of a record built elsewhere (e.g. errors.py)."""
        import attrs

        changes: dict[str, Any] = {}
        if record.invocation is None:
            # a record built without the invocation: it belongs to this command as typed
            changes["invocation"] = InvocationInfo(self.invocation_name, self._position())
            if not record.is_parse_error:
                changes["prefix"] = self.invocation_name
        elif not record.prefix and not record.is_parse_error:
            changes["prefix"] = self.invocation_name
        if not record.category_info.activity:
            changes["category_info"] = attrs.evolve(record.category_info, activity=self.info.name)
        if "," not in record.fully_qualified_error_id:
            changes["fully_qualified_error_id"] = f"{record.fully_qualified_error_id},{self.info.class_name}"
        return attrs.evolve(record, **changes) if changes else record

    def write_error(self, record: ErrorRecord | str, error_id: str = "", category: str = "NotSpecified",
                    **kw: Any) -> None:
        if isinstance(record, str):
            record = self.error_record(record, error_id or "Microsoft.PowerShell.Commands.WriteErrorException",
                                       category, **kw)
        else:
            record = self.complete(record)
        self.failed = True
        self.interp.write_error(record, self.frame, self.common)

    def throw_terminating(self, record: ErrorRecord | str, error_id: str = "", category: str = "NotSpecified",
                          **kw: Any) -> NoReturn:
        if isinstance(record, str):
            record = self.error_record(record, error_id or "RuntimeException", category, **kw)
        else:
            record = self.complete(record)
        raise PSError(record)

    # -- other streams ----------------------------------------------------------------------

    def write_warning(self, message: str) -> None:
        self.interp.write_warning(message, self.frame, self.common)

    def write_verbose(self, message: str) -> None:
        self.interp.write_verbose(message, self.frame, self.common)

    def write_debug(self, message: str) -> None:
        self.interp.write_debug(message, self.frame, self.common)

    def write_information(self, data: Any, tags: list[str] | None = None) -> None:
        self.interp.write_information(data, self.frame, self.common)

    def write_host(self, text: str, no_newline: bool = False) -> None:
        self.interp.write_host(text, self.frame, self.common, no_newline=no_newline)

    def write_progress(self, record: ProgressRecord) -> None:
        """A progress record for the host: shown on a terminal, never in redirected output."""
        self.interp.write_progress(record, self.frame, self.common)

    # -- ShouldProcess ----------------------------------------------------------------------

    @property
    def whatif(self) -> bool:
        if "WhatIf" in self.common:
            return bool(self.common["WhatIf"])
        return C.to_bool(self.interp.get_variable(self.frame, "WhatIfPreference", None))

    def should_process(self, target: Any, action: str | None = None, *, text: str | None = None) -> bool:
        """ShouldProcess(target[, action]) or, with `text`, ShouldProcess(verboseDescription, ...)."""
        target_text = C.to_string(target)
        description = text if text is not None else \
            f'Performing the operation "{action or self.info.name}" on target "{target_text}".'
        if self.whatif:
            self.interp.host_line("What if: " + description, self.frame)
            return False
        confirm = self.common.get("Confirm")
        if confirm is False:
            return True
        if confirm is not True:
            pref = self.interp.get_variable(self.frame, "ConfirmPreference", None)
            try:
                pref_level = int(C.to_confirm_impact(pref)) if pref is not None else 3
            except PSError:
                pref_level = 3
            impact = int(C.to_confirm_impact(self.info.confirm_impact))
            if pref_level == 0 or impact < pref_level:
                return True
        if self._confirm_all is not None:
            return self._confirm_all
        from hyperv_emu.psshim.runtime.prompts import Continue, PromptUnavailable

        try:
            answer = self.prompt_ui().confirm(description)
        except PromptUnavailable:
            self.prompt_unavailable()
        return self._answer(answer, Continue)

    def _answer(self, answer: Any, kinds: Any) -> bool:
        if answer is kinds.SUSPEND:
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("[S] Suspend (a nested prompt)")
        if answer in (kinds.YES_TO_ALL, kinds.NO_TO_ALL):
            self._confirm_all = answer is kinds.YES_TO_ALL
        return answer in (kinds.YES, kinds.YES_TO_ALL)

    def should_continue(self, query: str, caption: str = "") -> bool:
        """ShouldContinue(query, caption): Yes, No, Suspend."""
        from hyperv_emu.psshim.runtime.prompts import Continue, PromptUnavailable

        try:
            answer = self.prompt_ui().inquire(query, caption, to_all=False)
        except PromptUnavailable:
            self.prompt_unavailable()
        return self._answer(answer, Continue)

    def prompt_ui(self) -> Any:
        """The host's prompts (`psshim.runtime.prompts.HostUI`)."""
        from hyperv_emu.psshim.runtime.prompts import HostUI

        return HostUI(self.interp.host, options.is_core())

    def prompt_unavailable(self) -> NoReturn:
        msg = ("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."
               if options.is_core() else
               "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.")
        raise PSError(self.error_record(msg, "InvalidOperation", "InvalidOperation",
                                        exception_type=INVALID_OPERATION_EXCEPTION))

    # -- script blocks ----------------------------------------------------------------------

    def invoke(self, sb: Any, args: list[Any] | None = None, dollar_under: Any = NOT_FOUND,
               new_scope: bool = False) -> list[Any]:
        """Run a script block to completion and return its output (Where-Object, calculated
        properties: `new_scope=False` runs it in the caller's scope, as those cmdlets do)."""
        return self.interp.invoke_scriptblock(sb, self.frame, args=args or [], dollar_under=dollar_under,
                                              new_scope=new_scope)

    def invoke_stream(self, sb: Any, args: list[Any] | None = None, dollar_under: Any = NOT_FOUND,
                      new_scope: bool = False, input_items: list[Any] | None = None) -> Iterator[Any]:
        """Run a script block, streaming its output (ForEach-Object)."""
        return self.interp.stream_scriptblock(sb, self.frame, args=args or [], dollar_under=dollar_under,
                                              new_scope=new_scope, input_items=input_items)
