"""The Windows Remote Shell resource (`.../windows/shell/cmd`): Create, Command, Send, Receive,
Signal and Delete as WinRM answers them (MS-WSMV 3.1.4.1), each shell a cmd.exe on the emulated
host (cmdshell), each command a process whose output is read with Receive.

A command runs on the first Receive (in the server's worker thread), once its standard input is
complete when it reads any (`powershell -`, `-Command -`); its whole output comes back in that
Receive with CommandState Done and the exit code.
"""

from __future__ import annotations

import base64
import threading
import uuid
from xml.etree import ElementTree as ET

import attrs

from hyperv_emu import sdk
from hyperv_emu.server import soap
from hyperv_emu.server.cmdshell import CmdContext, CmdShell
from hyperv_emu.server.pwsh_run import ProcessResult
from hyperv_emu.server.soap import NS, Request, WSManFault, element

CMD_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
STATE_DONE = soap.SHELL + "/CommandState/Done"
STATE_RUNNING = soap.SHELL + "/CommandState/Running"
SIGNAL_TERMINATE = soap.SHELL + "/signal/terminate"
SIGNAL_CTRL_C = soap.SHELL + "/signal/ctrl_c"


def shell_not_found(shell_id: str) -> WSManFault:
    return WSManFault(f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell "
                      "was not found on the server. Possible causes are: the specified ShellId is incorrect or the "
                      "shell no longer exists on the server. Provide the correct ShellId or create a new shell and "
                      "retry the operation.", code=soap.ERROR_WSMAN_INVALID_SELECTORS, subcode="w:InvalidSelectors")


def created_response(request: Request, resource_uri: str, shell_id: str, address: str,
                     shell_fields: dict[str, str]) -> bytes:
    """The Create response: ResourceCreated (the address and ShellId selector) and the Shell."""
    created = element("x:ResourceCreated")
    created.append(element("a:Address", address))
    refs = ET.SubElement(created, soap.q("a", "ReferenceParameters"))
    refs.append(element("w:ResourceURI", resource_uri))
    refs.append(soap.selector_set("ShellId", shell_id))
    shell = element("rsp:Shell")
    shell.append(element("rsp:ShellId", shell_id))
    shell.append(element("rsp:ResourceUri", resource_uri))
    for name, value in shell_fields.items():
        shell.append(element(f"rsp:{name}", value))
    return soap.envelope(soap.ACTION_CREATE + "Response", request.message_id, [created, shell])


def command_response(request: Request, command_id: str) -> bytes:
    body = element("rsp:CommandResponse")
    body.append(element("rsp:CommandId", command_id))
    return soap.envelope(soap.ACTION_COMMAND + "Response", request.message_id, [body])


def empty_response(request: Request, action: str, body_tag: str | None = None) -> bytes:
    return soap.envelope(action + "Response", request.message_id, [element(body_tag)] if body_tag else [])


@attrs.define
class Command:
    id: str
    line: str
    stdin: list[bytes] = attrs.field(factory=list)
    stdin_done: bool = False
    result: ProcessResult | None = None
    lock: threading.Lock = attrs.field(factory=threading.Lock)


class CmdShellResource:
    """One winrs shell: its working directory, environment and commands."""

    def __init__(self, shell_id: str, client: sdk.HyperVClient, cwd: str, environment: dict[str, str]) -> None:
        self.id = shell_id
        self.client = client
        self.cwd = cwd
        self.environment = environment
        self.commands: dict[str, Command] = {}
        self.lock = threading.Lock()

    def command(self, request: Request) -> bytes:
        line_node = request.body.find("rsp:CommandLine", NS)
        if line_node is None:
            raise WSManFault("The Command request has no rsp:CommandLine.", subcode="w:SchemaValidationError",
                             code=soap.ERROR_WSMAN_BAD_REQUEST)
        command = (line_node.findtext("rsp:Command", "", NS) or "").strip()
        arguments = [(a.text or "") for a in line_node.iterfind("rsp:Arguments", NS)]
        line = " ".join([command, *arguments]).strip()
        command_id = (line_node.get("CommandId") or str(uuid.uuid4())).upper()
        with self.lock:
            self.commands[command_id] = Command(command_id, line)
        return command_response(request, command_id)

    def _command(self, command_id: str) -> Command:
        command = self.commands.get(command_id.upper())
        if command is None:
            raise WSManFault(f"The request for the Windows Remote Shell command {command_id} failed because the "
                             "command was not found on the server.", code=soap.ERROR_WSMAN_INVALID_SELECTORS,
                             subcode="w:InvalidSelectors")
        return command

    def send(self, request: Request) -> bytes:
        for stream in request.body.iterfind("rsp:Send/rsp:Stream", NS):
            command = self._command(stream.get("CommandId", ""))
            if stream.text:
                command.stdin.append(base64.b64decode(stream.text))
            if stream.get("End", "").lower() == "true":
                command.stdin_done = True
        return empty_response(request, soap.ACTION_SEND, "rsp:SendResponse")

    def receive(self, request: Request) -> bytes:
        desired = request.body.find("rsp:Receive/rsp:DesiredStream", NS)
        command_id = desired.get("CommandId", "") if desired is not None else ""
        command = self._command(command_id)
        with command.lock:  # one run, even when two Receives race
            if command.result is None:
                if _reads_stdin(command.line) and not command.stdin_done:
                    raise WSManFault("The WS-Management service cannot complete the operation within the time "
                                     "specified in OperationTimeout.", code=soap.ERROR_WSMAN_OPERATION_TIMEDOUT,
                                     subcode="w:TimedOut", sender=False)
                stdin = b"".join(command.stdin).decode("utf-8", "replace")
                shell = CmdShell(CmdContext(self.client, self.cwd, self.environment, stdin))
                command.result = shell.run(command.line)
            result = command.result
        body = element("rsp:ReceiveResponse")
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            data = text.encode("utf-8")
            if data:
                body.append(element("rsp:Stream", base64.b64encode(data).decode("ascii"), Name=name,
                                    CommandId=command.id))
            body.append(element("rsp:Stream", None, Name=name, CommandId=command.id, End="true"))
        state = element("rsp:CommandState", None, CommandId=command.id, State=STATE_DONE)
        state.append(element("rsp:ExitCode", str(result.exit_code)))
        body.append(state)
        return soap.envelope(soap.ACTION_RECEIVE + "Response", request.message_id, [body])

    def signal(self, request: Request) -> bytes:
        node = request.body.find("rsp:Signal", NS)
        command_id = node.get("CommandId", "") if node is not None else ""
        with self.lock:
            self.commands.pop(command_id.upper(), None)
        return empty_response(request, soap.ACTION_SIGNAL, "rsp:SignalResponse")

    def close(self) -> None:
        self.commands.clear()


def _reads_stdin(line: str) -> bool:
    words = line.lower().split()
    return bool(words) and words[0].startswith(("powershell", "pwsh")) and (
        words[-1] == "-" or "-command -" in line.lower() or words[1:] == [])
