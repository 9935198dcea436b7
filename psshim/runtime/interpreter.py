"""The tree-walking interpreter: statements, expressions, variables, errors and streams.

Statements run as generators that yield output objects, so pipelines stream (see
`pipeline.py`). Every evaluation takes an explicit `Frame` (scope, source, enclosing try,
redirections), never interpreter-wide "current" state.

Error model (powershell-subset.md §2):
- a terminating error is a `PSError`; `throw` and -ErrorAction Stop make it script-terminating;
- at each statement boundary a statement-terminating error is reported (printed, added to
  `$Error`, `$?` = False) and execution continues with the next statement, unless a `try` is
  active anywhere up the call stack (then it propagates to the catch) or
  `$ErrorActionPreference` says otherwise (Stop: script-terminating; SilentlyContinue: recorded,
  not printed; Ignore: dropped; SilentlyContinue also silences `throw`);
- non-terminating errors (`CommandContext.write_error`, Write-Error) follow -ErrorAction /
  `$ErrorActionPreference`;
- no Python exception escapes: anything unexpected becomes an `HvemuInternalError` record.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
import time
import uuid
from typing import Any, Callable, Iterator, MutableMapping

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import members as M
from hyperv_emu.psshim.runtime import operators as O
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime import compiler_assignments, compiler_loops, compiler_statements
from hyperv_emu.psshim.runtime.commands import Registry
from hyperv_emu.psshim.runtime.compiler import Compiler
from hyperv_emu.psshim.runtime.dotnet_regex import compile_regex, matches_table, wildcard_match
from hyperv_emu.psshim.runtime.errors import (
    ACTION_PREFERENCE_STOP_EXCEPTION,
    BreakSignal,
    ContinueSignal,
    ExitSignal,
    HaltSignal,
    PSError,
    ReturnSignal,
    exception_lineage,
    make_record,
    not_supported,
    runtime_error,
)
from hyperv_emu.psshim.runtime.frames import CallInfo, Frame, Routing
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, ExceptionView
from hyperv_emu.psshim.runtime.records import (
    ErrorRecord,
    InformationRecord,
    InvocationInfo,
    ProgressRecord,
    ScriptPosition,
    VerboseRecord,
    WarningRecord,
)
from hyperv_emu.psshim.runtime.parameters import (
    ALL_SETS,
    CommandMetadata,
    InSet,
    ParameterMetadata,
    ValidateCount,
    ValidateLength,
    ValidateNotNull,
    ValidateNotNullOrEmpty,
    ValidatePattern,
    ValidateRange,
    ValidateScript,
    ValidateSet,
    Validator,
)
from hyperv_emu.psshim.runtime.fileerrors import FileViewError
from hyperv_emu.psshim.runtime.scopes import FunctionInfo, ModuleInfo, Scope, ScriptBlock, ScriptSource
from hyperv_emu.psshim.runtime.values import AdapterRegistry, ArrayList, Hashtable, Int64, PSObject, Version, type_names

VOID = C.AutomationNull()


def _no_automation_null(value: Any) -> Any:
    """AutomationNull ("no output", kept in a variable) where a value is used: $null."""
    return None if isinstance(value, C.AutomationNull) else value


AP = C.ActionPreference
_USING_WITHOUT_INVOKE = (
    "A Using variable cannot be retrieved. A Using variable can be used only with Invoke-Command, Start-Job, or "
    "InlineScript in the script workflow. When it is used with Invoke-Command, the Using variable is valid only if "
    "the script block is invoked on a remote computer."
)
_DOTNET_NAMESPACES = {"system", "microsoft", "diagnostics", "io", "net", "text", "collections", "security",
                      "management", "threading", "globalization", "reflection", "runtime", "xml", "data"}


class EnvMap(MutableMapping[str, str]):
    """`$env:` — case-insensitive like Windows environment variables."""

    def __init__(self, initial: Any = ()) -> None:
        self._d: dict[str, tuple[str, str]] = {}
        items = initial.items() if hasattr(initial, "items") else initial
        for k, v in items:
            self[k] = v

    def __getitem__(self, key: str) -> str:
        return self._d[key.casefold()][1]

    def __setitem__(self, key: str, value: str) -> None:
        old = self._d.get(key.casefold())
        self._d[key.casefold()] = (old[0] if old else key, value)

    def __delitem__(self, key: str) -> None:
        del self._d[key.casefold()]

    def __iter__(self) -> Iterator[str]:
        return (k for k, _ in self._d.values())

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.casefold() in self._d


class HostInfo:
    """`$Host` (minimal)."""

    __ps_type_names__ = ["System.Management.Automation.Internal.Host.InternalHost", "System.Object"]

    def __init__(self, edition: str, culture: str, ui: Any = None) -> None:
        self.edition = edition
        self.culture = culture
        self.ui = ui  # $Host.UI (psshim.runtime.hostui)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        version = Version(5, 1, 20348, 2849) if not self.edition.startswith("7") else Version(7, 4, 6)
        return [("Name", "ConsoleHost"), ("Version", version),
                ("InstanceId", uuid.UUID("8d3ba5b3-7f2a-4bd6-9c1e-52f7f0b7a0a1")), ("UI", self.ui),
                ("CurrentCulture", self.culture), ("CurrentUICulture", self.culture),
                ("PrivateData", None), ("DebuggerEnabled", True), ("IsRunspacePushed", False), ("Runspace", None)]


# Runs a pipeline statement in a frame, streaming its output (`pipeline.run_pipeline`, which the
# runspace hands the interpreter: the pipeline module is above this one and calls back into it).
PipelineRunner = Callable[["Interpreter", A.PipelineAst, Frame], Iterator[Any]]


class Interpreter:
    def __init__(self, *, settings: Any, services: Any, registry: Registry, adapters: AdapterRegistry,
                 host: Any, render_error: Callable[[ErrorRecord], str], run_pipeline: PipelineRunner) -> None:
        self.settings = settings
        self.run_pipeline = run_pipeline
        self.services = services
        self.registry = registry
        self.types = registry.types
        self.adapters = adapters
        self.host = host
        self.render_error = render_error
        self.environment = EnvMap(getattr(services, "environment", {}) or {})
        self.global_scope = Scope(None, "global")
        self.errors: ArrayList = ArrayList()
        self.status = True
        self.failures = 0
        self.steps = 0
        self.check_at = 0  # the step at which the budget is checked next (check_budget)
        self.started = time.monotonic()
        self.observations = 0
        self.last_exit_code: int | None = None
        self.modules: dict[str, ModuleInfo] = {}
        self.jobs: Any = None
        # The values of `$using:` variables, by lower-cased name: set on a remote session's
        # interpreter by Invoke-Command -ComputerName, and here while Start-Job runs its block;
        # None elsewhere (`$using:` is then an error).
        self.using_values: dict[str, Any] | None = None
        self.location = str(getattr(settings, "location", "C:\\Users\\Administrator"))
        # the script's nodes compiled to closures, built on first use (compiler*.py)
        self.compiler = Compiler(self, _EXPRESSIONS)
        self.compiler.void_value = VOID
        self.compiler.statement_builders.update(compiler_statements.BUILDERS)
        self.compiler.statement_builders.update(compiler_assignments.BUILDERS)
        self.compiler.statement_builders.update(compiler_loops.BUILDERS)
        self._init_globals()

    # ------------------------------------------------------------------------------------
    # globals
    # ------------------------------------------------------------------------------------

    def _init_globals(self) -> None:
        g = self.global_scope
        core = options.is_core()
        g.define("true", True, constant=True)
        g.define("false", False, constant=True)
        g.define("null", None, constant=True)
        g.define("ErrorActionPreference", AP.Continue, T.ACTION_PREFERENCE)
        g.define("WarningPreference", AP.Continue, T.ACTION_PREFERENCE)
        g.define("VerbosePreference", AP.SilentlyContinue, T.ACTION_PREFERENCE)
        g.define("DebugPreference", AP.SilentlyContinue, T.ACTION_PREFERENCE)
        g.define("InformationPreference", AP.SilentlyContinue, T.ACTION_PREFERENCE)
        g.define("ProgressPreference", AP.Continue, T.ACTION_PREFERENCE)
        g.define("ConfirmPreference", C.ConfirmImpact["High"], T.CONFIRM_IMPACT)
        g.define("WhatIfPreference", False, T.BOOL)
        g.define("Error", self.errors, readonly=True)
        g.define("MaximumHistoryCount", 4096)
        g.define("NestedPromptLevel", 0)
        g.define("PID", 4242)
        g.define("HOME", "C:\\Users\\Administrator")
        g.define("PSHOME", "C:\\Program Files\\PowerShell\\7" if core
                 else "C:\\Windows\\System32\\WindowsPowerShell\\v1.0")
        g.define("PSEdition", "Core" if core else "Desktop")
        g.define("PSCulture", self.settings.culture)
        g.define("PSUICulture", self.settings.culture)
        g.define("ShellId", "Microsoft.PowerShell")
        g.define("PWD", self.location)
        from hyperv_emu.psshim.runtime.hostui import HostUserInterface

        g.define("Host", HostInfo(options.edition(), self.settings.culture,
                                  HostUserInterface(self.host, options.is_core(), int(self.settings.width))))
        if core:
            g.define("IsWindows", True)
            g.define("IsLinux", False)
            g.define("IsMacOS", False)
            g.define("IsCoreCLR", True)
        table = Hashtable(ordered=True)
        if core:
            table["PSVersion"] = Version(7, 4, 6)
            table["PSEdition"] = "Core"
            table["GitCommitId"] = "7.4.6"
            table["OS"] = "Microsoft Windows 10.0.20348"
            table["Platform"] = "Win32NT"
            table["PSCompatibleVersions"] = [Version(1, 0), Version(2, 0), Version(3, 0), Version(4, 0),
                                             Version(5, 0), Version(5, 1), Version(6, 0), Version(7, 0)]
            table["PSRemotingProtocolVersion"] = Version(2, 3)
            table["SerializationVersion"] = Version(1, 1, 0, 1)
            table["WSManStackVersion"] = Version(3, 0)
        else:
            table["PSVersion"] = Version(5, 1, 20348, 2849)
            table["PSEdition"] = "Desktop"
            table["PSCompatibleVersions"] = [Version(1, 0), Version(2, 0), Version(3, 0), Version(4, 0),
                                             Version(5, 0), Version(5, 1, 20348, 2849)]
            table["BuildVersion"] = Version(10, 0, 20348, 2849)
            table["CLRVersion"] = Version(4, 0, 30319, 42000)
            table["WSManStackVersion"] = Version(3, 0)
            table["PSRemotingProtocolVersion"] = Version(2, 3)
            table["SerializationVersion"] = Version(1, 1, 0, 1)
        g.define("PSVersionTable", table, readonly=True)
        self.environment.setdefault("PSModulePath", "C:\\Users\\Administrator\\Documents\\WindowsPowerShell\\Modules;"
                                    "C:\\Program Files\\WindowsPowerShell\\Modules;"
                                    "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules")
        # Windows' own variables, which scripts build paths from (`$env:SystemRoot\System32\...`)
        # and this machine's environment lacks
        for name, value in (("SystemRoot", "C:\\Windows"), ("windir", "C:\\Windows"),
                            ("ProgramFiles", "C:\\Program Files"), ("ProgramData", "C:\\ProgramData")):
            self.environment.setdefault(name, value)

    # ------------------------------------------------------------------------------------
    # services
    # ------------------------------------------------------------------------------------

    @property
    def clock(self) -> Any:
        return self.services.clock

    def observe_clock(self) -> dt.datetime:
        self.observations += 1
        now: dt.datetime = self.services.clock.now()
        return now

    def sleep(self, seconds: float) -> None:
        clock = self.services.clock
        limit = self.settings.timeout_seconds
        if limit is not None and not getattr(clock, "is_virtual", False):
            remaining = limit - (time.monotonic() - self.started)
            if seconds > remaining:
                clock.sleep(max(0.0, remaining))
                self._time_budget_exceeded(None)
        clock.sleep(seconds)

    def _time_budget_exceeded(self, node: A.Ast | None) -> None:
        raise HaltSignal(self.time_budget_record(node))

    def remaining_time(self) -> float | None:
        """Seconds left of hvemu's time budget for a wait on the real clock (a cmdlet that waits
        inside one step, such as Wait-VM, bounds its wait by it); None without a budget or on a
        virtual clock, where waiting takes no time."""
        limit = self.settings.timeout_seconds
        if limit is None or getattr(self.services.clock, "is_virtual", False):
            return None
        return max(0.0, float(limit) - (time.monotonic() - self.started))

    def stop_for_time_budget(self) -> None:
        """End the run with the time budget's error (a wait that reached the budget)."""
        self._time_budget_exceeded(None)

    def time_budget_record(self, node: A.Ast | None = None) -> ErrorRecord:
        """The error that ends a run past its time budget (also what `hvemu run --timeout`'s
        hard deadline reports when one long step overran it)."""
        return make_record(
            f"The script was stopped after {self.settings.timeout_seconds} seconds: it exceeded hvemu's "
            f"time budget (timeout_seconds).",
            "HvemuTimeBudgetExceeded", "OperationStopped", exception_type="Hvemu.BudgetExceededException",
            invocation=self._position_of(node))

    def new_guid(self) -> uuid.UUID:
        fn = getattr(self.services, "new_guid", None)
        if callable(fn):
            g = fn()
            return g if isinstance(g, uuid.UUID) else uuid.UUID(str(g))
        return uuid.uuid4()

    def resolve_path(self, path: str) -> str:
        from hyperv_emu.psshim.runtime import paths

        return paths.resolve(self.location, path)

    def file_exists(self, path: str) -> bool:
        """A file (not a folder) is at `path`: .NET's File.Exists, and what the command search
        runs as a script (`& 'C:\\'` names no command)."""
        files = getattr(self.services, "files", None)
        if files is None:
            return False
        full = self.resolve_path(path)
        return bool(files.exists(full)) and not files.is_dir(full)

    def read_file(self, path: str, frame: Frame | None = None) -> str:
        files = getattr(self.services, "files", None)
        full = self.resolve_path(path)
        if files is None or not files.exists(full):
            raise runtime_error(f"Cannot find path '{full}' because it does not exist.", "PathNotFound",
                                "ObjectNotFound", exception_type="System.Management.Automation.ItemNotFoundException",
                                target_name=full, target_type="String")
        try:
            text = str(files.read_text(full))
        except FileNotFoundError:  # a folder, or a file gone since the check
            raise runtime_error(f"Cannot find path '{full}' because it does not exist.", "PathNotFound",
                                "ObjectNotFound", exception_type="System.Management.Automation.ItemNotFoundException",
                                target_name=full, target_type="String") from None
        except FileViewError as exc:  # a file of this machine the user may not read
            raise runtime_error(exc.message, exc.exception_type.rsplit(".", 1)[-1], exc.category,
                                exception_type=exc.exception_type, target_name=full, target_type="String") from None
        return text[1:] if text.startswith("\ufeff") else text

    def short_type_name(self, value: Any) -> str:
        return type_names(value, self.adapters)[0].rsplit(".", 1)[-1]

    # ------------------------------------------------------------------------------------
    # budget and polling loops
    # ------------------------------------------------------------------------------------

    def tick(self, node: A.Ast | None = None) -> None:
        """One step of the budget (a statement, a loop pass). The compiled code does the same
        inline: `steps += 1`, and `check_budget` once `steps` reaches `check_at`."""
        self.steps += 1
        if self.steps >= self.check_at:
            self.check_budget(node)

    def check_budget(self, node: A.Ast | None = None) -> None:
        """The step budget (stop past max_steps) and, every 1024 steps, the time budget; then
        `check_at`, the next step count at which one of them is due."""
        steps = self.steps
        limit = self.settings.max_steps
        if limit is not None and steps > limit:
            raise HaltSignal(make_record(
                f"The script was stopped after {limit} steps: it exceeded hvemu's step budget (max_steps). "
                f"A loop that never ends is the usual cause.",
                "HvemuStepBudgetExceeded", "OperationStopped", exception_type="Hvemu.BudgetExceededException",
                invocation=self._position_of(node)))
        timeout = self.settings.timeout_seconds
        if (steps & 1023) == 0 and timeout is not None:
            if time.monotonic() - self.started > timeout:
                self._time_budget_exceeded(node)
        due = sys.maxsize
        if timeout is not None:
            due = (steps | 1023) + 1
        if limit is not None:
            due = min(due, limit + 1)
        self.check_at = due

    def _position_of(self, node: A.Ast | None, frame: Frame | None = None) -> InvocationInfo | None:
        if node is None:
            return None
        src = frame.source if frame is not None else None
        return InvocationInfo(None, ScriptPosition(src.path if src else None, node.extent, src.text if src else ""))

    def loop_watch(self, node: A.Ast, frame: Frame) -> "LoopWatch":
        return LoopWatch(self, node, frame)

    # ------------------------------------------------------------------------------------
    # variables
    # ------------------------------------------------------------------------------------

    def get_variable(self, frame: Frame, name: str, scope: str | None) -> Any:
        n = name.casefold()
        if scope is None or scope in ("local", "private", "variable"):
            if n == "?":
                return self.status
            if n == "psitem":
                n = "_"
            if n == "lastexitcode":
                v = frame.scope.find_variable(n)
                return v.value if v is not None else self.last_exit_code
            if scope in ("local", "private"):
                v = frame.scope.local_variable(n)
            else:
                v = frame.scope.find_variable(n)
            return v.value if v is not None else None
        if scope == "global":
            v = self.global_scope.local_variable(n)
            return v.value if v is not None else None
        if scope == "script":
            v = frame.scope.script_scope().local_variable(n)
            if v is None:
                v = frame.scope.script_scope().find_variable(n)
            return v.value if v is not None else None
        if scope == "env":
            return self.environment.get(name)
        if scope == "function":
            f = frame.scope.find_function(name)
            return f.scriptblock if f is not None else None
        if scope == "using":
            if self.using_values is None:
                raise runtime_error(_USING_WITHOUT_INVOKE, "UsingWithoutInvokeCommand", "InvalidOperation")
            return self.using_values.get(n)
        raise not_supported(f"The variable drive '{scope}:'")

    def using_values_of(self, block: A.ScriptBlockAst, frame: Frame) -> dict[str, Any]:
        """The values, in `frame`, of the `$using:` variables of `block` (nested blocks too), taken
        now, for the session that will run it (an undefined one is $null, as without
        Set-StrictMode). The values are passed as they are, not serialised."""
        names = {node.name.casefold(): node.name for node in A.walk(block)
                 if isinstance(node, A.VariableExpressionAst) and node.scope == "using"}
        return {key: self.get_variable(frame, name, None) for key, name in names.items()}

    def set_variable(self, frame: Frame, name: str, scope: str | None, value: Any,
                     type_constraint: T.PSType | None = None, *, no_output: bool = False) -> None:
        """Assign a variable; AutomationNull ("no output") is kept only when `no_output` (a plain
        `$x = ...` of an untyped variable), else it is $null."""
        if isinstance(value, C.AutomationNull) and not (no_output and scope not in ("env",)):
            value = None
        n = name.casefold()
        if n == "psitem":
            n = "_"
        if scope == "env":
            if value is None or value == "":
                self.environment.pop(name, None)
            else:
                self.environment[name] = C.to_string(value)
            return
        if scope is None and n == "null":
            return
        if scope in (None, "local", "private", "variable"):
            target = frame.scope
        elif scope == "global":
            target = self.global_scope
        elif scope == "script":
            target = frame.scope.script_scope()
        elif scope == "using":
            raise not_supported("The $using: scope modifier")
        else:
            raise not_supported(f"Assigning to the variable drive '{scope}:'")
        existing = target.local_variable(n)
        if existing is None and n in ("true", "false", "?"):
            existing = self.global_scope.local_variable(n)
        if existing is not None:
            if existing.constant or existing.readonly or n == "?":
                raise runtime_error(
                    f"Cannot overwrite variable {name} because it is read-only or constant.", "VariableNotWritable",
                    "WriteError", exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                    target_name=name, target_type="String")
            if type_constraint is not None:
                existing.type_constraint = type_constraint
            if existing.type_constraint is not None:
                value = self._convert_for_variable(value, existing.type_constraint)
            existing.value = value
            return
        if type_constraint is None:
            inherited = frame.scope.find_variable(n) if n.endswith("preference") else None
            if inherited is not None and inherited.type_constraint is not None:
                type_constraint = inherited.type_constraint
        if type_constraint is not None:
            value = self._convert_for_variable(value, type_constraint)
        target.define(name if n != "_" else "_", value, type_constraint)

    def _convert_for_variable(self, value: Any, t: T.PSType) -> Any:
        if isinstance(value, C.AutomationNull):
            value = None
        if t.kind == "enum" and t.full_name == "System.Management.Automation.ConfirmImpact":
            return C.to_confirm_impact(value)
        try:
            return C.convert_to(value, t, self.adapters, today=self.clock.now().date())
        except PSError as exc:
            raise runtime_error(exc.record.message, "RuntimeException", "MetadataError",
                                exception_type="System.Management.Automation.ArgumentTransformationMetadataException"
                                ) from None

    def preference(self, frame: Frame, name: str, common: dict[str, Any] | None = None,
                   common_name: str | None = None) -> C.ActionPreference:
        if common is not None and common_name is not None and common_name in common:
            v = common[common_name]
        else:
            v = self.get_variable(frame, name, None)
        try:
            return C.to_action_preference(v)
        except PSError:
            return AP.Continue

    # ------------------------------------------------------------------------------------
    # streams and error reporting
    # ------------------------------------------------------------------------------------

    def add_error(self, record: ErrorRecord) -> None:
        self.errors.insert(0, record)
        del self.errors[256:]

    def report_error(self, record: ErrorRecord, frame: Frame | None) -> None:
        """An error that is shown: added to $Error, then printed unless redirected."""
        self.add_error(record)
        self.failures += 1
        routing = frame.routing if frame is not None else None
        if routing is not None:
            if routing.error == "null":
                return
            if routing.error == "output" and routing.sink is not None:
                routing.sink.append(record)
                return
        self.host.write_err(self.render_error(record))

    def _append_stream_variable(self, frame: Frame, spec: Any, item: Any) -> None:
        if not spec:
            return
        name = C.to_string(spec)
        append = name.startswith("+")
        name = name.lstrip("+")
        current = self.get_variable(frame, name, None) if append else None
        lst = ArrayList(current if isinstance(current, list) else ([] if current is None else [current]))
        lst.append(item)
        self.set_variable(frame, name, None, lst)

    def _enclosing_stream_vars(self, frame: Frame, kind: str, item: Any) -> None:
        call = frame.call
        if call is None:
            return
        for cname, spec, target in call.stream_vars:
            if cname == kind:
                name = C.to_string(spec).lstrip("+")
                current = self.get_variable(target, name, None)
                lst = current if isinstance(current, ArrayList) else ArrayList(C.as_list(current))
                lst.append(item)
                self.set_variable(target, name, None, lst)

    def write_error(self, record: ErrorRecord, frame: Frame, common: dict[str, Any]) -> None:
        """A non-terminating error written by a command."""
        if "ErrorVariable" in common:
            self._append_stream_variable(frame, common["ErrorVariable"], record)
        self._enclosing_stream_vars(frame, "ErrorVariable", record)
        action = self.preference(frame, "ErrorActionPreference", common, "ErrorAction")
        if action == AP.Stop:
            raise PSError(record, script_terminating=True, stop=True)
        self.failures += 1
        if action == AP.Ignore:
            return
        if action == AP.SilentlyContinue:
            self.add_error(record)
            return
        self.report_error(record, frame)

    def _stream_stop(self, pref_name: str, message: str) -> PSError:
        return PSError(make_record(
            f'The running command stopped because the preference variable "{pref_name}" or common parameter is set '
            f"to Stop: {message}",
            "ActionPreferenceStop", "OperationStopped", exception_type=ACTION_PREFERENCE_STOP_EXCEPTION),
            script_terminating=True)

    def _emit_stream(self, kind: str, text: str, frame: Frame, record: Any) -> None:
        routing = frame.routing
        where = getattr(routing, kind)
        if where == "null":
            return
        if where == "output" and routing.sink is not None:
            routing.sink.append(record)
            return
        self.host.write_stream(kind, text + "\n")

    def write_progress(self, record: ProgressRecord, frame: Frame, common: dict[str, Any]) -> None:
        """A Write-Progress record, for the host to show ($ProgressPreference SilentlyContinue
        or Ignore hides it; the 5.1 console host shows nothing when its output is redirected)."""
        action = self.preference(frame, "ProgressPreference", common, "ProgressAction")
        if action in (AP.SilentlyContinue, AP.Ignore):
            return
        self.host.write_progress(record)

    def write_warning(self, message: str, frame: Frame, common: dict[str, Any]) -> None:
        record = WarningRecord(message)
        if "WarningVariable" in common:
            self._append_stream_variable(frame, common["WarningVariable"], record)
        self._enclosing_stream_vars(frame, "WarningVariable", record)
        action = self.preference(frame, "WarningPreference", common, "WarningAction")
        if action in (AP.SilentlyContinue, AP.Ignore):
            return
        if action == AP.Stop:
            raise self._stream_stop("WarningPreference", message)
        self._emit_stream("warning", "WARNING: " + message, frame, record)

    def write_verbose(self, message: str, frame: Frame, common: dict[str, Any]) -> None:
        self._write_switched("Verbose", message, frame, common)

    def write_debug(self, message: str, frame: Frame, common: dict[str, Any]) -> None:
        self._write_switched("Debug", message, frame, common)

    def _write_switched(self, stream: str, message: str, frame: Frame, common: dict[str, Any]) -> None:
        """The Verbose and Debug streams: on with -Verbose/-Debug (the common switch), else as
        $VerbosePreference/$DebugPreference say."""
        if stream in common:
            action = AP.Continue if common[stream] else AP.SilentlyContinue
        else:
            action = self.preference(frame, stream + "Preference")
        if action in (AP.SilentlyContinue, AP.Ignore):
            return
        if action == AP.Stop:
            raise self._stream_stop(stream + "Preference", message)
        self._emit_stream(stream.lower(), f"{stream.upper()}: " + message, frame, VerboseRecord(message))

    def write_information(self, data: Any, frame: Frame, common: dict[str, Any]) -> None:
        text = C.to_string(data, " ", self.adapters)
        record = InformationRecord(text)
        if "InformationVariable" in common:
            self._append_stream_variable(frame, common["InformationVariable"], record)
        self._enclosing_stream_vars(frame, "InformationVariable", record)
        action = self.preference(frame, "InformationPreference", common, "InformationAction")
        if action in (AP.SilentlyContinue, AP.Ignore):
            return
        if action == AP.Stop:
            raise self._stream_stop("InformationPreference", text)
        self._emit_stream("information", text, frame, record)

    def write_host(self, text: str, frame: Frame, common: dict[str, Any], no_newline: bool = False) -> None:
        record = InformationRecord(text, no_newline)
        if "InformationVariable" in common:
            self._append_stream_variable(frame, common["InformationVariable"], record)
        if "InformationAction" in common:
            action = self.preference(frame, "InformationPreference", common, "InformationAction")
            if action in (AP.SilentlyContinue, AP.Ignore):
                return
        routing = frame.routing
        if routing.information == "null":
            return
        if routing.information == "output" and routing.sink is not None:
            routing.sink.append(record)
            return
        self.host.write_out(text if no_newline else text + "\n")

    def host_line(self, text: str, frame: Frame | None = None) -> None:
        self.host.write_out(text + "\n")

    # ------------------------------------------------------------------------------------
    # statements
    # ------------------------------------------------------------------------------------

    def exec_block(self, statements: tuple[A.StatementAst, ...] | list[A.StatementAst], frame: Frame) -> Iterator[Any]:
        return compiler_statements.block_of(self.compiler, statements).gen(frame)

    def exec_statement(self, stmt: A.StatementAst, frame: Frame) -> Iterator[Any]:
        self.tick(stmt)
        try:
            yield from self._exec_raw(stmt, frame)
        except Exception as exc:  # noqa: BLE001 - never a Python traceback
            self.statement_failed(exc, stmt, frame)

    def statement_failed(self, exc: Exception, stmt: A.StatementAst, frame: Frame) -> None:
        """A statement raised `exc`: its error is located at the statement and reported, or
        raised on (a `try` is active, `$ErrorActionPreference`, a script-terminating error)."""
        if isinstance(exc, PSError):
            self.locate(exc, stmt, frame)
            self._statement_error(exc, frame)
        elif isinstance(exc, RecursionError):
            exc2 = runtime_error("The script failed due to call depth overflow.", "CallDepthOverflow",
                                 "InvalidOperation",
                                 exception_type="System.Management.Automation.ScriptCallDepthException",
                                 script_terminating=True)
            self.locate(exc2, stmt, frame)
            self._statement_error(exc2, frame)
        else:
            err = self.internal_error(exc)
            self.locate(err, stmt, frame)
            self._statement_error(err, frame)

    def internal_error(self, exc: BaseException) -> PSError:
        return runtime_error(
            f"hvemu internal error: {type(exc).__name__}: {exc}. This is a bug in hvemu, not in the script.",
            "HvemuInternalError", "NotSpecified", exception_type="Hvemu.InternalErrorException")

    def _statement_error(self, exc: PSError, frame: Frame) -> None:
        self.status = False
        if frame.in_try:
            raise exc
        pref = self.preference(frame, "ErrorActionPreference")
        if pref == AP.SilentlyContinue:
            self.add_error(exc.record)
            self.failures += 1
            return
        if pref == AP.Ignore:
            self.failures += 1
            return
        if exc.script_terminating:
            raise exc
        if pref == AP.Stop:
            raise PSError(exc.record, script_terminating=True, stop=True)
        self.report_error(exc.record, frame)

    def locate(self, exc: PSError, node: A.Ast, frame: Frame) -> None:
        if not exc.located:
            exc.locate(node.extent, frame.source.path, frame.source.text)

    def _exec_raw(self, stmt: A.StatementAst, frame: Frame) -> Iterator[Any]:
        return compiler_statements.compile_statement(self.compiler, stmt).raw(frame)

    def statement_handler(self, stmt: A.StatementAst) -> Callable[..., Iterator[Any]]:
        """The handler of a statement kind the compiler leaves to the interpreter."""
        handler = _STATEMENTS.get(type(stmt))
        if handler is None:
            what = type(stmt).__name__

            def unsupported(interp: Interpreter, stmt: A.StatementAst, frame: Frame) -> Iterator[Any]:
                raise not_supported(f"The statement {what}")

            return unsupported
        return handler

    def statement_value(self, stmt: A.StatementAst, frame: Frame, empty: Any = None) -> Any:
        """The value of a statement on the right of `=` (an expression keeps its shape; a
        pipeline's output is collected: nothing -> `empty` ($null, or AutomationNull for `=`),
        one -> itself, more -> array)."""
        return compiler_statements.statement_value(self.compiler, stmt, empty)(frame)

    # -- individual statements ---------------------------------------------------------------

    @staticmethod
    def _label_match(signal_label: str | None, loop_label: str | None) -> bool:
        if signal_label is None:
            return True
        return loop_label is not None and signal_label.casefold() == loop_label.casefold()

    def foreach_items(self, value: Any) -> list[Any]:
        if value is None or isinstance(value, C.AutomationNull):
            return []
        if isinstance(value, list):
            return list(value)
        return [value]

    def _s_switch(self, stmt: A.SwitchStatementAst, frame: Frame) -> Iterator[Any]:
        flags = {f.lower() for f in stmt.flags}
        if "file" in flags:
            raise not_supported("switch -File")
        cs = "casesensitive" in flags
        mode = "regex" if "regex" in flags else "wildcard" if "wildcard" in flags else "exact"
        value = self.statement_value(stmt.condition, frame)
        if isinstance(value, list):
            items = list(value)
        elif isinstance(value, C.AutomationNull):
            items = []
        else:
            items = [value]
        for item in items:
            self.tick(stmt)
            self.set_variable(frame, "_", None, item)
            matched = False
            try:
                for clause in stmt.clauses:
                    if self._switch_match(clause.pattern, item, mode, cs, frame):
                        matched = True
                        yield from self.exec_block(clause.body.statements, frame)
                if not matched and stmt.default is not None:
                    yield from self.exec_block(stmt.default.statements, frame)
            except BreakSignal as b:
                if self._label_match(b.label, stmt.label):
                    break
                raise
            except ContinueSignal as c:
                if self._label_match(c.label, stmt.label):
                    continue
                raise

    def _switch_match(self, pattern: A.ExpressionAst, item: Any, mode: str, cs: bool, frame: Frame) -> bool:
        if isinstance(pattern, A.ScriptBlockExpressionAst):
            sb = self.eval(pattern, frame)
            result = self.invoke_scriptblock(sb, frame, dollar_under=item, new_scope=False)
            return C.to_bool(C.collect(result))
        pat = self.eval(pattern, frame)
        if mode == "regex":
            m = compile_regex(C.to_string(pat), not cs).search(C.to_string(item))
            if m is not None:
                self.set_variable(frame, "Matches", None, matches_table(m))
            return m is not None
        if mode == "wildcard":
            return wildcard_match(C.to_string(item), C.to_string(pat), cs)
        if isinstance(pat, str) or isinstance(item, str):
            return O.equals(C.to_string(item) if isinstance(pat, str) else item, pat, not cs, self.adapters)
        return O.equals(item, pat, not cs, self.adapters)

    def _s_try(self, stmt: A.TryStatementAst, frame: Frame) -> Iterator[Any]:
        pending: BaseException | None = None
        inner = frame.child(in_try=frame.in_try + 1)
        fin = stmt.finally_body
        try:
            try:
                yield from self.exec_block(stmt.body.statements, inner)
            except PSError as exc:
                clause = self._find_catch(stmt, exc)
                if clause is None:
                    raise
                self.add_error(exc.record)
                catch_frame = frame.child(current_error=exc)
                saved = frame.scope.local_variable("_")
                saved_value = saved.value if saved is not None else NOT_FOUND
                self.set_variable(frame, "_", None, exc.record)
                try:
                    yield from self.exec_block(clause.body.statements, catch_frame)
                finally:
                    if saved_value is not NOT_FOUND:
                        frame.scope.define("_", saved_value)
        except GeneratorExit:
            if fin is not None:
                for _ in self.exec_block(fin.statements, frame):
                    pass
            raise
        except BaseException as exc:  # noqa: BLE001 - finally runs for flow control too
            pending = exc
        if fin is not None:
            yield from self.exec_block(fin.statements, frame)
        if pending is not None:
            raise pending

    def _find_catch(self, stmt: A.TryStatementAst, exc: PSError) -> A.CatchClauseAst | None:
        lineage = [n.casefold() for n in exception_lineage(exc.record.exception_type)]
        for inner in exc.inner_types:
            lineage += [n.casefold() for n in exception_lineage(inner)]
        if exc.stop:
            lineage += [n.casefold() for n in exception_lineage(ACTION_PREFERENCE_STOP_EXCEPTION)]
        for clause in stmt.catches:
            if not clause.type_names:
                return clause
            for tn in clause.type_names:
                name = tn.strip().strip("[]").casefold()
                candidates = {name, "system." + name}
                t = T.find_type(tn, self.types)
                if t is not None:
                    candidates.add(t.full_name.casefold())
                if candidates & set(lineage):
                    return clause
        return None

    def _s_throw(self, stmt: A.ThrowStatementAst, frame: Frame) -> Iterator[Any]:
        position = InvocationInfo(None, ScriptPosition(frame.source.path, stmt.extent, frame.source.text))
        if stmt.pipeline is None:
            if frame.current_error is not None:
                raise PSError(frame.current_error.record, script_terminating=True)
            record = make_record("ScriptHalted", "ScriptHalted", "OperationStopped", invocation=position)
            raise PSError(record, script_terminating=True)
        value = self.statement_value(stmt.pipeline, frame)
        if isinstance(value, ErrorRecord):
            raise PSError(value, script_terminating=True)
        if isinstance(value, ExceptionView):
            if value.record is not None:
                raise PSError(value.record, script_terminating=True)
            record = make_record(value.message, value.message, "OperationStopped", exception_type=value.type_name,
                                 invocation=position)
            raise PSError(record, script_terminating=True)
        message = C.to_string(value, " ", self.adapters) if value is not None else "ScriptHalted"
        target_type = "String" if isinstance(value, str) or value is None else self.short_type_name(value)
        record = make_record(message, message, "OperationStopped", target_object=value,
                             target_name=message if value is not None else "",
                             target_type=target_type if value is not None else "",
                             invocation=position)
        raise PSError(record, script_terminating=True)
        yield  # pragma: no cover

    def _s_return(self, stmt: A.ReturnStatementAst, frame: Frame) -> Iterator[Any]:
        if stmt.pipeline is not None:
            yield from self.exec_statement(stmt.pipeline, frame)
        raise ReturnSignal()

    def _s_exit(self, stmt: A.ExitStatementAst, frame: Frame) -> Iterator[Any]:
        code = 0
        if stmt.pipeline is not None:
            v = self.statement_value(stmt.pipeline, frame)
            try:
                code = C.to_integer(v, T.INT32)
            except PSError:
                code = 0
        raise ExitSignal(code)
        yield  # pragma: no cover

    def _s_function(self, stmt: A.FunctionDefinitionAst, frame: Frame) -> Iterator[Any]:
        module = frame.scope.module
        sb = ScriptBlock(stmt.body, frame.source, module, is_filter=stmt.is_filter)
        fn = FunctionInfo(stmt.name, sb, is_filter=stmt.is_filter, module=module)
        fn_params = stmt.parameters
        if fn_params and stmt.body.param_block is None:
            sb.ast = A.ScriptBlockAst(
                param_block=A.ParamBlockAst((), fn_params, extent=stmt.extent),
                begin_block=stmt.body.begin_block, process_block=stmt.body.process_block,
                end_block=stmt.body.end_block, requires=stmt.body.requires, extent=stmt.body.extent)
            sb._text = stmt.body.extent.text[1:-1] if stmt.body.extent.text.startswith("{") else None
        name = stmt.name
        if ":" in name:
            prefix, _, rest = name.partition(":")
            if prefix.casefold() == "global":
                self.global_scope.functions[rest.casefold()] = FunctionInfo(rest, sb, is_filter=stmt.is_filter,
                                                                              module=module)
                return iter(())
            if prefix.casefold() == "script":
                frame.scope.script_scope().functions[rest.casefold()] = FunctionInfo(
                    rest, sb, is_filter=stmt.is_filter, module=module)
                return iter(())
            name = rest
            fn.name = rest
        frame.scope.functions[name.casefold()] = fn
        return iter(())

    # ------------------------------------------------------------------------------------
    # expressions
    # ------------------------------------------------------------------------------------

    def eval(self, node: A.ExpressionAst, frame: Frame) -> Any:
        return self.compiler.expr(node)(frame)

    def _e_type(self, node: A.TypeExpressionAst, frame: Frame) -> Any:
        return self.resolve_type(node.type_name)

    def resolve_type(self, name: str, lenient: bool = False) -> T.PSType:
        t = T.find_type(name, self.types)
        if t is not None:
            return t
        if lenient:
            return T.resolve_type(name, self.types, lenient=True)
        stripped = name.strip()
        first = stripped.split(".", 1)[0].casefold()
        if "." in stripped and first in _DOTNET_NAMESPACES:
            # a real .NET type that hvemu does not emulate (not PowerShell's "Unable to find type")
            raise not_supported(f"The .NET type [{stripped}]")
        raise T.type_not_found(stripped)

    def _e_convert(self, node: A.ConvertExpressionAst, frame: Frame) -> Any:
        tn = node.type_name.strip().casefold()
        child = node.child
        if tn == "ordered":
            if not isinstance(child, A.HashtableAst):
                raise runtime_error(
                    "The ordered attribute can be specified only on a hash literal node.", "OrderedAttributeOnlyOnHashLiteralNode",
                    "ParserError")
            h = self._e_hashtable(child, frame)
            return Hashtable(h.items(), ordered=True)
        if tn in ("pscustomobject", "system.management.automation.pscustomobject") and isinstance(child, A.HashtableAst):
            h = self._e_hashtable(child, frame)
            return self.pscustomobject_from(h)
        value = self.eval(child, frame)
        if isinstance(value, C.AutomationNull):
            value = None
        t = self.resolve_type(node.type_name)
        if t.kind == "void":
            return VOID
        if t.kind == "unsupported":
            raise not_supported(f"The type [{t.full_name}]")
        if t.kind == "static":
            raise C._cast_error(value, t, self.adapters)
        return C.convert_to(value, t, self.adapters, today=self.clock.now().date())

    def pscustomobject_from(self, h: Hashtable) -> PSObject:
        obj = PSObject()
        for k, v in h.items():
            key = C.to_string(k)
            if key.casefold() == "pstypename":
                obj.type_names.insert(0, C.to_string(v))
                continue
            obj.properties[key] = v
        return obj

    def _member_name(self, member: A.ExpressionAst, frame: Frame) -> str:
        if isinstance(member, A.StringConstantAst):
            return member.value
        return C.to_string(self.eval(member, frame))

    def _e_member(self, node: A.MemberExpressionAst, frame: Frame) -> Any:
        target = self.eval(node.target, frame)
        if not node.static and not isinstance(node.member, A.StringConstantAst):
            # `$h.$key`, `$Matches.0`: a member given by a value looks a dictionary up by that
            # value itself, so an Int32 key is found by 0 (PowerShell's dynamic member binder).
            key = self.eval(node.member, frame)
            if isinstance(target, Hashtable) and not isinstance(key, str):
                try:
                    if key in target:
                        return target[key]
                except TypeError:
                    pass
            return M.get_member(target, C.to_string(key), frame.env)
        name = self._member_name(node.member, frame)
        if node.static:
            if not isinstance(target, T.PSType):
                raise runtime_error(f"Unable to find type [{C.to_string(target)}].", "TypeNotFound", "InvalidOperation")
            if name.casefold() in ("now", "utcnow", "today") and target.full_name == "System.DateTime":
                self.observations += 1
            return M.get_static(target, name, frame.env)
        return M.get_member(target, name, frame.env)

    def _e_invoke(self, node: A.InvokeMemberExpressionAst, frame: Frame) -> Any:
        v = self.invoke_member(node, frame)
        return None if isinstance(v, C.AutomationNull) else v

    def invoke_member(self, node: A.InvokeMemberExpressionAst, frame: Frame) -> Any:
        target = self.eval(node.target, frame)
        name = self._member_name(node.member, frame)
        args = [self._arg_value(a, frame) for a in node.arguments]
        try:
            if node.static:
                if not isinstance(target, T.PSType):
                    raise runtime_error(f"Unable to find type [{C.to_string(target)}].", "TypeNotFound",
                                        "InvalidOperation")
                return M.invoke_static(target, name, args, frame.env)
            return M.invoke_method(target, name, args, frame.env)
        except (PSError, HaltSignal):
            raise
        except (ValueError, IndexError, TypeError, ZeroDivisionError, OverflowError, KeyError) as exc:
            raise M.method_exception(name, len(args), str(exc) or type(exc).__name__) from None

    def _arg_value(self, node: A.ExpressionAst, frame: Frame) -> Any:
        v = self.eval(node, frame)
        return None if isinstance(v, C.AutomationNull) else v

    def _e_binary(self, node: A.BinaryExpressionAst, frame: Frame) -> Any:
        op = node.op.lower()
        if op == "-and":
            return C.to_bool(self.eval(node.left, frame)) and C.to_bool(self.eval(node.right, frame))
        if op == "-or":
            return C.to_bool(self.eval(node.left, frame)) or C.to_bool(self.eval(node.right, frame))
        left = self.eval(node.left, frame)
        right = self.eval(node.right, frame)
        if isinstance(left, C.AutomationNull):
            left = None
        if isinstance(right, C.AutomationNull):
            right = None
        if op in ("-is", "-isnot", "-as") and isinstance(node.right, A.StringConstantAst):
            right = self.resolve_type(C.to_string(right), lenient=True)
        return O.binary(op, left, right, frame.env)

    def _e_array_expr(self, node: A.ArrayExpressionAst, frame: Frame) -> Any:
        return list(self.exec_block(node.statements.statements, frame))

    def _e_subexpr(self, node: A.SubExpressionAst, frame: Frame) -> Any:
        return C.collect(list(self.exec_block(node.statements.statements, frame)))

    def _e_paren(self, node: A.ParenExpressionAst, frame: Frame) -> Any:
        inner = node.pipeline
        if isinstance(inner, A.PipelineAst) and len(inner.elements) == 1:
            el = inner.elements[0]
            if isinstance(el, A.CommandExpressionAst) and not el.redirections:
                v = self.eval(el.expression, frame)
                return v
        if isinstance(inner, A.AssignmentStatementAst):
            return self.statement_value(inner, frame)
        return C.collect(list(self._exec_raw(inner, frame)))

    def _e_hashtable(self, node: A.HashtableAst, frame: Frame) -> Hashtable:
        h = Hashtable()
        for key_ast, value_stmt in node.pairs:
            key = self.eval(key_ast, frame)
            if isinstance(key, C.AutomationNull) or key is None:
                raise runtime_error("A null key is not allowed in a hash literal.", "InvalidNullKey",
                                    "InvalidOperation")
            if key in h:
                raise runtime_error(
                    f"Duplicate keys '{C.to_string(key)}' are not allowed in hash literals.", "DuplicateKeyInHashLiteral",
                    "ParserError")
            h[key] = self.statement_value(value_stmt, frame)
        return h

    def _e_scriptblock(self, node: A.ScriptBlockExpressionAst, frame: Frame) -> Any:
        text = node.extent.text
        inner = text[1:-1] if text.startswith("{") and text.endswith("}") else None
        return ScriptBlock(node.script_block, frame.source, frame.scope.module, text=inner)

    # ------------------------------------------------------------------------------------
    # assignment
    # ------------------------------------------------------------------------------------

    def assign(self, target: A.ExpressionAst, value: Any, frame: Frame) -> None:
        if isinstance(target, A.VariableExpressionAst):
            self.set_variable(frame, target.name, target.scope, value, no_output=True)
            return
        if isinstance(value, C.AutomationNull):
            value = None
        if isinstance(target, A.ConvertExpressionAst):
            inner = target.child
            t = self.resolve_type(target.type_name)
            if isinstance(inner, A.VariableExpressionAst):
                converted = self._convert_for_variable(value, t) if t.kind != "void" else None
                scope = frame.scope
                if inner.scope == "global":
                    scope = self.global_scope
                elif inner.scope == "script":
                    scope = frame.scope.script_scope()
                scope.define(inner.name, converted, t)
                return
            self.assign(inner, C.convert_to(value, t, self.adapters), frame)
            return
        if isinstance(target, A.MemberExpressionAst):
            obj = _no_automation_null(self.eval(target.target, frame))
            name = self._member_name(target.member, frame)
            if target.static:
                raise not_supported("Assigning to a static member")
            M.set_member(obj, name, value, frame.env)
            return
        if isinstance(target, A.IndexExpressionAst):
            obj = _no_automation_null(self.eval(target.target, frame))
            index = self.eval(target.index, frame)
            M.set_index(obj, index, value, frame.env)
            return
        if isinstance(target, A.ArrayLiteralAst):
            values = list(value) if isinstance(value, list) else [value]
            n = len(target.elements)
            for i, el in enumerate(target.elements):
                if i < n - 1:
                    self.assign(el, values[i] if i < len(values) else None, frame)
                else:
                    rest = values[i:]
                    self.assign(el, C.collect(rest) if len(rest) != 1 else rest[0], frame)
            return
        if isinstance(target, A.ParenExpressionAst):
            inner_stmt = target.pipeline
            if isinstance(inner_stmt, A.PipelineAst) and len(inner_stmt.elements) == 1 and \
                    isinstance(inner_stmt.elements[0], A.CommandExpressionAst):
                self.assign(inner_stmt.elements[0].expression, value, frame)
                return
        raise runtime_error(
            "The assignment expression is not valid. The input to an assignment operator must be an object that is "
            "able to accept assignments, such as a variable or a property.", "InvalidLeftHandSide", "ParserError")

    # ------------------------------------------------------------------------------------
    # script blocks
    # ------------------------------------------------------------------------------------

    def _enter_scriptblock(self, sb: Any, frame: Frame, args: list[Any] | None, dollar_under: Any,
                           new_scope: bool, this: Any, input_items: list[Any] | None
                           ) -> tuple[Frame, Scope, dict[str, Any]]:
        """The frame a script block runs in, its variables set; returns (frame, scope, the
        caller's variables to put back when the block ran in the caller's scope)."""
        if not isinstance(sb, ScriptBlock):
            raise runtime_error(
                f"The value '{C.to_string(sb)}' is not a script block.", "ScriptBlockExpected", "InvalidArgument")
        if new_scope:
            parent = sb.module.scope if sb.module is not None and sb.module.scope is not None else frame.scope
            scope = Scope(parent, "local")
        else:
            scope = frame.scope
        f = frame if scope is frame.scope and sb.source is frame.source else frame.child(scope=scope, source=sb.source)
        saved: dict[str, Any] = {}
        if dollar_under is not NOT_FOUND:
            if not new_scope:
                old = scope.variables.get("_")
                saved["_"] = old.value if old is not None else NOT_FOUND
            scope.define("_", dollar_under)
        if this is not NOT_FOUND:
            self._set_block_local(scope, new_scope, saved, "this", this)
        args = list(args or [])
        if new_scope:
            pb = sb.ast.param_block
            if pb is not None and pb.parameters:
                for i, p in enumerate(pb.parameters):
                    t = self._param_type(p)
                    if i < len(args):
                        val = args[i]
                        if t is not None and t.kind != "object":
                            val = C.convert_to(val, t, self.adapters)
                    elif p.default is not None:
                        val = self.eval(p.default, f)
                    else:
                        val = None if t is None or t.kind != "switch" else False
                    scope.define(p.name, val, t if t is not None and t.kind not in ("object", "switch") else None)
                scope.define("args", args[len(pb.parameters):])
            else:
                scope.define("args", args)
        if input_items is not None:
            self._set_block_local(scope, new_scope, saved, "input", list(input_items))
        return f, scope, saved

    @staticmethod
    def _set_block_local(scope: Scope, new_scope: bool, saved: dict[str, Any], name: str, value: Any) -> None:
        if not new_scope:
            old = scope.local_variable(name)
            saved.setdefault(name, old.value if old is not None else NOT_FOUND)
        scope.define(name, value)

    @staticmethod
    def _leave_scriptblock(scope: Scope, saved: dict[str, Any]) -> None:
        for name, old in saved.items():
            if old is NOT_FOUND:
                scope.remove_variable(name)
            else:
                scope.define(name, old)

    def _named_blocks(self, sb: ScriptBlock) -> list[Any]:
        """The compiled begin, process and end blocks of a script block, in that order."""
        ast_ = sb.ast
        blocks: list[Any] | None = self.compiler.cached(ast_)
        if blocks is None:
            blocks = self.compiler.keep(ast_, [
                compiler_statements.block_of(self.compiler, block.statements)
                for block in (ast_.begin_block, ast_.process_block, ast_.end_block) if block is not None])
        return blocks

    def stream_scriptblock(self, sb: Any, frame: Frame, *, args: list[Any] | None = None,
                           dollar_under: Any = NOT_FOUND, new_scope: bool = True, this: Any = NOT_FOUND,
                           input_items: list[Any] | None = None) -> Iterator[Any]:
        f, scope, saved = self._enter_scriptblock(sb, frame, args, dollar_under, new_scope, this, input_items)
        try:
            try:
                for block in self._named_blocks(sb):
                    yield from block.gen(f)
            except ReturnSignal:
                return
        finally:
            self._leave_scriptblock(scope, saved)

    def invoke_scriptblock(self, sb: Any, frame: Frame, *, args: list[Any] | None = None, this: Any = NOT_FOUND,
                           dollar_under: Any = NOT_FOUND, new_scope: bool = True) -> list[Any]:
        """A script block run to completion: its output (as `list(stream_scriptblock(...))`)."""
        if not new_scope and this is NOT_FOUND and dollar_under is not NOT_FOUND and isinstance(sb, ScriptBlock):
            return self._filter_scriptblock(sb, frame, dollar_under)
        f, scope, saved = self._enter_scriptblock(sb, frame, args, dollar_under, new_scope, this, None)
        out: list[Any] = []
        blocks = self.compiler.cached(sb.ast)
        try:
            try:
                for block in blocks if blocks is not None else self._named_blocks(sb):
                    block.collect(f, out)
            except ReturnSignal:
                pass
        finally:
            self._leave_scriptblock(scope, saved)
        return out

    def _filter_scriptblock(self, sb: ScriptBlock, frame: Frame, dollar_under: Any) -> list[Any]:
        """`invoke_scriptblock` of a block run in the caller's scope with `$_` set (Where-Object's
        filter, a calculated property, a delay-bound argument): the same steps, inline."""
        scope = frame.scope
        f = frame if sb.source is frame.source else frame.child(source=sb.source)
        old = scope.variables.get("_")
        saved = old.value if old is not None else NOT_FOUND
        scope.define("_", dollar_under)
        out: list[Any] = []
        blocks = self.compiler.cached(sb.ast)
        try:
            try:
                for block in blocks if blocks is not None else self._named_blocks(sb):
                    block.collect(f, out)
            except ReturnSignal:
                pass
        finally:
            if saved is NOT_FOUND:
                scope.remove_variable("_")
            else:
                scope.define("_", saved)
        return out

    def create_scriptblock(self, text: str) -> ScriptBlock:
        ast_ = self.parse(text, None)
        return ScriptBlock(ast_, ScriptSource(None, text), None, text=text)

    def parse(self, text: str, path: str | None) -> A.ScriptBlockAst:
        try:
            from hyperv_emu.psshim.parser import ParseError, parse
        except ImportError:
            raise not_supported("Running PowerShell text before psshim.parser exists") from None
        try:
            return parse(text, path)
        except ParseError as exc:
            # a script file (dot-sourced, called, imported) or text that does not parse: the
            # statement that loads it fails; the calling script goes on
            raise PSError(self.parse_error_record(exc, text, path)) from None

    def parse_error_record(self, exc: Any, text: str, path: str | None) -> ErrorRecord:
        items = list(getattr(exc, "errors", ()) or ())
        if not items:
            return make_record(str(exc), "ParseError", "ParserError",
                               exception_type="System.Management.Automation.ParentContainsErrorRecordException")
        first = items[0]
        pos = ScriptPosition(path, first.extent, text)
        extra = tuple((it.message, ScriptPosition(path, it.extent, text)) for it in items[1:])
        import attrs

        rec = make_record(first.message, first.error_id, "ParserError",
                          exception_type="System.Management.Automation.ParentContainsErrorRecordException",
                          reason="ParentContainsErrorRecordException",
                          invocation=InvocationInfo(None, pos))
        return attrs.evolve(rec, is_parse_error=True, extra_positions=extra)

    # ------------------------------------------------------------------------------------
    # script function metadata
    # ------------------------------------------------------------------------------------

    def _param_type(self, p: A.ParameterAst) -> T.PSType | None:
        for a in p.attributes:
            if isinstance(a, A.TypeConstraintAst):
                return self.resolve_type(a.type_name, lenient=True)
        return None

    def _const(self, node: A.ExpressionAst | None, frame: Frame) -> Any:
        if node is None:
            return True
        return self.eval(node, frame)

    def script_metadata(self, sb: ScriptBlock, name: str, frame: Frame) -> CommandMetadata:
        if sb.metadata is not None:
            return sb.metadata
        pb = sb.ast.param_block
        params_ast = pb.parameters if pb is not None else ()
        binding = None
        if pb is not None:
            for a in pb.attributes:
                if a.type_name.casefold() in ("cmdletbinding", "system.management.automation.cmdletbindingattribute"):
                    binding = a
        advanced = binding is not None or any(
            isinstance(a, A.AttributeAst) and a.type_name.casefold() in ("parameter", "system.management.automation.parameterattribute")
            for p in params_ast for a in p.attributes)
        default_set: str | None = None
        should_process = False
        confirm_impact = "Medium"
        positional_binding = True
        if binding is not None:
            for k, v in binding.named_arguments:
                kl = k.casefold()
                if kl == "defaultparametersetname":
                    default_set = C.to_string(self._const(v, frame))
                elif kl == "supportsshouldprocess":
                    should_process = C.to_bool(self._const(v, frame))
                elif kl == "confirmimpact":
                    confirm_impact = C.to_string(self._const(v, frame))
                elif kl == "positionalbinding":
                    positional_binding = C.to_bool(self._const(v, frame))
        params: list[ParameterMetadata] = []
        explicit_position = False
        for p in params_ast:
            t = self._param_type(p) or T.OBJECT
            aliases: list[str] = []
            sets: dict[str, InSet] = {}
            validators: list[Validator] = []
            allow_null = allow_empty_string = allow_empty_collection = False
            for attr in p.attributes:
                if isinstance(attr, A.TypeConstraintAst):
                    continue
                a = attr
                an = a.type_name.casefold().replace("attribute", "")
                pos_args = [self._const(x, frame) for x in a.positional_arguments]
                if an in ("parameter", "system.management.automation.parameter"):
                    set_name = ALL_SETS
                    kw: dict[str, Any] = {}
                    for k, v in a.named_arguments:
                        kl = k.casefold()
                        val = self._const(v, frame)
                        if kl == "parametersetname":
                            set_name = C.to_string(val)
                        elif kl == "mandatory":
                            kw["mandatory"] = C.to_bool(val)
                        elif kl == "position":
                            kw["position"] = C.to_integer(val, T.INT32)
                            explicit_position = True
                        elif kl == "valuefrompipeline":
                            kw["pipeline"] = C.to_bool(val)
                        elif kl == "valuefrompipelinebypropertyname":
                            kw["pipeline_by_property"] = C.to_bool(val)
                        elif kl == "valuefromremainingarguments":
                            kw["remaining"] = C.to_bool(val)
                    sets[set_name] = InSet(set_name, **kw)
                elif an == "alias":
                    for x in pos_args:
                        aliases.extend(C.to_string(y) for y in C.as_list(x))
                elif an == "validatenotnull":
                    validators.append(ValidateNotNull())
                elif an == "validatenotnullorempty":
                    validators.append(ValidateNotNullOrEmpty())
                elif an == "validateset":
                    flat = [C.to_string(y) for x in pos_args for y in C.as_list(x)]
                    ic = True
                    for k, v in a.named_arguments:
                        if k.casefold() == "ignorecase":
                            ic = C.to_bool(self._const(v, frame))
                    validators.append(ValidateSet(*flat, ignore_case=ic))
                elif an == "validaterange" and len(pos_args) == 2:
                    validators.append(ValidateRange(pos_args[0], pos_args[1]))
                elif an == "validatelength" and len(pos_args) == 2:
                    validators.append(ValidateLength(C.to_integer(pos_args[0], T.INT32),
                                                     C.to_integer(pos_args[1], T.INT32)))
                elif an == "validatepattern" and pos_args:
                    validators.append(ValidatePattern(C.to_string(pos_args[0])))
                elif an == "validatecount" and len(pos_args) == 2:
                    validators.append(ValidateCount(C.to_integer(pos_args[0], T.INT32),
                                                    C.to_integer(pos_args[1], T.INT32)))
                elif an == "validatescript" and pos_args:
                    validators.append(ValidateScript(pos_args[0]))
                elif an == "allownull":
                    allow_null = True
                elif an == "allowemptystring":
                    allow_empty_string = True
                elif an == "allowemptycollection":
                    allow_empty_collection = True
            if not sets:
                sets[ALL_SETS] = InSet(ALL_SETS)
            params.append(ParameterMetadata(
                name=p.name, type=t, aliases=tuple(aliases), sets=sets, validators=tuple(validators),
                default_ast=p.default, allow_null=allow_null, allow_empty_string=allow_empty_string,
                allow_empty_collection=allow_empty_collection))
        if not explicit_position and positional_binding:
            pos = 0
            for pm in params:
                if pm.is_switch:
                    continue
                pm.sets = {k: (attrs_evolve_position(v, pos) if v.position is None else v)
                           for k, v in pm.sets.items()}
                pos += 1
        meta = CommandMetadata(
            name=name, parameters=params, default_set=default_set, supports_should_process=should_process,
            confirm_impact=confirm_impact, is_advanced=advanced, is_cmdlet=False, class_name=name,
            positional_binding=positional_binding)
        sb.metadata = meta
        return meta


