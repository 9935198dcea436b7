"""Scopes, variables, functions, script blocks and modules.

PowerShell scoping is *dynamic*: a function or script block invoked with `&` gets a new scope
whose parent is the caller's current scope (not the scope it was defined in), except that
functions of a module run under the module's scope. `$script:` is the nearest script (or module)
scope, `$global:` the global one. Assignment without a qualifier always writes the current scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator

from hyperv_emu.psshim.ast import ScriptBlockAst
from hyperv_emu.psshim.runtime import types as T

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.parameters import CommandMetadata


class ScriptSource:
    """The text a script block came from (for error positions) and its file, if any."""

    __slots__ = ("path", "text")

    def __init__(self, path: str | None, text: str) -> None:
        self.path = path
        self.text = text


class ModuleInfo:
    """A module imported from a .psm1 (or a built-in module name)."""

    __ps_type_names__ = ["System.Management.Automation.PSModuleInfo", "System.Object"]

    def __init__(self, name: str, path: str | None, scope: "Scope | None") -> None:
        self.name = name
        self.path = path
        self.scope = scope
        self.exported_functions: list[str] | None = None  # None: export every function
        self.exported_variables: list[str] = []
        self.exported_aliases: list[str] = []
        self.version = "0.0"

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("ModuleType", "Script" if self.path else "Binary"), ("Version", self.version),
                ("Name", self.name), ("ExportedCommands", []), ("Path", self.path)]

    def __ps_get__(self, name: str) -> tuple[bool, Any]:
        if name.casefold() == "modulebase":  # the module's folder (on this machine or the host)
            from hyperv_emu.psshim.runtime import paths

            return True, paths.parent(self.path) if self.path else ""
        for key, value in self.__ps_properties__():
            if key.casefold() == name.casefold():
                return True, value
        return False, None

    def __ps_string__(self) -> str:
        return self.name


class ScriptBlock:
    """A `{ ... }` value: its AST, the text it came from and the module it belongs to."""

    __ps_scriptblock__ = True
    __ps_type_names__ = ["System.Management.Automation.ScriptBlock", "System.Object"]

    def __init__(self, ast: ScriptBlockAst, source: ScriptSource, module: ModuleInfo | None = None,
                 *, is_filter: bool = False, text: str | None = None) -> None:
        self.ast = ast
        self.source = source
        self.module = module
        self.is_filter = is_filter
        self._text = text
        self.metadata: "CommandMetadata | None" = None  # cached parameter metadata

    @property
    def file(self) -> str | None:
        return self.source.path

    @property
    def text(self) -> str:
        if self._text is not None:
            return self._text
        raw = self.ast.extent.text
        if raw.startswith("{") and raw.endswith("}"):
            return raw[1:-1]
        return raw

    def __ps_string__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"ScriptBlock({self.text[:40]!r})"


class FunctionInfo:
    """A function or filter defined by a script (`function Name { }`)."""

    __ps_type_names__ = ["System.Management.Automation.FunctionInfo",
                         "System.Management.Automation.CommandInfo", "System.Object"]

    def __init__(self, name: str, scriptblock: ScriptBlock, *, is_filter: bool = False,
                 module: ModuleInfo | None = None) -> None:
        self.name = name
        self.scriptblock = scriptblock
        self.is_filter = is_filter
        self.module = module

    @property
    def command_type(self) -> str:
        return "Filter" if self.is_filter else "Function"

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("CommandType", self.command_type), ("Name", self.name), ("Version", ""),
                ("Source", self.module.name if self.module else ""),
                ("Definition", self.scriptblock.text), ("ScriptBlock", self.scriptblock)]

    def __ps_string__(self) -> str:
        return self.name


class Variable:
    __slots__ = ("name", "value", "type_constraint", "readonly", "constant")

    def __init__(self, name: str, value: Any, type_constraint: T.PSType | None = None,
                 *, readonly: bool = False, constant: bool = False) -> None:
        self.name = name
        self.value = value
        self.type_constraint = type_constraint
        self.readonly = readonly
        self.constant = constant


class Scope:
    """One scope: variables, functions and aliases defined in it."""

    __slots__ = ("parent", "variables", "functions", "aliases", "kind", "module")

    def __init__(self, parent: "Scope | None", kind: str = "local", module: ModuleInfo | None = None) -> None:
        self.parent = parent
        self.variables: dict[str, Variable] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.aliases: dict[str, str] = {}
        self.kind = kind  # "global", "script", "module", "function", "local"
        self.module: ModuleInfo | None = module if module is not None else (
            parent.module if parent is not None else None)

    def chain(self) -> Iterator["Scope"]:
        s: Scope | None = self
        while s is not None:
            yield s
            s = s.parent

    def find_variable(self, name: str) -> Variable | None:
        key = name.casefold()
        for s in self.chain():
            v = s.variables.get(key)
            if v is not None:
                return v
        return None

    def local_variable(self, name: str) -> Variable | None:
        return self.variables.get(name.casefold())

    def define(self, name: str, value: Any, type_constraint: T.PSType | None = None, **kw: Any) -> Variable:
        v = Variable(name, value, type_constraint, **kw)
        self.variables[name.casefold()] = v
        return v

    def remove_variable(self, name: str) -> bool:
        return self.variables.pop(name.casefold(), None) is not None

    def find_function(self, name: str) -> FunctionInfo | None:
        key = name.casefold()
        for s in self.chain():
            f = s.functions.get(key)
            if f is not None:
                return f
        return None

    def find_alias(self, name: str) -> str | None:
        key = name.casefold()
        for s in self.chain():
            a = s.aliases.get(key)
            if a is not None:
                return a
        return None

    def script_scope(self) -> "Scope":
        for s in self.chain():
            if s.kind in ("script", "module", "global"):
                return s
        return self

    def global_scope(self) -> "Scope":
        last = self
        for s in self.chain():
            last = s
        return last

    def all_functions(self) -> dict[str, FunctionInfo]:
        out: dict[str, FunctionInfo] = {}
        for s in reversed(list(self.chain())):
            out.update(s.functions)
        return out

    def all_variables(self) -> dict[str, Variable]:
        out: dict[str, Variable] = {}
        for s in reversed(list(self.chain())):
            out.update(s.variables)
        return out
