"""The runner API: `Runspace(services, settings, host)` runs scripts and commands.

    rs = Runspace(services, RunSettings(edition="5.1", culture="en-US"), Host(out, err))
    code = rs.run_script(text, path="C:\\scripts\\job.ps1", args=["SRV-APP01"])

- `run_script(text, path, args) -> int`: the exit code `powershell.exe -File` gives: the
  script's `exit N`; 1 after a parse error or a terminating error that ended the script; else 0.
- `run_command(text) -> int`: one command line, as typed at a prompt (no script path).
- `invoke(text) -> list`: the output objects of a command (tests, the shell); errors still go
  to the host.

Output objects go through one `psshim.format.out_default.OutDefault` per run (or to `output`,
a callable taking each object, when given); errors are rendered with
`psshim.format.error_view.render_error`. Variables and functions persist between calls on the
same Runspace (its global scope), like a PowerShell session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

import attrs

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import (
    BreakSignal,
    ContinueSignal,
    ExitSignal,
    HaltSignal,
    PSError,
    ReturnSignal,
    make_record,
)
from hyperv_emu.psshim.runtime.frames import CallInfo, Frame
from hyperv_emu.psshim.runtime.host import Host
from hyperv_emu.psshim.runtime.interpreter import Interpreter
from hyperv_emu.psshim.runtime.pipeline import run_pipeline
from hyperv_emu.psshim.runtime.records import ErrorRecord, InvocationInfo, ScriptPosition
from hyperv_emu.psshim.runtime.registry import Registry
from hyperv_emu.psshim.runtime.scopes import Scope, ScriptSource
from hyperv_emu.psshim.runtime.values import Adapter, AdapterRegistry, Hashtable
from hyperv_emu.sdk.fieldwise import MutableFieldwise


@attrs.define(eq=False, repr=False)
class RunSettings(MutableFieldwise):
    """edition: "5.1" or "7"; culture: the current culture's name; width: the console width.
    max_steps / timeout_seconds: the budget (statements and loop iterations / wall seconds;
    None = unlimited). poll_limit: iterations a loop may poll an unmoving virtual clock.
    location: the current location (relative paths, `.\\script.ps1`)."""

    edition: str = "5.1"
    culture: str = "en-US"
    width: int = 120
    max_steps: int | None = 5_000_000  # about 30 s of a tight loop on a slow machine
    timeout_seconds: float | None = None
    poll_limit: int = 1000
    location: str = "C:\\Users\\Administrator"
    utc_offset: dt.timedelta = dt.timedelta(0)
    memory_limit: int = options.DEFAULT_MEMORY_LIMIT


def format_settings_of(settings: Any) -> Any:
    """The formatter's settings (culture, edition, console width, UTC offset) for a run's
    settings: Out-Default's, and the output cmdlets' (Out-String, Format-*, Out-File)."""
    from hyperv_emu.psshim.format.settings import FormatSettings
    from hyperv_emu.psshim.runtime.textformat import culture_object

    edition = "7" if str(settings.edition).startswith("7") else "5.1"
    return FormatSettings(culture=culture_object(settings.culture), edition=edition,  # type: ignore[arg-type]
                          width=settings.width, utc_offset=getattr(settings, "utc_offset", None) or dt.timedelta(0))

def _native_adapter() -> Adapter:
    def names(obj: Any) -> list[str]:
        tn = getattr(obj, "__ps_type_names__", ["System.Object"])
        return list(tn() if callable(tn) else tn)

    def props(obj: Any) -> list[tuple[str, Any]]:
        fn = getattr(obj, "__ps_properties__", None)
        return list(fn()) if fn is not None else []

    from hyperv_emu.psshim.runtime.members import native_get

    return Adapter(type_names=names, properties=props, lookup=native_get)


def register_runtime_adapters(adapters: AdapterRegistry) -> None:
    """PowerShell's view of the runtime's own .NET-like objects (match info, exceptions, jobs,
    GroupInfo, ...): every class that implements `__ps_properties__`."""
    from hyperv_emu.psshim.runtime import dotnet_regex, interpreter, nativeobjects, pipeline, scopes

    adapter = _native_adapter()
    for cls in (nativeobjects.PSNative, dotnet_regex.PSGroup, dotnet_regex.PSMatch, scopes.FunctionInfo,
                scopes.ModuleInfo, interpreter.HostInfo, pipeline._MyInvocation, pipeline._MyCommand,
                pipeline._PSCmdlet):
        if cls not in adapters.by_class:
            adapters.register(cls, adapter)


class _FallbackOut:
    def __init__(self, write: Callable[[str], None]) -> None:
        self.write_text = write

    def write(self, obj: Any) -> None:
        for item in C.enumerate_value(obj):
            if item is not None:
                self.write_text(C.to_string(item) + "\n")

    def close(self) -> None:
        pass


class Runspace:
    def __init__(self, services: Any, settings: RunSettings | None = None, host: Host | None = None, *,
                 registry: Registry | None = None, adapters: AdapterRegistry | None = None,
                 output: Callable[[Any], None] | None = None) -> None:
        self.services = services
        self.settings = settings or RunSettings()
        self.host = host or Host()
        if registry is None:
            from hyperv_emu.psshim.cmdlets import default_registry

            registry = default_registry()
        self.registry = registry
        self.adapters = adapters or AdapterRegistry()
        register_runtime_adapters(self.adapters)
        for setup in registry.adapter_setup:
            setup(self.adapters)
        self.output = output
        with options.using_edition(self.settings.edition, self.settings.memory_limit):
            self.interp = Interpreter(settings=self.settings, services=services, registry=registry,
                                      adapters=self.adapters, host=self.host, render_error=self.render_error,
                                      run_pipeline=run_pipeline)
        from hyperv_emu.psshim.cmdlets.jobs import JobTable

        self.interp.jobs = JobTable()

    # -- formatting ------------------------------------------------------------------------

    def format_settings(self) -> Any:
        return format_settings_of(self.settings)

    def render_error(self, record: ErrorRecord) -> str:
        from hyperv_emu.psshim.format.error_view import render_error

        with options.using_edition(self.settings.edition, self.settings.memory_limit):
            return render_error(record, self.format_settings())

    def _out(self) -> Any:
        if self.output is not None:
            sink = self.output

            class _Sink:
                def write(self, obj: Any) -> None:
                    sink(obj)

                def close(self) -> None:
                    pass

            return _Sink()
        try:
            from hyperv_emu.psshim.format.out_default import OutDefault

            return OutDefault(self.host.write_out, self.format_settings(), self.adapters)
        except ImportError:  # pragma: no cover - the formatter is part of psshim
            return _FallbackOut(self.host.write_out)

    @property
    def errors(self) -> list[ErrorRecord]:
        return list(self.interp.errors)

    # -- running -----------------------------------------------------------------------------

    def run_script(self, text: str, path: str | None = None, args: Sequence[Any] = ()) -> int:
        with options.using_edition(self.settings.edition, self.settings.memory_limit):
            return self._run(text, path, list(args), script=path is not None)

    def run_command(self, text: str, *, failed_status_exits: bool = True) -> int:
        """Run `text` as `powershell -Command` does; its exit code is 1 when the last command
        failed ($? False) unless `failed_status_exits` is False (a PSRP pipeline, whose state
        fails only on a terminating error)."""
        with options.using_edition(self.settings.edition, self.settings.memory_limit):
            return self._run(text, None, [], script=False, failed_status_exits=failed_status_exits)

    def invoke(self, text: str) -> list[Any]:
        collected: list[Any] = []
        saved = self.output
        self.output = collected.append
        try:
            self.run_command(text)
        finally:
            self.output = saved
        return collected

    def _parse(self, text: str, path: str | None) -> A.ScriptBlockAst | ErrorRecord:
        from hyperv_emu.psshim.parser import ParseError, parse

        try:
            return parse(text, path)
        except ParseError as exc:
            return self.interp.parse_error_record(exc, exc.source, path)
        except Exception as exc:  # noqa: BLE001 - never a traceback
            return make_record(f"hvemu internal error while parsing: {type(exc).__name__}: {exc}",
                               "HvemuInternalError", "ParserError")

    def _run(self, text: str, path: str | None, args: list[Any], script: bool, *,
             failed_status_exits: bool = True) -> int:
        import time

        interp = self.interp
        # the budget is per run (a shell session runs many)
        interp.started = time.monotonic()
        interp.steps = 0
        interp.check_at = 0
        if text.startswith("\ufeff"):
            text = text[1:]
        parsed = self._parse(text, path)
        if isinstance(parsed, ErrorRecord):
            interp.add_error(parsed)
            self.host.write_err(self.render_error(parsed))
            return 1
        source = ScriptSource(path, text)
        if script:
            scope = Scope(interp.global_scope, "script")
        else:
            scope = interp.global_scope
        call = CallInfo(path or "", "script" if script else "interactive", parsed.extent, source, None, path)
        frame = Frame(interp, scope, source, call=call)
        if script and path is not None:
            from hyperv_emu.psshim.runtime import paths
            from hyperv_emu.psshim.runtime.pipeline import _MyInvocation

            scope.define("PSScriptRoot", paths.parent(path))
            scope.define("PSCommandPath", path)
            # the script's bound parameters: filled by _bind_script_params, shared with
            # $MyInvocation.BoundParameters as in PowerShell
            bound = Hashtable()
            scope.define("PSBoundParameters", bound)
            scope.define("MyInvocation", _MyInvocation(call, bound))
        scope.define("args", list(args)) if script else None
        out = self._out()
        code = 0
        try:
            self._check_requires(parsed, frame, path)
            statements: list[A.StatementAst] = []
            for block in (parsed.begin_block, parsed.process_block, parsed.end_block):
                if block is not None:
                    statements.extend(block.statements)
            if parsed.param_block is not None and script:
                self._bind_script_params(parsed, frame, args)
            for obj in interp.exec_block(statements, frame):
                out.write(obj)
            if not script and failed_status_exits and not interp.status:
                # `powershell -Command`: 1 when the last command failed ($? is False), e.g. a
                # script it called ended with `exit 1` (about_PowerShell_exe, -Command)
                code = 1
        except PSError as exc:
            if not exc.located and exc.record.invocation is None:
                pass
            interp.report_error(exc.record, frame)
            code = 1
        except ExitSignal as ex:
            code = ex.code
            interp.last_exit_code = code
        except HaltSignal as halt:
            interp.report_error(halt.record, frame)
            code = 1
        except (BreakSignal, ContinueSignal, ReturnSignal):
            code = 0
        except RecursionError:
            interp.report_error(make_record("The script failed due to call depth overflow.", "CallDepthOverflow",
                                            "InvalidOperation"), frame)
            code = 1
        except Exception as exc:  # noqa: BLE001 - never a Python traceback
            interp.report_error(interp.internal_error(exc).record, frame)
            code = 1
        finally:
            try:
                out.close()
            except Exception as exc:  # noqa: BLE001
                self.host.write_err(f"hvemu internal error while formatting output: {exc}\n")
        return code

    def _bind_script_params(self, parsed: A.ScriptBlockAst, frame: Frame, args: list[Any]) -> None:
        from hyperv_emu.psshim.runtime.binder import Arg, Binder
        from hyperv_emu.psshim.runtime.scopes import ScriptBlock

        sb = ScriptBlock(parsed, frame.source)
        path = frame.source.path or ""
        leaf = path.replace("/", "\\").rsplit("\\", 1)[-1]
        meta = self.interp.script_metadata(sb, leaf, frame)

        def errors(message: str, error_id: str, category: str, exception_type: str, extent: Any,
                   *, target: Any = None) -> PSError:
            # binding the script's own parameters (`powershell -File s.ps1 args`): no position,
            # the script's path as prefix and its file name as the activity
            return PSError(make_record(message, error_id, category, exception_type=exception_type,
                                       activity=leaf, fqid=f"{error_id},{leaf}", prefix=path,
                                       invocation=InvocationInfo(leaf, None)))

        from hyperv_emu.psshim.runtime.prompts import mandatory_prompt

        binder = Binder(meta, errors, adapters=self.adapters,
                        prompt_missing=mandatory_prompt(self.host, options.is_core(), leaf))
        arg_list: list[Arg] = []
        for a in args:
            if isinstance(a, str) and a.startswith("-") and len(a) > 1 and not a[1].isdigit():
                name_part, colon, value = a[1:].partition(":")
                arg_list.append(Arg(name=name_part, value=value if colon else _NO_VALUE(), token_text=a))
            else:
                arg_list.append(Arg(name=None, value=a))
        state = binder.bind_arguments(arg_list, expects_input=False)
        for k, v in state.bound.items():
            frame.scope.define(k, v)
        bound = frame.scope.local_variable("PSBoundParameters")
        if bound is not None and isinstance(bound.value, Hashtable):
            for name in state.bound_order:
                if name in state.bound:
                    bound.value[name] = state.bound[name]
                elif name in state.common:
                    bound.value[name] = state.common[name]
        for p in meta.parameters:
            if p.name not in state.bound:
                if p.default_ast is not None:
                    frame.scope.define(p.name, self.interp.eval(p.default_ast, frame))
                else:
                    frame.scope.define(p.name, False if p.is_switch else None)
        frame.scope.define("args", list(state.extra_args))

    def _check_requires(self, parsed: A.ScriptBlockAst, frame: Frame, path: str | None) -> None:
        from hyperv_emu.psshim.runtime.pipeline import import_module
        from hyperv_emu.psshim.runtime.requires import check_requires

        check_requires(self.interp, parsed, frame, path, import_module)

def _NO_VALUE() -> Any:
    from hyperv_emu.psshim.runtime.binder import NO_VALUE

    return NO_VALUE