def attrs_evolve_position(spec: InSet, pos: int) -> InSet:
    import attrs

    return attrs.evolve(spec, position=pos)


class LoopWatch:
    """Detects a loop that keeps observing a virtual clock that never moves."""

    __slots__ = ("interp", "node", "frame", "last_now", "count", "obs_start", "last_obs")

    def __init__(self, interp: Interpreter, node: A.Ast, frame: Frame) -> None:
        self.interp = interp
        self.node = node
        self.frame = frame
        clock = interp.services.clock
        self.last_now = clock.now() if getattr(clock, "is_virtual", False) else None
        self.count = 0
        self.obs_start = interp.observations
        self.last_obs = interp.observations

    def step(self) -> None:
        clock = self.interp.services.clock
        if not getattr(clock, "is_virtual", False):
            return
        observed = self.interp.observations
        if observed == self.last_obs:
            # This pass looked at nothing that changes with time: it is not polling, and the
            # clock (a read of the emulator's state) need not be consulted.
            self.count = 0
            self.obs_start = observed
            return
        self.last_obs = observed
        now = clock.now()
        if now != self.last_now:
            self.last_now = now
            self.count = 0
            self.obs_start = self.interp.observations
            return
        self.count += 1
        limit = int(getattr(self.interp.settings, "poll_limit", 1000))
        if self.count >= limit and self.interp.observations - self.obs_start >= self.count:
            src = self.frame.source
            raise HaltSignal(make_record(
                f"hvemu stopped this loop: it ran {self.count} times while reading the clock or Hyper-V state, but "
                f"the loop never advances the virtual clock, so what it waits for can never happen. On hvemu's "
                f"virtual clock time only moves with Start-Sleep (and Hyper-V work such as checkpoints): add "
                f"Start-Sleep to the loop.",
                "HvemuVirtualClockNotAdvancing", "OperationStopped",
                exception_type="Hvemu.VirtualClockException",
                invocation=InvocationInfo(None, ScriptPosition(src.path, self.node.extent, src.text))))


