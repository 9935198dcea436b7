"""Bad input to `hvemu serve`: bodies over the configured maximum (HTTP 413), requests cut off
mid-body, and clients that disappear mid-command. Each time the server keeps serving and the
state stays whole. (Malformed SOAP and wrong credentials: test_winrm.py.)"""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests
import winrm
import xmltodict

from tests.server.conftest import PASSWORD, USER, WORLD, Server, env, start_server

LIMIT = 64 * 1024
SOAP = {"Content-Type": "application/soap+xml;charset=UTF-8"}


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = str(tmp_path_factory.mktemp("bad") / "state")
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", state],
                   check=True, env=env(), capture_output=True)
    yield from start_server(state, "--state", state, "--user", USER, "--password-env", "HVEMU_TEST_PASSWORD",
                            "--max-request-size", "64KB")


def session(server: Server, transport: str = "basic") -> winrm.Session:
    return winrm.Session(server.endpoint, auth=(USER, PASSWORD), transport=transport)


def still_serving(server: Server) -> None:
    assert session(server, "ntlm").run_ps("(Get-VM SRV-APP01).Name").std_out.decode().strip() == "SRV-APP01"


def checkpoints(server: Server, vm: str) -> list[str]:
    hv = server.client()
    return [c.name for c in hv.get_checkpoints([hv.vm(vm)])]


def test_a_body_over_the_maximum_is_413(small_server: Server) -> None:
    r = requests.post(small_server.endpoint, data=b"<" + b"x" * LIMIT + b"/>", auth=(USER, PASSWORD), headers=SOAP)
    assert r.status_code == 413
    # streamed without a Content-Length: refused once the limit is passed
    r = requests.post(small_server.endpoint, data=iter([b"x" * 16384] * 8), auth=(USER, PASSWORD), headers=SOAP)
    assert r.status_code == 413
    # a body at the limit is read (and, not being SOAP, is a fault)
    r = requests.post(small_server.endpoint, data=b"x" * LIMIT, auth=(USER, PASSWORD), headers=SOAP)
    assert r.status_code == 500 and b"WSManFault" in r.content
    still_serving(small_server)


def test_a_large_command_through_pywinrm_is_refused_plainly(small_server: Server) -> None:
    s = session(small_server)
    with pytest.raises(winrm.exceptions.WinRMTransportError) as info:
        s.run_ps("'" + "a" * LIMIT + "'")
    assert info.value.code == 413
    still_serving(small_server)


def raw_request(server: Server, body: bytes, declared: int | None = None) -> socket.socket:
    """A connection that sends the request line, headers and `body` and nothing more."""
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    head = (f"POST /wsman HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nAuthorization: Basic {auth}\r\n"
            f"Content-Type: application/soap+xml;charset=UTF-8\r\n"
            f"Content-Length: {declared if declared is not None else len(body)}\r\n\r\n").encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(head + body)
    return sock


def test_a_client_gone_mid_body_leaves_the_server_serving(small_server: Server) -> None:
    for _ in range(5):
        raw_request(small_server, b"<s:Envelope xmlns:s=", declared=4000).close()
    still_serving(small_server)


def test_a_client_gone_mid_command_leaves_the_state_whole(small_server: Server) -> None:
    s = session(small_server)
    protocol = s.protocol
    shell = protocol.open_shell()
    script = base64.b64encode("Checkpoint-VM -Name SRV-WEB01 -SnapshotName left-behind".encode("utf-16-le")).decode()
    command = protocol.run_command(shell, f"powershell -EncodedCommand {script}")
    # the Receive that runs the command, sent by a client that leaves without reading the answer
    envelope = protocol.build_wsman_header(
        resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
        action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive", shell_id=shell)
    envelope["env:Body"] = {"rsp:Receive": {"rsp:DesiredStream": {"@CommandId": command, "#text": "stdout stderr"}}}
    body = xmltodict.unparse({"env:Envelope": envelope}).encode("utf-8")
    raw_request(small_server, body).close()
    deadline = time.monotonic() + 30
    while "left-behind" not in checkpoints(small_server, "SRV-WEB01") and time.monotonic() < deadline:
        time.sleep(0.2)
    # the command ran to its end once: one checkpoint, and the state takes further changes
    assert checkpoints(small_server, "SRV-WEB01").count("left-behind") == 1
    r = session(small_server, "ntlm").run_ps("Checkpoint-VM -Name SRV-WEB01 -SnapshotName after; "
                                             "(Get-VMSnapshot -VMName SRV-WEB01).Name")
    assert r.status_code == 0, r.std_err
    assert {"left-behind", "after"} <= set(r.std_out.decode().split())
    # the shell the client abandoned is still there until deleted
    protocol.close_shell(shell)
