"""Pipelines and command invocation.

`run_pipeline` turns `A | B | C` into a chain of generators: every command's begin phase runs
first, in order; then objects stream one at a time (`1..2 | % {Write-Host "a$_"; $_} | % {Write-Host
"b$_"}` prints a1 b1 a2 b2); a command that needs no more input (Select-Object -First) stops its
upstream. Commands are resolved as PowerShell does (alias, function, cmdlet, script file; then
`Get-<name>`), module-qualified names (`Hyper-V\\Get-VM`) included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

import attrs

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.ast import Extent
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import members as M
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import paths
from hyperv_emu.psshim.runtime.binder import Arg, Binder, BindState, InputNotBound, NO_VALUE, splat_hashtable, splat_list
from hyperv_emu.psshim.runtime.commands import CmdletInfo
from hyperv_emu.psshim.runtime.context import CommandContext
from hyperv_emu.psshim.runtime.errors import (
    COMMAND_NOT_FOUND_EXCEPTION,
    ExitSignal,
    HaltSignal,
    PSError,
    ReturnSignal,
    make_record,
    not_supported,
    runtime_error,
)
from hyperv_emu.psshim.runtime.fileerrors import FileViewError
from hyperv_emu.psshim.runtime.frames import CallInfo, Frame, Routing
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND
from hyperv_emu.psshim.runtime.prompts import mandatory_prompt
from hyperv_emu.psshim.runtime.records import InvocationInfo, ScriptPosition
from hyperv_emu.psshim.runtime.registry import Cmdlet
from hyperv_emu.psshim.runtime.scopes import FunctionInfo, ModuleInfo, Scope, ScriptBlock, ScriptSource
from hyperv_emu.psshim.runtime.values import ArrayList, Hashtable
from hyperv_emu.sdk.fieldwise import MutableFieldwise

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.interpreter import Interpreter

NO_INPUT: Any = object()

BUILTIN_MODULES = {
    "hyper-v", "microsoft.powershell.utility", "microsoft.powershell.management", "microsoft.powershell.core",
    "microsoft.powershell.security", "microsoft.powershell.host", "cimcmdlets",
}


# ------------------------------------------------------------------------------------------
# processors
# ------------------------------------------------------------------------------------------


class Processor:
    stopped = False
    expects_input = False

    def begin(self) -> Iterator[Any]:
        return iter(())

    def process(self, item: Any) -> Iterator[Any]:
        return iter(())

    def end(self) -> Iterator[Any]:
        return iter(())


class ExpressionProcessor(Processor):
    def __init__(self, interp: "Interpreter", node: A.CommandExpressionAst, frame: Frame) -> None:
        self.interp = interp
        self.node = node
        self.frame = frame

    def process(self, item: Any) -> Iterator[Any]:
        yield from expression_output(self.interp, self.node.expression, self.frame)


def expression_output(interp: "Interpreter", expr: A.ExpressionAst, frame: Frame) -> Iterator[Any]:
    if isinstance(expr, A.UnaryExpressionAst) and expr.op.lower() in ("++", "--", "post++", "post--"):
        interp.eval(expr, frame)
        return
    if isinstance(expr, A.InvokeMemberExpressionAst):
        try:
            value = interp.invoke_member(expr, frame)
        except PSError as exc:
            interp.locate(exc, expr, frame)
            raise
    else:
        value = interp.eval(expr, frame)
    yield from C.enumerate_value(value)


class CmdletProcessor(Processor):
    def __init__(self, interp: "Interpreter", frame: Frame, info: CmdletInfo, invocation_name: str,
                 args: list[Arg], cmd: A.CommandAst, expects_input: bool, position: int) -> None:
        self.interp = interp
        self.frame = frame
        self.info = info
        self.expects_input = expects_input
        meta = info.metadata(interp.types)
        self.ctx = CommandContext(interp, frame, info, invocation_name, cmd.extent, cmd.elements[0].extent,
                                  expects_input=expects_input, pipeline_position=position)
        self.binder = Binder(meta, _binding_error_factory(interp, frame, info.name, info.class_name),
                             adapters=interp.adapters, command_extent=cmd.extent,
                             invoke_script=lambda sb, obj: C.collect(
                                 interp.invoke_scriptblock(sb, frame, dollar_under=obj, new_scope=False)),
                             lookup_property=lambda obj, name: _lookup_property(interp, frame, obj, name),
                             prompt_missing=mandatory_prompt(interp.host, options.is_core(), invocation_name,
                                                             position))
        self.state: BindState = self.binder.bind_arguments(args, expects_input)
        self.ctx.common = dict(self.state.common)
        self.ctx.bound = dict(self.state.bound)
        self.ctx.parameter_set = self.state.chosen_set or self._provisional_set()
        if info.polls or info.module.casefold() == "hyper-v":
            interp.observations += 1
        cmdlet = info.cls()
        assert isinstance(cmdlet, Cmdlet)  # the @cmdlet decorator declares Cmdlet classes only
        self.cmdlet = cmdlet
        self.cmdlet.ctx = self.ctx
        self.outvar: list[Any] | None = [] if "OutVariable" in self.state.common else None

    def _provisional_set(self) -> str:
        try:
            return self.binder.choose_set(self.state)
        except PSError:
            return ""

    @property
    def stopped(self) -> bool:  # type: ignore[override]
        return self.ctx.stop_requested

    def _run(self, method: Any) -> Iterator[Any]:
        ctx = self.ctx
        outvar = self.outvar
        try:
            result = method()
            # the objects the cmdlet returns, each after what it wrote (ctx.write_output) before
            if result is not None:
                for obj in result:
                    if ctx.pending_output:
                        pending = ctx.drain()
                        if outvar is not None:
                            outvar.extend(pending)
                        yield from pending
                    if outvar is not None:
                        outvar.append(obj)
                    yield obj
            if ctx.pending_output:
                pending = ctx.drain()
                if outvar is not None:
                    outvar.extend(pending)
                yield from pending
        except (PSError, HaltSignal, GeneratorExit):
            raise
        except BaseException as exc:
            from hyperv_emu.psshim.runtime.errors import FlowControl

            if isinstance(exc, FlowControl):
                raise
            mapper = self.interp.registry.exception_mapper
            if mapper is not None and isinstance(exc, Exception):
                record = mapper(exc, self.ctx)
                if record is not None:
                    raise PSError(self.ctx.complete(record)) from None
            if isinstance(exc, Exception):
                raise PSError(self.ctx.error_record(
                    f"hvemu internal error in {self.info.name}: {type(exc).__name__}: {exc}. This is a bug in hvemu.",
                    "HvemuInternalError", "NotSpecified", exception_type="Hvemu.InternalErrorException")) from None
            raise

    def begin(self) -> Iterator[Any]:
        return self._run(self.cmdlet.begin_processing)

    def process(self, item: Any) -> Iterator[Any]:
        # binds at the call (the pipeline iterates what it returns at once), then the record's
        # output streams from the cmdlet
        ctx = self.ctx
        if item is NO_INPUT or not self.expects_input:
            ctx.has_input = False
            ctx.input_object = None
            ctx.bound = dict(self.state.bound)
            return self._run(self.cmdlet.process_record)
        try:
            pb = self.binder.bind_pipeline(self.state, item)
        except InputNotBound as nb:
            ctx.write_error(nb.error.record)
            return iter(())
        bound = ctx.bound = dict(self.state.bound)
        bound.update(pb.values)
        if pb.set_name:
            ctx.parameter_set = pb.set_name
        ctx.has_input = True
        ctx.input_object = item
        return self._run(self.cmdlet.process_record)

    def end(self) -> Iterator[Any]:
        self.ctx.bound = dict(self.state.bound)
        yield from self._run(self.cmdlet.end_processing)
        if self.outvar is not None:
            name = C.to_string(self.state.common["OutVariable"])
            append = name.startswith("+")
            name = name.lstrip("+")
            current = self.interp.get_variable(self.frame, name, None) if append else None
            from hyperv_emu.psshim.runtime.values import ArrayList

            lst = ArrayList(C.as_list(current))
            lst.extend(self.outvar)
            self.interp.set_variable(self.frame, name, None, lst)


_DOTTED_AUTOMATIC = ("psscriptroot", "pscommandpath", "myinvocation", "psboundparameters", "args", "input",
                     "pscmdlet")


class ScriptProcessor(Processor):
    """A function, filter, script block (`& {}` / `. {}`) or script file as a pipeline element."""

    def __init__(self, interp: "Interpreter", frame: Frame, sb: ScriptBlock, *, name: str, args: list[Arg],
                 cmd: A.CommandAst | None, expects_input: bool, dot_source: bool = False, kind: str = "function",
                 is_filter: bool = False, script_path: str | None = None, invocation_name: str | None = None) -> None:
        self.interp = interp
        self.sb = sb
        self.expects_input = expects_input
        self.is_filter = is_filter or sb.is_filter
        extent = cmd.extent if cmd is not None else sb.ast.extent
        self.meta = interp.script_metadata(sb, name, frame)
        self.binder = Binder(self.meta, _binding_error_factory(interp, frame, name, name),
                             adapters=interp.adapters, command_extent=extent,
                             invoke_script=lambda s, obj: C.collect(
                                 interp.invoke_scriptblock(s, frame, dollar_under=obj, new_scope=False)),
                             lookup_property=lambda obj, n: _lookup_property(interp, frame, obj, n),
                             prompt_missing=mandatory_prompt(interp.host, options.is_core(), invocation_name or name))
        self.state = self.binder.bind_arguments(args, expects_input)
        if dot_source:
            scope = frame.scope
        else:
            parent = sb.module.scope if sb.module is not None and sb.module.scope is not None else frame.scope
            scope = Scope(parent, "script" if kind == "script" else "function")
        call = CallInfo(invocation_name or name, kind, extent, frame.source, self.meta, script_path)
        if frame.call is not None:
            call.stream_vars = list(frame.call.stream_vars)
        for cname in ("ErrorVariable", "WarningVariable", "InformationVariable"):
            if cname in self.state.common:
                spec = self.state.common[cname]
                call.stream_vars.append((cname, spec, frame))
                if not C.to_string(spec).startswith("+"):
                    interp.set_variable(frame, C.to_string(spec), None, ArrayList())
        self.frame = frame.child(scope=scope, source=sb.source, call=call)
        self.scope = scope
        self.input_items: list[Any] = []
        self.kind = kind
        self.script_path = script_path
        self.exited = False
        # A dot-sourced command runs in its caller's scope, but its automatic variables
        # ($PSScriptRoot, $MyInvocation, ...) are its own: PowerShell keeps them apart (the
        # scope's DottedScopes) and the caller's come back when it ends.
        self._dotted_saved = {k: scope.variables.get(k) for k in _DOTTED_AUTOMATIC} if dot_source else None
        self._setup()

    def _setup(self) -> None:
        interp = self.interp
        scope = self.scope
        st = self.state
        for name, value in st.bound.items():
            p = self.meta.find(name)
            t = p.type if p is not None and p.type.kind not in ("object", "switch", "array") else None
            scope.define(name, value, t)
        bound = Hashtable()
        for name in st.bound_order:
            if name in st.bound:
                bound[name] = st.bound[name]
            elif name in st.common:
                bound[name] = st.common[name]
        scope.define("PSBoundParameters", bound)
        scope.define("args", list(st.extra_args))
        if self.script_path is not None:
            scope.define("PSScriptRoot", paths.parent(self.script_path))
            scope.define("PSCommandPath", self.script_path)
        scope.define("MyInvocation", _MyInvocation(self.frame.call, bound))
        common = st.common
        if "Verbose" in common:
            scope.define("VerbosePreference", C.ActionPreference.Continue if common["Verbose"]
                         else C.ActionPreference.SilentlyContinue)
        if "Debug" in common:
            scope.define("DebugPreference", C.ActionPreference.Continue if common["Debug"]
                         else C.ActionPreference.SilentlyContinue)
        for cname, var in (("ErrorAction", "ErrorActionPreference"), ("WarningAction", "WarningPreference"),
                           ("InformationAction", "InformationPreference")):
            if cname in common:
                scope.define(var, common[cname])
        if "WhatIf" in common:
            scope.define("WhatIfPreference", bool(common["WhatIf"]))
        if "Confirm" in common:
            scope.define("ConfirmPreference", C.ConfirmImpact["Low"] if common["Confirm"] else C.ConfirmImpact["None"])
        if self.meta.is_advanced:
            scope.define("PSCmdlet", _PSCmdlet(self))
        if self.sb.metadata is not None:
            self.frame.call.bound = dict(st.bound)  # type: ignore[union-attr]

    def _defaults(self) -> None:
        for p in self.meta.parameters:
            if p.name in self.state.bound or p.name in self.state.delay:
                continue
            if p.default_ast is not None:
                value = self.interp.eval(p.default_ast, self.frame)
                if p.type.kind not in ("object", "array"):
                    value = C.convert_to(value, p.type, self.interp.adapters)
                self.scope.define(p.name, value, p.type if p.type.kind not in ("object", "switch", "array") else None)
            elif p.is_switch:
                self.scope.define(p.name, False)
            elif p.type.kind in ("string", "int", "double", "decimal", "bool"):
                self.scope.define(p.name, C.convert_to(None, p.type), p.type)
            elif self.scope.local_variable(p.name) is None:
                self.scope.define(p.name, None)

    def _restore_dotted(self) -> None:
        saved, self._dotted_saved = self._dotted_saved, None
        if saved is None:
            return
        for key, var in saved.items():
            if var is None:
                self.scope.variables.pop(key, None)
            else:
                self.scope.variables[key] = var

    def _block(self, block: A.NamedBlockAst | None) -> Iterator[Any]:
        if block is None or self.exited:
            return
        try:
            yield from self.interp.exec_block(block.statements, self.frame)
        except ReturnSignal:
            return
        except (PSError, GeneratorExit):
            self._restore_dotted()
            raise
        except ExitSignal as ex:
            if self.kind != "script":
                raise
            # `exit N` in a script run with & or . ends that script only; a code other than 0
            # makes the call a failed command ($? is False)
            self.exited = True
            if ex.code != 0:
                self.interp.failures += 1
            self.interp.last_exit_code = ex.code
            self.interp.global_scope.define("LASTEXITCODE", ex.code)

    def begin(self) -> Iterator[Any]:
        if self.kind == "script" and self.sb.ast.requires:
            self._requires()
        self._defaults()
        yield from self._block(self.sb.ast.begin_block)

    def _requires(self) -> None:
        from hyperv_emu.psshim.runtime.requires import check_requires

        try:
            check_requires(self.interp, self.sb.ast, self.frame, self.script_path, import_module)
        except PSError as exc:
            # a script called with & or . that cannot run fails as that one command
            self._restore_dotted()
            raise PSError(exc.record) from None

    def process(self, item: Any) -> Iterator[Any]:
        ast_ = self.sb.ast
        process_block = ast_.process_block
        if self.is_filter and process_block is None:
            process_block = ast_.end_block
        if item is not NO_INPUT and self.expects_input:
            if self.meta.parameters:
                try:
                    pb = self.binder.bind_pipeline(self.state, item)
                    for name, value in pb.values.items():
                        self.scope.define(name, value)
                except InputNotBound as nb:
                    if any(p.takes_pipeline() for p in self.meta.parameters):
                        # a non-terminating error for this record (InputObjectNotBound): the
                        # process block does not run for it, the next records still do
                        self.interp.write_error(nb.error.record, self.frame, dict(self.state.common))
                        return
            self.scope.define("_", item)
            if process_block is None:
                self.input_items.append(item)
                return
            self.scope.define("input", [item])
        elif process_block is None:
            return
        yield from self._block(process_block)

    def end(self) -> Iterator[Any]:
        ast_ = self.sb.ast
        if self.is_filter and ast_.process_block is None:
            return
        self.scope.define("input", list(self.input_items))
        try:
            yield from self._block(ast_.end_block)
        finally:
            self._restore_dotted()


class _MyCommand:
    """`$MyInvocation.MyCommand`: the running function (FunctionInfo-like) or script
    (ExternalScriptInfo-like); prints as its name."""

    def __init__(self, call: CallInfo | None) -> None:
        self.call = call

    @property
    def __ps_type_names__(self) -> list[str]:
        kind = self.call.kind if self.call else ""
        if kind == "script":
            return ["System.Management.Automation.ExternalScriptInfo",
                    "System.Management.Automation.CommandInfo", "System.Object"]
        return ["System.Management.Automation.FunctionInfo", "System.Management.Automation.CommandInfo",
                "System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        call = self.call
        if call is None:
            return [("CommandType", "Script"), ("Name", ""), ("Definition", "")]
        if call.kind == "script" and call.script_path:
            return [("CommandType", "ExternalScript"), ("Name", paths.leaf(call.script_path)),
                    ("Path", call.script_path), ("Definition", call.script_path),
                    ("Source", call.script_path)]
        return [("CommandType", "Function" if call.kind == "function" else "Script"), ("Name", call.name),
                ("Definition", ""), ("Source", "")]

    def __ps_string__(self) -> str:
        props = dict(self.__ps_properties__())
        return str(props.get("Name", ""))


class _MyInvocation:
    __ps_type_names__ = ["System.Management.Automation.InvocationInfo", "System.Object"]

    def __init__(self, call: CallInfo | None, bound: Hashtable) -> None:
        self.call = call
        self.bound = bound

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        call = self.call
        line = ""
        if call is not None and call.source is not None:
            lines = call.source.text.splitlines()
            if 0 < call.extent.start_line <= len(lines):
                line = lines[call.extent.start_line - 1]
        return [
            ("MyCommand", _MyCommand(call)),
            ("BoundParameters", self.bound),
            ("UnboundArguments", []),
            ("ScriptLineNumber", call.extent.start_line if call else 0),
            ("OffsetInLine", call.extent.start_column if call else 0),
            ("ScriptName", (call.source.path or "") if call and call.source else ""),
            ("Line", line),
            ("InvocationName", call.name if call else ""),
            ("PSScriptRoot", paths.parent(call.script_path) if call and call.script_path else ""),
            ("PSCommandPath", call.script_path if call else None),
        ]


class _PSCmdlet:
    """`$PSCmdlet` of an advanced function (ShouldProcess, Write*, ParameterSetName)."""

    __ps_type_names__ = ["System.Management.Automation.PSScriptCmdlet", "System.Object"]

    def __init__(self, proc: ScriptProcessor) -> None:
        self.proc = proc

    def _ctx(self) -> CommandContext:
        # one context per invocation: a Yes to All / No to All answer holds for the rest of it
        cached: CommandContext | None = getattr(self.proc, "_pscmdlet_ctx", None)
        if cached is not None:
            return cached
        proc = self.proc
        info = CmdletInfo(name=proc.meta.name, cls=object, module="", class_name=proc.meta.name,  # type: ignore[arg-type]
                          supports_should_process=proc.meta.supports_should_process,
                          confirm_impact=proc.meta.confirm_impact)
        ctx = CommandContext(proc.interp, proc.frame, info, proc.meta.name, proc.frame.call.extent
                             if proc.frame.call else A.NO_EXTENT)
        ctx.common = dict(proc.state.common)
        setattr(proc, "_pscmdlet_ctx", ctx)
        return ctx

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        inv = self.proc.scope.local_variable("MyInvocation")
        return [("ParameterSetName", self.proc.state.chosen_set or "__AllParameterSets"),
                ("MyInvocation", inv.value if inv is not None else None)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        n = name.casefold()
        ctx = self._ctx()
        if n == "shouldprocess":
            if len(args) == 1:
                return ctx.should_process(args[0])
            if len(args) == 2:
                return ctx.should_process(args[0], C.to_string(args[1]))
            return ctx.should_process("", text=C.to_string(args[0]))
        if n == "shouldcontinue":
            if len(args) != 2:
                raise not_supported("$PSCmdlet.ShouldContinue with [ref] arguments")
            return ctx.should_continue(C.to_string(args[0]), C.to_string(args[1]))
        if n == "writeverbose":
            self.proc.interp.write_verbose(C.to_string(args[0]), self.proc.frame, {})
            return M.VOID if hasattr(M, "VOID") else C.AutomationNull()
        if n == "writewarning":
            self.proc.interp.write_warning(C.to_string(args[0]), self.proc.frame, {})
            return C.AutomationNull()
        if n == "writedebug":
            self.proc.interp.write_debug(C.to_string(args[0]), self.proc.frame, {})
            return C.AutomationNull()
        if n == "writeerror":
            rec = args[0]
            if hasattr(rec, "fully_qualified_error_id"):
                self.proc.interp.write_error(rec, self.proc.frame, dict(self.proc.state.common))
            return C.AutomationNull()
        if n == "throwterminatingerror":
            rec = args[0]
            raise PSError(rec, script_terminating=False)
        if n == "writeobject":
            raise not_supported("$PSCmdlet.WriteObject (use Write-Output or output the value)")
        return NOT_FOUND


def _lookup_property(interp: "Interpreter", frame: Frame, obj: Any, name: str) -> tuple[bool, Any]:
    if obj is None or isinstance(obj, (str, int, float)):
        return False, None
    if isinstance(obj, Hashtable):
        return False, None
    return M.try_get_member(obj, name, frame.env) if not isinstance(obj, list) else (False, None)


def _binding_error_factory(interp: "Interpreter", frame: Frame, real_name: str, class_name: str) -> Any:
    def make(message: str, error_id: str, category: str, exception_type: str, extent: Extent,
             *, target: Any = None) -> PSError:
        target_name = ""
        target_type = ""
        if target is not None:
            target_name = C.to_string(target, " ", interp.adapters)
            target_type = interp.short_type_name(target)
        record = make_record(
            message, error_id, category, exception_type=exception_type, target_object=target,
            target_name=target_name, target_type=target_type, activity=real_name,
            fqid=f"{error_id},{class_name}", prefix=real_name,
            invocation=InvocationInfo(None, ScriptPosition(frame.source.path, extent, frame.source.text)))
        return PSError(record)

    return make


# ------------------------------------------------------------------------------------------
# command resolution
# ------------------------------------------------------------------------------------------


@attrs.define(eq=False, repr=False)
class Resolved(MutableFieldwise):
    kind: str  # "cmdlet", "function", "script", "scriptblock"
    name: str
    cmdlet: CmdletInfo | None = None
    function: FunctionInfo | None = None
    path: str | None = None
    scriptblock: ScriptBlock | None = None


def resolve_command(interp: "Interpreter", name: str, frame: Frame, depth: int = 0) -> Resolved | None:
    if depth > 10:
        return None
    module: str | None = None
    plain = name
    if "\\" in name and not name.lower().endswith(".ps1"):
        # a function whose name is the whole text comes first (`function Hyper-V\Get-VMConsole`),
        # as CommandSearcher looks the name up before reading it as module-qualified
        fn = frame.scope.find_function(name)
        if fn is not None:
            return Resolved("function", fn.name, function=fn)
        head, _, tail = name.rpartition("\\")
        if head.casefold() in BUILTIN_MODULES or head.casefold() in interp.modules or \
                interp.registry.has_module(head):
            module, plain = head, tail
    if module is None and (_looks_like_path(name)):
        return Resolved("script", name, path=name)
    if module is None:
        alias = frame.scope.find_alias(plain) or interp.registry.resolve_alias(plain)
        if alias is not None:
            r = resolve_command(interp, alias, frame, depth + 1)
            if r is not None:
                return r
        fn = frame.scope.find_function(plain)
        if fn is not None:
            return Resolved("function", fn.name, function=fn)
    info = interp.registry.find(plain)
    if info is not None and (module is None or info.module.casefold() == module.casefold()):
        return Resolved("cmdlet", info.name, cmdlet=info)
    if module is not None:
        mod = interp.modules.get(module.casefold())
        if mod is not None and mod.scope is not None:
            fn = mod.scope.functions.get(plain.casefold())
            if fn is not None:
                return Resolved("function", fn.name, function=fn)
        alias_target = interp.registry.resolve_alias(plain)
        if alias_target is not None:
            info = interp.registry.find(alias_target)
            if info is not None:
                return Resolved("cmdlet", info.name, cmdlet=info)
    if depth == 0:
        # not found: a module of $env:PSModulePath that has it is imported, then the name is
        # looked up again (module auto-loading comes before the `Get-` prefix)
        from hyperv_emu.psshim.runtime.autoload import autoload

        qualifier, _, command = name.rpartition("\\")
        if autoload(interp, command, qualifier or None, frame, import_module):
            return resolve_command(interp, name, frame, depth + 1)
    if depth == 0 and "-" not in plain and module is None:
        r = resolve_command(interp, "Get-" + plain, frame, depth + 1)
        if r is not None and r.kind == "cmdlet":
            return r
    return None


def _looks_like_path(name: str) -> bool:
    low = name.lower()
    return low.endswith(".ps1") or low.endswith(".psm1") or low.startswith((".\\", "./", "..\\", "../")) or \
        (len(name) > 2 and name[1] == ":" and name[2] in "\\/")


def command_not_found(interp: "Interpreter", name: str, extent: Extent, frame: Frame) -> PSError:
    if options.is_core():
        message = (f"The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable "
                   f"program.\nCheck the spelling of the name, or if a path was included, verify that the path is "
                   f"correct and try again.")
    else:
        message = (f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable "
                   f"program. Check the spelling of the name, or if a path was included, verify that the path is "
                   f"correct and try again.")
    record = make_record(message, "CommandNotFoundException", "ObjectNotFound",
                         exception_type=COMMAND_NOT_FOUND_EXCEPTION, target_object=name, target_name=name,
                         target_type="String", prefix=name,
                         invocation=InvocationInfo(name, ScriptPosition(frame.source.path, extent, frame.source.text)))
    return PSError(record)


# ------------------------------------------------------------------------------------------
# arguments
# ------------------------------------------------------------------------------------------


def build_args(interp: "Interpreter", elements: tuple[Any, ...], frame: Frame) -> list[Arg]:
    args: list[Arg] = []
    for el in elements:
        if isinstance(el, A.CommandParameterAst):
            if el.argument is not None:
                value = interp.eval(el.argument, frame)
                if isinstance(value, C.AutomationNull):
                    value = None
                args.append(Arg(name=el.name, value=value, extent=el.extent, value_extent=el.argument.extent,
                                source_text=_number_text(el.argument), token_text=el.text or f"-{el.name}",
                                colon=True))
            else:
                args.append(Arg(name=el.name, value=NO_VALUE, extent=el.extent, token_text=el.text or f"-{el.name}",
                                colon=el.colon))
            continue
        if isinstance(el, A.VariableExpressionAst) and el.splatted:
            value = interp.get_variable(frame, el.name, el.scope)
            if isinstance(value, Hashtable):
                args.extend(splat_hashtable(value, el.extent))
            elif value is None:
                continue
            else:
                args.extend(splat_list(value, el.extent))
            continue
        value = interp.eval(el, frame)
        if isinstance(value, C.AutomationNull):
            value = None
        args.append(Arg(name=None, value=value, extent=el.extent, value_extent=el.extent,
                        source_text=_number_text(el)))
    return args


def _number_text(node: Any) -> str | None:
    if isinstance(node, A.ConstantExpressionAst) and node.extent.text:
        return node.extent.text
    return None


def _command_name(interp: "Interpreter", cmd: A.CommandAst, frame: Frame) -> Any:
    first = cmd.elements[0]
    if cmd.invocation_operator is None and isinstance(first, A.StringConstantAst):
        return first.value
    value = interp.eval(first, frame)  # type: ignore[arg-type]
    return value


def make_processor(interp: "Interpreter", cmd: A.CommandAst, frame: Frame, expects_input: bool,
                   position: int) -> Processor:
    name_value = _command_name(interp, cmd, frame)
    dot = cmd.invocation_operator == "."
    rest = cmd.elements[1:]
    if isinstance(name_value, ScriptBlock):
        args = build_args(interp, rest, frame)
        return ScriptProcessor(interp, frame, name_value, name="", args=args, cmd=cmd, expects_input=expects_input,
                               dot_source=dot, kind="scriptblock")
    if isinstance(name_value, FunctionInfo):
        args = build_args(interp, rest, frame)
        return ScriptProcessor(interp, frame, name_value.scriptblock, name=name_value.name, args=args, cmd=cmd,
                               expects_input=expects_input, dot_source=dot, is_filter=name_value.is_filter)
    if isinstance(name_value, CmdletInfo):
        args = build_args(interp, rest, frame)
        return CmdletProcessor(interp, frame, name_value, name_value.name, args, cmd, expects_input, position)
    name = C.to_string(name_value)
    if not name:
        raise runtime_error("The expression after '&' in a pipeline element produced an object that was not valid. "
                            "It must result in a command name, a script block, or a CommandInfo object.",
                            "BadExpression", "InvalidOperation")
    resolved = resolve_command(interp, name, frame)
    if resolved is None:
        if name.lower().endswith(".exe") or name.lower() in ("cmd", "ipconfig", "netsh", "ping", "robocopy"):
            raise not_supported(f"Running the native program '{name}'")
        raise command_not_found(interp, name, cmd.elements[0].extent, frame)
    args = build_args(interp, rest, frame)
    if resolved.kind == "cmdlet" and resolved.cmdlet is not None:
        return CmdletProcessor(interp, frame, resolved.cmdlet, name, args, cmd, expects_input, position)
    if resolved.kind == "function" and resolved.function is not None:
        fn = resolved.function
        return ScriptProcessor(interp, frame, fn.scriptblock, name=fn.name, args=args, cmd=cmd,
                               expects_input=expects_input, dot_source=dot, is_filter=fn.is_filter,
                               invocation_name=name)
    if resolved.kind == "script" and resolved.path is not None:
        full = interp.resolve_path(resolved.path)
        if not interp.file_exists(full):
            full = local_code_path(interp, resolved.path) or full
        if not interp.file_exists(full):
            raise command_not_found(interp, name, cmd.elements[0].extent, frame)
        sb = load_script(interp, full)
        return ScriptProcessor(interp, frame, sb, name=paths.leaf(full), args=args, cmd=cmd,
                               expects_input=expects_input, dot_source=dot, kind="script", script_path=full)
    raise command_not_found(interp, name, cmd.elements[0].extent, frame)


def load_script(interp: "Interpreter", full_path: str) -> ScriptBlock:
    text = interp.read_file(full_path)
    ast_ = interp.parse(text, full_path)
    return ScriptBlock(ast_, ScriptSource(full_path, text), None, text=text)


# ------------------------------------------------------------------------------------------
# running a pipeline
# ------------------------------------------------------------------------------------------


def _with_redirections(interp: "Interpreter", redirections: tuple[A.RedirectionAst, ...], frame: Frame
                       ) -> tuple[Frame, bool, list[Any] | None, Any]:
    """Apply `2>$null`, `*>$null`, `2>&1`, `>$null`; returns (frame, discard_output, sink, file_target)."""
    if not redirections:
        return frame, False, None, None
    routing = frame.routing.copy()
    discard = False
    sink: list[Any] | None = None
    file_target: Any = None
    names = {"2": "error", "3": "warning", "4": "verbose", "5": "debug", "6": "information"}
    for r in redirections:
        streams = list(names) if r.stream == "*" else [r.stream]
        if r.to_stream is not None:
            if r.to_stream != "1":
                raise not_supported(f"Redirecting stream {r.stream} to stream {r.to_stream}")
            sink = sink if sink is not None else []
            routing.sink = sink
            for s in streams:
                if s in names:
                    setattr(routing, names[s], "output")
            continue
        target_value = interp.eval(r.target, frame) if r.target is not None else None
        to_null = target_value is None or (isinstance(target_value, str) and target_value.lower() in ("$null", "nul"))
        if to_null:
            for s in streams:
                if s == "1":
                    discard = True
                elif s in names:
                    setattr(routing, names[s], "null")
            if r.stream == "*":
                discard = True
            continue
        if r.stream in ("1", "*"):
            file_target = (C.to_string(target_value), r.append)
            for s in streams:
                if s in names:
                    setattr(routing, names[s], "output")
            if r.stream == "*":
                sink = sink if sink is not None else []
                routing.sink = sink
            continue
        raise not_supported(f"Redirecting stream {r.stream} to a file")
    return frame.child(routing=routing), discard, sink, file_target


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    if not first:
        return rest
    return _chained(first, rest)


def _chained(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


def _stage(proc: Processor, upstream: Iterator[Any] | None) -> Iterator[Any]:
    if upstream is None:
        yield from proc.process(NO_INPUT)
    else:
        try:
            for item in upstream:
                yield from proc.process(item)
                if proc.stopped:
                    break
        finally:
            close = getattr(upstream, "close", None)
            if proc.stopped and close is not None:
                close()
    yield from proc.end()


def _redirected(stage: Iterator[Any], discard: bool, sink: list[Any] | None, file_target: Any,
                interp: "Interpreter", frame: Frame) -> Iterator[Any]:
    if not discard and sink is None and file_target is None and frame.routing.error == "host":
        return stage  # nothing redirected: the stage's objects as they come
    return _redirecting(stage, discard, sink, file_target, interp, frame)


def _redirecting(stage: Iterator[Any], discard: bool, sink: list[Any] | None, file_target: Any,
                 interp: "Interpreter", frame: Frame) -> Iterator[Any]:
    if frame.routing.error == "host":
        yield from _redirected_inner(stage, discard, sink, file_target, interp, frame)
        return
    try:
        yield from _redirected_inner(stage, discard, sink, file_target, interp, frame)
    except PSError as exc:
        # `cmd 2>$null` / `2>&1`: the command's terminating error goes where its error stream goes
        if exc.script_terminating or frame.in_try:
            raise
        yield from _swallow_redirected(interp, exc, frame)


def _swallow_redirected(interp: "Interpreter", exc: PSError, frame: Frame) -> Iterator[Any]:
    interp.add_error(exc.record)
    interp.failures += 1
    interp.status = False
    if frame.routing.error == "output":
        yield exc.record


def _redirected_inner(stage: Iterator[Any], discard: bool, sink: list[Any] | None, file_target: Any,
                      interp: "Interpreter", frame: Frame) -> Iterator[Any]:
    collected: list[str] = []
    for obj in stage:
        if sink:
            pending = list(sink)
            sink.clear()
            for p in pending:
                if file_target is not None:
                    collected.append(C.to_string(p))
                elif not discard:
                    yield p
        if file_target is not None:
            collected.append(C.to_string(obj))
        elif not discard:
            yield obj
    if sink:
        pending = list(sink)
        sink.clear()
        for p in pending:
            if file_target is not None:
                collected.append(C.to_string(p))
            elif not discard:
                yield p
    if file_target is not None:
        path, append = file_target
        files = getattr(interp.services, "files", None)
        writer = getattr(files, "write_text", None)
        if writer is None:
            raise not_supported("Redirecting output to a file")
        try:
            writer(interp.resolve_path(path), "".join(line + "\r\n" for line in collected), append)
        except FileViewError as exc:
            # `>` is Out-File underneath: its terminating FileOpenFailure, named as 5.1 names it
            raise PSError(make_record(exc.message, "FileOpenFailure", "OpenError", exception_type=exc.exception_type,
                                      activity="Out-File", prefix="out-file",
                                      fqid="FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand")) from None


def run_pipeline(interp: "Interpreter", pipe: A.PipelineAst, frame: Frame) -> Iterator[Any]:
    elements = pipe.elements
    if len(elements) == 1 and isinstance(elements[0], A.CommandExpressionAst) and not elements[0].redirections:
        yield from expression_output(interp, elements[0].expression, frame)
        return
    procs: list[tuple[Processor, bool, list[Any] | None, Any, Frame]] = []
    for i, el in enumerate(elements):
        f, discard, sink, file_target = _with_redirections(interp, el.redirections, frame)
        if isinstance(el, A.CommandExpressionAst):
            if i > 0:
                raise runtime_error("Expressions are only allowed as the first element of a pipeline.",
                                    "ExpressionsMustBeFirstInPipeline", "ParserError")
            procs.append((ExpressionProcessor(interp, el, f), discard, sink, file_target, f))
        else:
            try:
                proc = make_processor(interp, el, f, i > 0, i + 1)
            except PSError as exc:
                interp.locate(exc, el, frame)
                if f.routing.error != "host" and not exc.script_terminating and not frame.in_try:
                    yield from _swallow_redirected(interp, exc, f)
                    return
                raise
            procs.append((proc, discard, sink, file_target, f))
    begin_out: list[list[Any]] = []
    for proc, discard, sink, file_target, f in procs:
        begin_out.append(list(_redirected(proc.begin(), discard, sink, file_target, interp, f)))
    stream: Iterator[Any] | None = None
    for k, (proc, discard, sink, file_target, f) in enumerate(procs):
        stage = _redirected(_stage(proc, stream), discard, sink, file_target, interp, f)
        stream = _chain(begin_out[k], stage)
    assert stream is not None
    yield from stream


# ------------------------------------------------------------------------------------------
# modules
# ------------------------------------------------------------------------------------------


def local_code_path(interp: "Interpreter", name: str) -> str | None:
    """A relative path of code to load (`. .\\lib.ps1`, `& .\\x.ps1`, `Import-Module .\\M.psm1`)
    that is not on the emulated host, from the folder of this machine the run started in (the
    current folder of `hvemu run`, as powershell.exe -File resolves it); None when not there."""
    from hyperv_emu.psshim.runtime import localpaths

    files = getattr(interp.services, "files", None)
    base = getattr(files, "local_cwd", None)
    if files is None or not base or paths.is_rooted(name) or name.startswith("~"):
        return None
    candidate = localpaths.fold(localpaths.join(base, name))
    return candidate if files.exists(candidate) else None


def find_module_file(interp: "Interpreter", name: str) -> str | None:
    files = getattr(interp.services, "files", None)
    if files is None:
        return None
    if name.lower().endswith((".psm1", ".ps1", ".psd1")) or "\\" in name or "/" in name:
        full = interp.resolve_path(name)
        if files.exists(full):  # a folder is no module file (Import-Module loads a folder's files by name)
            return None if files.is_dir(full) else full
        found = local_code_path(interp, name)
        return None if found is None or files.is_dir(found) else found
    from hyperv_emu.psshim.runtime.localpaths import module_path_entries

    for root in module_path_entries(interp.environment.get("PSModulePath", "")):
        folder = paths.join(root, name)
        for candidate in (paths.join(folder, name + ".psm1"), paths.join(folder, name + ".psd1")):
            if files.exists(candidate):
                return candidate
        if files.exists(folder):
            try:
                versions = sorted(files.list(folder), reverse=True)
            except Exception:  # noqa: BLE001
                versions = []
            for v in versions:
                for ext in (".psm1", ".psd1"):
                    candidate = paths.join(paths.join(folder, v), name + ext)
                    if files.exists(candidate):
                        return candidate
    return None


def import_module(interp: "Interpreter", name: str, frame: Frame, force: bool = False) -> ModuleInfo | None:
    key = paths.leaf(name).rsplit(".", 1)[0].casefold() if name.lower().endswith((".psm1", ".psd1", ".ps1")) \
        else name.casefold()
    if key in BUILTIN_MODULES or interp.registry.has_module(key):
        return interp.modules.setdefault(key, ModuleInfo(name, None, None))
    if key in interp.modules and not force:
        mod = interp.modules[key]
        _export(interp, mod)
        return mod
    path = find_module_file(interp, name)
    if path is None:
        return None
    if path.lower().endswith(".psd1"):
        manifest = _read_manifest(interp, path, frame)
        root = manifest.get("RootModule") or manifest.get("ModuleToProcess")
        if not root:
            return interp.modules.setdefault(key, ModuleInfo(paths.leaf(path).rsplit(".", 1)[0], path, None))
        path = paths.join(paths.parent(path), C.to_string(root))
    sb = load_script(interp, path)
    mod_name = paths.leaf(path).rsplit(".", 1)[0]
    module = ModuleInfo(mod_name, path, None)
    scope = Scope(interp.global_scope, "module", module)
    module.scope = scope
    sb.module = module
    mframe = frame.child(scope=scope, source=sb.source, call=CallInfo(mod_name, "script", sb.ast.extent, sb.source,
                                                                      None, path))
    scope.define("PSScriptRoot", paths.parent(path))
    scope.define("PSCommandPath", path)
    for _ in interp.exec_block(_all_statements(sb.ast), mframe):
        pass
    interp.modules[key] = module
    _export(interp, module)
    return module


def _all_statements(ast_: A.ScriptBlockAst) -> list[A.StatementAst]:
    out: list[A.StatementAst] = []
    for block in (ast_.begin_block, ast_.process_block, ast_.end_block):
        if block is not None:
            out.extend(block.statements)
    return out


def _export(interp: "Interpreter", module: ModuleInfo) -> None:
    if module.scope is None:
        return
    for key, fn in module.scope.functions.items():
        if module.exported_functions is None or any(
                C.to_string(p) and _wild(fn.name, p) for p in module.exported_functions):
            interp.global_scope.functions[key] = fn
    for alias in module.exported_aliases:
        target = module.scope.aliases.get(alias.casefold())
        if target:
            interp.global_scope.aliases[alias.casefold()] = target


def _wild(name: str, pattern: str) -> bool:
    from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match

    return wildcard_match(name, pattern)


def _read_manifest(interp: "Interpreter", path: str, frame: Frame) -> dict[str, Any]:
    sb = load_script(interp, path)
    statements = _all_statements(sb.ast)
    if not statements:
        return {}
    value = interp.statement_value(statements[0], frame.child(source=sb.source))
    if isinstance(value, Hashtable):
        return {C.to_string(k): v for k, v in value.items()}
    return {}