# The statements the compiler leaves to their handler (compiler_statements.py and
# compiler_loops.py compile pipelines, assignments, if, the loops, break, continue and blocks).
_STATEMENTS: dict[type, Callable[..., Iterator[Any]]] = {
    A.SwitchStatementAst: Interpreter._s_switch,
    A.TryStatementAst: Interpreter._s_try,
    A.ThrowStatementAst: Interpreter._s_throw,
    A.ReturnStatementAst: Interpreter._s_return,
    A.ExitStatementAst: Interpreter._s_exit,
    A.FunctionDefinitionAst: Interpreter._s_function,
}

# The expressions the compiler leaves to their handler (compiler.py compiles constants,
# strings, variables, operators, simple parentheses, members, indexing, array literals and
# expandable strings; a handler evaluates its children through `eval`, compiled).
_EXPRESSIONS: dict[type, Callable[..., Any]] = {
    A.TypeExpressionAst: Interpreter._e_type,
    A.ConvertExpressionAst: Interpreter._e_convert,
    A.MemberExpressionAst: Interpreter._e_member,
    A.InvokeMemberExpressionAst: Interpreter._e_invoke,
    A.BinaryExpressionAst: Interpreter._e_binary,
    A.ArrayExpressionAst: Interpreter._e_array_expr,
    A.SubExpressionAst: Interpreter._e_subexpr,
    A.ParenExpressionAst: Interpreter._e_paren,
    A.HashtableAst: Interpreter._e_hashtable,
    A.ScriptBlockExpressionAst: Interpreter._e_scriptblock,
}
