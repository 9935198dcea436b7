"""Execution frames: the explicit context every statement and expression runs in.

Pipelines are chains of Python generators, so several script blocks are "running" at once
(`Get-Thing | % { ... } | MyFunction` interleaves three of them). Nothing about the current
scope, the enclosing `try` or the stream redirections can therefore live in interpreter-wide
mutable state: it is carried by a `Frame` passed explicitly to every evaluation.

A frame holds the interpreter running it as a `FrameHost`, the part of the interpreter that the
frame's `FrameEnv` uses: this module is below `interpreter`, which makes the frames.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, MutableMapping, Protocol

from hyperv_emu.psshim.ast import NO_EXTENT, Extent
from hyperv_emu.psshim.runtime import types as T
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND
from hyperv_emu.psshim.runtime.scopes import Scope, ScriptBlock, ScriptSource
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Hashtable

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.errors import PSError
    from hyperv_emu.psshim.runtime.parameters import CommandMetadata


class FrameHost(Protocol):
    """What a frame's `FrameEnv` uses of the interpreter running the frame (`Interpreter`)."""

    @property
    def adapters(self) -> AdapterRegistry: ...
    @property
    def types(self) -> T.TypeTable: ...
    @property
    def settings(self) -> Any: ...
    @property
    def services(self) -> Any: ...
    @property
    def environment(self) -> MutableMapping[str, str]: ...

    def set_variable(self, frame: Frame, name: str, scope: str | None, value: Any,
                     type_constraint: T.PSType | None = None) -> None: ...
    def observe_clock(self) -> dt.datetime: ...
    def new_guid(self) -> uuid.UUID: ...
    def invoke_scriptblock(self, sb: Any, frame: Frame, *, args: list[Any] | None = None, this: Any = NOT_FOUND,
                           dollar_under: Any = NOT_FOUND, new_scope: bool = True) -> list[Any]: ...
    def create_scriptblock(self, text: str) -> ScriptBlock: ...
    def file_exists(self, path: str) -> bool: ...
    def resolve_path(self, path: str) -> str: ...
    def read_file(self, path: str, frame: Frame | None = None) -> str: ...


class Routing:
    """Where the non-output streams of the code in a frame go (redirections, `*>$null`).

    Each stream is "host" (printed), "null" (discarded) or "output" (merged into the output
    stream of the redirected command, e.g. `2>&1`, through `sink`).
    """

    __slots__ = ("error", "warning", "verbose", "debug", "information", "sink")

    def __init__(self, error: str = "host", warning: str = "host", verbose: str = "host",
                 debug: str = "host", information: str = "host", sink: list[Any] | None = None) -> None:
        self.error = error
        self.warning = warning
        self.verbose = verbose
        self.debug = debug
        self.information = information
        self.sink = sink

    def copy(self) -> "Routing":
        return Routing(self.error, self.warning, self.verbose, self.debug, self.information, self.sink)


DEFAULT_ROUTING = Routing()


class CallInfo:
    """The function, script or script block a frame belongs to ($MyInvocation, Write-Error)."""

    __slots__ = ("name", "kind", "extent", "source", "metadata", "bound", "set_name", "cmdlet_ctx", "script_path",
                 "stream_vars")

    def __init__(self, name: str, kind: str, extent: Extent = NO_EXTENT, source: ScriptSource | None = None,
                 metadata: "CommandMetadata | None" = None, script_path: str | None = None) -> None:
        self.name = name
        self.kind = kind  # "script", "function", "scriptblock", "interactive"
        self.extent = extent
        self.source = source
        self.metadata = metadata
        self.bound: dict[str, Any] = {}
        self.set_name: str | None = None
        self.cmdlet_ctx: Any = None
        self.script_path = script_path
        # -ErrorVariable/-WarningVariable/-InformationVariable of this call and its callers:
        # (common parameter name, variable spec, the frame the variable lives in)
        self.stream_vars: list[tuple[str, Any, "Frame"]] = []


class Frame:
    __slots__ = ("interp", "scope", "source", "in_try", "routing", "call", "current_error", "_env")

    def __init__(self, interp: FrameHost, scope: Scope, source: ScriptSource, *, in_try: int = 0,
                 routing: Routing = DEFAULT_ROUTING, call: CallInfo | None = None,
                 current_error: "PSError | None" = None) -> None:
        self.interp = interp
        self.scope = scope
        self.source = source
        self.in_try = in_try
        self.routing = routing
        self.call = call
        self.current_error = current_error
        self._env: FrameEnv | None = None

    def child(self, **changes: Any) -> "Frame":
        f = Frame(self.interp, changes.get("scope", self.scope), changes.get("source", self.source),
                  in_try=changes.get("in_try", self.in_try), routing=changes.get("routing", self.routing),
                  call=changes.get("call", self.call), current_error=changes.get("current_error", self.current_error))
        return f

    @property
    def env(self) -> "FrameEnv":
        if self._env is None:
            self._env = FrameEnv(self)
        return self._env


class FrameEnv:
    """What operators and member access need (psshim.runtime.operators.OpEnv and
    psshim.runtime.members.MemberEnv), bound to one frame."""

    __slots__ = ("frame", "adapters", "types")

    def __init__(self, frame: Frame) -> None:
        self.frame = frame
        self.adapters: AdapterRegistry = frame.interp.adapters
        self.types: T.TypeTable = frame.interp.types

    @property
    def ofs(self) -> str:
        v = self.frame.scope.find_variable("OFS")
        if v is None or v.value is None:
            return " "
        from hyperv_emu.psshim.runtime.conversions import to_string

        return to_string(v.value)

    @property
    def culture(self) -> str:
        return str(self.frame.interp.settings.culture)

    @property
    def environment(self) -> MutableMapping[str, str]:
        return self.frame.interp.environment

    def set_matches(self, table: Hashtable) -> None:
        self.frame.interp.set_variable(self.frame, "Matches", None, table)

    def format(self, fmt: str, args: list[Any]) -> str:
        from hyperv_emu.psshim.runtime.textformat import composite_format

        return composite_format(fmt, args, self.culture)

    def now(self) -> dt.datetime:
        return self.frame.interp.observe_clock()

    def new_guid(self) -> uuid.UUID:
        return self.frame.interp.new_guid()

    def invoke_scriptblock(self, sb: Any, args: list[Any], this: Any = None, dollar_under: Any = NOT_FOUND) -> list[Any]:
        return self.frame.interp.invoke_scriptblock(sb, self.frame, args=args, this=this, dollar_under=dollar_under)

    def create_scriptblock(self, text: str) -> Any:
        return self.frame.interp.create_scriptblock(text)

    def file_exists(self, path: str) -> bool:
        return self.frame.interp.file_exists(path)

    @property
    def files(self) -> Any:
        """The run's host files (services.files), for .NET's file statics (dotnet_io)."""
        return getattr(self.frame.interp.services, "files", None)

    def resolve_path(self, path: str) -> str:
        return self.frame.interp.resolve_path(path)

    def read_file(self, path: str) -> str:
        return self.frame.interp.read_file(path, self.frame)
