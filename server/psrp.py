"""PowerShell remoting (MS-PSRP) over the WinRM shell resource
`http://schemas.microsoft.com/powershell/Microsoft.PowerShell`: a runspace pool per shell and a
pipeline per command, with psrpcore's server-side state machine and serializer
(`psrpcore.ServerRunspacePool`, `psrpcore.ServerPipeline`).

Each pool holds one psshim runspace on its own SDK client, so a pool keeps its session state
(variables, functions) across its pipelines, as a pool of one runspace does. A pipeline's
commands (`AddScript`, `AddCommand` + parameters, statements) become one PowerShell script whose
parameter values are bound as variables; output objects go back with their type names and
properties (depth 1, as PowerShell serializes them), error records on the error stream,
warnings, verbose and debug lines on theirs.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

import psrpcore
from psrpcore.types import (
    ErrorCategory,
    ErrorCategoryInfo,
    ErrorRecord,
    NETException,
    PSInvocationState,
    PSObject,
    add_note_property,
)

from hyperv_emu import sdk
from hyperv_emu.server import soap
from hyperv_emu.server.soap import NS, Request, WSManFault, element
from hyperv_emu.server.winrs import STATE_DONE, STATE_RUNNING, command_response, empty_response

PSRP_URI = "http://schemas.microsoft.com/powershell/Microsoft.PowerShell"
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_VAR_PREFIX = "__hvemu_psrp_"


def _data(stream_text: str | None) -> bytes:
    return base64.b64decode(stream_text or "")


def script_of(pipeline: Any, bind: Callable[[Any], str]) -> str:
    """A PowerShell script for a psrpcore `PowerShell` (its commands and statements);
    `bind(value)` stores a parameter value and gives the variable reference to use."""
    statements: list[list[str]] = [[]]
    for command in pipeline.commands:
        text = command.command_text
        if command.is_script:
            alone = not command.parameters and len(pipeline.commands) == 1 and not command.use_local_scope
            if alone:
                part = text
            else:
                part = ("& { " if command.use_local_scope else ". { ") + text + "\n}"
        else:
            part = text if _NAME.match(text) else "& '" + text.replace("'", "''") + "'"
        for name, value in command.parameters:
            ref = bind(value)
            part += f" {ref}" if name is None else f" -{name}:{ref}"
        statements[-1].append(part)
        if command.end_of_statement:
            statements.append([])
    return "\n".join(" | ".join(parts) for parts in statements if parts)


def to_psrp(value: Any, adapters: Any, depth: int = 1) -> Any:
    """A psshim value as psrpcore serializes it: primitives as they are, collections item by
    item, other objects as property bags with their type names (nested ones as strings)."""
    from hyperv_emu.psshim.runtime import conversions as C
    from hyperv_emu.psshim.runtime.members import properties_of
    from hyperv_emu.psshim.runtime.values import type_names

    if value is None or isinstance(value, (bool, str, float, dt.datetime, uuid.UUID, bytes)):
        return value
    if isinstance(value, enum.Enum):
        return C.to_string(value)
    if isinstance(value, int):
        return value if -2**63 <= value < 2**63 else str(value)
    if isinstance(value, (list, tuple)):
        return [to_psrp(v, adapters, depth) for v in value]
    if depth <= 0:
        return C.to_string(value)
    obj = PSObject()
    names = type_names(value, adapters)
    obj.PSObject.type_names = list(names)
    obj.PSObject.to_string = C.to_string(value)
    for name, prop in properties_of(value, adapters):
        try:
            add_note_property(obj, name, to_psrp(prop, adapters, depth - 1))
        except Exception:  # noqa: BLE001 - a property psrpcore cannot carry is sent as its text
            add_note_property(obj, name, C.to_string(prop))
    return obj


def from_psrp(value: Any) -> Any:
    """A parameter value psrpcore deserialized, as a psshim value: its primitive types
    (psrpcore's PSString, PSInt32, ... are subclasses of them) as the plain ones, dictionaries
    as Hashtables, lists item by item, other objects as their strings."""
    from hyperv_emu.psshim.runtime.values import Hashtable

    if value is None or isinstance(value, (dt.datetime, uuid.UUID)):
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, dict):
        return Hashtable({from_psrp(k): from_psrp(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return [from_psrp(v) for v in value]
    return str(value)


class PsrpShell:
    """One runspace pool: its psrpcore state, its psshim runspace and its pipelines."""

    def __init__(self, shell_id: str, client: sdk.HyperVClient, creation_xml: bytes,
                 environment: dict[str, str]) -> None:
        from hyperv_emu.psshim.session import Session

        self.id = shell_id
        self.lock = threading.Lock()
        self.pool = psrpcore.ServerRunspacePool()
        self.pipelines: dict[uuid.UUID, psrpcore.ServerPipeline] = {}
        self.done: set[uuid.UUID] = set()
        self._current: psrpcore.ServerPipeline | None = None
        self._errors: list[Any] = []
        self._pending: list[Any] = []  # fragments for other targets, kept for their Receive
        self._feed(creation_xml, None)
        self.runspace = Session(client, environment=environment).runspace(lambda _t: None, lambda _t: None, self._output,
                                                 write_stream=self._stream,
                                                 location=environment.get("USERPROFILE"))
        render = self.runspace.interp.render_error

        def capture(record: Any) -> str:
            self._errors.append(record)
            return str(render(record))

        self.runspace.interp.render_error = capture
        self._vars = 0

    # --- psrpcore ---------------------------------------------------------------------------

    def _feed(self, data: bytes, pipeline_id: uuid.UUID | None) -> list[Any]:
        stream = psrpcore.StreamType.default
        try:
            self.pool.receive_data(psrpcore.PSRPPayload(data, stream, pipeline_id))
            events: list[Any] = []
            while True:
                event = self.pool.next_event()
                if event is None:
                    return events
                events.append(event)
        except psrpcore.PSRPCoreError as exc:
            raise WSManFault(f"The PSRP message is not valid: {exc}") from None

    def _send_for(self, pipeline_id: uuid.UUID | None) -> list[bytes]:
        """The fragments waiting for the pool (None) or one pipeline."""
        out: list[bytes] = []
        kept: list[Any] = []
        while True:
            payload = self.pool.data_to_send()
            if payload is None:
                break
            if payload.pipeline_id == pipeline_id:
                out.append(payload.data)
            else:
                kept.append(payload)
        self._pending.extend(kept)
        still: list[Any] = []
        for payload in self._pending:
            (out.append(payload.data) if payload.pipeline_id == pipeline_id else still.append(payload))
        self._pending = still
        return out

    # --- running ----------------------------------------------------------------------------

    def _output(self, obj: Any) -> None:
        if self._current is not None:
            self._current.write_output(to_psrp(obj, self.runspace.adapters))

    def _stream(self, kind: str, text: str) -> None:
        pipe = self._current
        if pipe is None:
            return
        text = text.rstrip("\n")
        for prefix in ("WARNING: ", "VERBOSE: ", "DEBUG: "):
            if text.startswith(prefix):
                text = text[len(prefix):]
        if kind == "warning":
            pipe.write_warning(text)
        elif kind == "verbose":
            pipe.write_verbose(text)
        elif kind == "debug":
            pipe.write_debug(text)
        elif kind == "information":
            pipe.write_information(text, "")

    def _bind(self, value: Any) -> str:
        name = f"{_VAR_PREFIX}{self._vars}"
        self._vars += 1
        self.runspace.interp.global_scope.define(name, from_psrp(value))
        return f"${name}"

    def _run(self, pipeline: psrpcore.ServerPipeline, ps: Any) -> None:
        self._current = pipeline
        self._errors = []
        pipeline.start()
        try:
            code = self.runspace.run_command(script_of(ps, self._bind), failed_status_exits=False)
        finally:
            self._current = None
        records = list(self._errors)
        # A terminating error (the run ended with it) fails the pipeline, as PowerShell's does:
        # its record travels in the PipelineState message, the others on the error stream.
        terminating = records.pop() if code != 0 and records else None
        for record in records:
            exception, info, fqid = _error_parts(record)
            pipeline.write_error(exception, info, fully_qualified_error_id=fqid)
        if terminating is None:
            pipeline.complete()
            return
        exception, info, fqid = _error_parts(terminating)
        error = ErrorRecord(Exception=exception, CategoryInfo=info, FullyQualifiedErrorId=fqid)
        # psrpcore has no public call for a failed pipeline; its state change takes the record.
        pipeline._change_state(PSInvocationState.Failed, error)

    # --- WS-Man operations --------------------------------------------------------------------

    def command(self, request: Request) -> bytes:
        line = request.body.find("rsp:CommandLine", NS)
        if line is None or not line.get("CommandId"):
            raise WSManFault("A PowerShell command needs rsp:CommandLine with a CommandId.",
                             code=soap.ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError")
        pipeline_id = uuid.UUID(line.get("CommandId", ""))
        with self.lock:
            pipeline = psrpcore.ServerPipeline(self.pool, pipeline_id)
            self.pipelines[pipeline_id] = pipeline
            events = self._feed(_data(line.findtext("rsp:Arguments", "", NS)), pipeline_id)
            for event in events:
                if isinstance(event, psrpcore.CreatePipelineEvent):
                    self._run(pipeline, event.pipeline)
                    self.done.add(pipeline_id)
        return command_response(request, str(pipeline_id).upper())

    def send(self, request: Request) -> bytes:
        with self.lock:
            for stream in request.body.iterfind("rsp:Send/rsp:Stream", NS):
                command_id = stream.get("CommandId")
                self._feed(_data(stream.text), uuid.UUID(command_id) if command_id else None)
        return empty_response(request, soap.ACTION_SEND, "rsp:SendResponse")

    def receive(self, request: Request) -> bytes:
        desired = request.body.find("rsp:Receive/rsp:DesiredStream", NS)
        command_id = desired.get("CommandId") if desired is not None else None
        pipeline_id = uuid.UUID(command_id) if command_id else None
        with self.lock:
            if pipeline_id is not None and pipeline_id not in self.pipelines:
                raise WSManFault(f"The command {command_id} was not found in the shell {self.id}.",
                                 code=soap.ERROR_WSMAN_INVALID_SELECTORS, subcode="w:InvalidSelectors")
            chunks = self._send_for(pipeline_id)
            finished = pipeline_id is not None and pipeline_id in self.done
        if not chunks and not finished:
            raise WSManFault("The WS-Management service cannot complete the operation within the time specified in "
                             "OperationTimeout.", code=soap.ERROR_WSMAN_OPERATION_TIMEDOUT, subcode="w:TimedOut",
                             sender=False)
        body = element("rsp:ReceiveResponse")
        attrs = {"CommandId": command_id.upper()} if command_id else {}
        for chunk in chunks:
            body.append(element("rsp:Stream", base64.b64encode(chunk).decode("ascii"), Name="stdout", **attrs))
        if pipeline_id is not None:
            body.append(element("rsp:CommandState", None, CommandId=command_id.upper() if command_id else "",
                                State=STATE_DONE if finished else STATE_RUNNING))
        return soap.envelope(soap.ACTION_RECEIVE + "Response", request.message_id, [body])

    def signal(self, request: Request) -> bytes:
        node = request.body.find("rsp:Signal", NS)
        command_id = node.get("CommandId") if node is not None else None
        with self.lock:
            if command_id:
                pipeline_id = uuid.UUID(command_id)
                pipeline = self.pipelines.pop(pipeline_id, None)
                self.done.discard(pipeline_id)
                if pipeline is not None and pipeline.state == PSInvocationState.Running:
                    pipeline.begin_stop()
        return empty_response(request, soap.ACTION_SIGNAL, "rsp:SignalResponse")

    def close(self) -> None:
        self.pipelines.clear()


def _error_parts(record: Any) -> tuple[NETException, ErrorCategoryInfo, str]:
    info = record.category_info
    try:
        category = ErrorCategory[str(info.category)]
    except KeyError:
        category = ErrorCategory.NotSpecified
    return (NETException(Message=record.message),
            ErrorCategoryInfo(Category=category, Activity=info.activity, Reason=info.reason,
                              TargetName=info.target_name, TargetType=info.target_type),
            record.fully_qualified_error_id)


def creation_xml(request: Request) -> bytes:
    node = request.body.find("rsp:Shell/{http://schemas.microsoft.com/powershell}creationXml", NS)
    if node is None or not node.text:
        raise WSManFault("A PowerShell shell needs its creationXml (the runspace pool's opening messages).",
                         code=soap.ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError")
    try:
        return base64.b64decode(node.text, validate=True)
    except ValueError:
        raise WSManFault("The creationXml is not base64.", code=soap.ERROR_WSMAN_BAD_REQUEST,
                         subcode="w:SchemaValidationError") from None
