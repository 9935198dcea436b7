"""pywinrm against `hvemu serve`: the winrs shell, Basic and NTLM (with message encryption),
checkpoints made through it and seen in the emulator state, faults, credentials, concurrency."""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time

import pytest
import requests
import spnego
import winrm

from tests.server.conftest import PASSWORD, USER, Server


def session(server: Server, transport: str = "ntlm", password: str = PASSWORD) -> winrm.Session:
    return winrm.Session(server.endpoint, auth=(USER, password), transport=transport)


def checkpoint_names(server: Server, vm: str) -> list[str]:
    hv = server.client()
    return [c.name for c in hv.get_checkpoints([hv.vm(vm)])]


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_run_ps_creates_and_lists_checkpoints(server: Server, transport: str) -> None:
    name = f"via-{transport}"
    r = session(server, transport).run_ps(
        f"Checkpoint-VM -Name SRV-APP02 -SnapshotName {name}; "
        "Get-VMSnapshot -VMName SRV-APP02 | ForEach-Object { $_.Name }")
    assert r.status_code == 0, r.std_err
    assert name in r.std_out.decode().splitlines()
    assert name in checkpoint_names(server, "SRV-APP02")


def test_restore_and_remove_through_run_ps(server: Server) -> None:
    s = session(server)
    assert s.run_ps("Checkpoint-VM -Name SRV-WEB01 -SnapshotName before-patch").status_code == 0
    r = s.run_ps("Restore-VMSnapshot -VMName SRV-WEB01 -Name before-patch -Confirm:$false; "
                 "(Get-VM SRV-WEB01).ParentSnapshotName")
    assert r.status_code == 0, r.std_err
    assert r.std_out.decode().strip() == "before-patch"
    assert server.client().vm("SRV-WEB01").parent_snapshot_name == "before-patch"
    r = s.run_ps("Remove-VMSnapshot -VMName SRV-WEB01 -Name before-patch")
    assert r.status_code == 0, r.std_err
    assert "before-patch" not in checkpoint_names(server, "SRV-WEB01")


def test_failed_run_ps_gives_the_error_as_clixml_and_exit_code(server: Server) -> None:
    s = session(server)
    encoded = base64.b64encode("Get-VM -Name NoSuchVM".encode("utf-16-le")).decode()
    shell = s.protocol.open_shell()
    try:
        command = s.protocol.run_command(shell, f"powershell -encodedcommand {encoded}")
        out, err, code = s.protocol.get_command_output(shell, command)
        s.protocol.cleanup_command(shell, command)
    finally:
        s.protocol.close_shell(shell)
    # powershell.exe writes an encoded command's error stream as CLIXML, one S per line
    assert err.startswith(b'#< CLIXML\r\n<Objs Version="1.1.0.1" '
                          b'xmlns="http://schemas.microsoft.com/powershell/2004/04">')
    assert (b'<S S="Error">Get-VM : Hyper-V was unable to find a virtual machine with name '
            b'"NoSuchVM"._x000D__x000A_</S>') in err
    assert out == b""
    # a non-terminating error as the last command: -Command's exit code is 1 ($? is false)
    assert code == 1
    cleaned = s.run_ps("Get-VM -Name NoSuchVM").std_err.decode()
    assert cleaned.startswith('Get-VM : Hyper-V was unable to find a virtual machine with name "NoSuchVM".')


def test_exit_code_of_the_script(server: Server) -> None:
    assert session(server).run_ps("Write-Output 'x'; exit 7").status_code == 7


def test_run_cmd_builtins_act_on_host_files(server: Server) -> None:
    s = session(server)
    path = "C:\\Temp\\upload.txt"
    chunks = [base64.b64encode(b"Get-VM SRV-SQL01 | ").decode(), base64.b64encode(b"Select -Expand Name").decode()]
    r = s.run_cmd(f'if exist "{path}" del /f /q "{path}"')
    assert r.status_code == 0
    for chunk in chunks:  # a Terraform-style upload: base64 appended chunk by chunk
        assert s.run_cmd(f'echo {chunk}>> "{path}"').status_code == 0
    r = s.run_cmd(f'type "{path}"')
    assert r.std_out.decode() == "".join(c + "\r\n" for c in chunks)
    script = ("$t = (Get-Content 'C:\\Temp\\upload.txt') | ForEach-Object { [Text.Encoding]::UTF8.GetString("
              "[Convert]::FromBase64String($_)) }; Invoke-Expression ($t -join '')")
    r = s.run_ps(script)
    assert r.std_out.decode().strip() == "SRV-SQL01", r.std_err
    r = s.run_cmd(f'del "{path}" && if not exist "{path}" echo gone')
    assert r.std_out.decode() == "gone\r\n"
    r = s.run_cmd("no-such-tool /x")
    assert r.status_code == 9009
    assert r.std_err.decode() == ("'no-such-tool' is not recognized as an internal or external command,\r\n"
                                  "operable program or batch file.\r\n")


def test_powershell_file_reads_the_script_from_the_host(server: Server) -> None:
    s = session(server)
    assert s.run_cmd('echo param($Vm) (Get-VM $Vm).State> C:\\Temp\\state.ps1').status_code == 0
    r = s.run_cmd("powershell -NoProfile -ExecutionPolicy Bypass -File C:\\Temp\\state.ps1 -Vm SRV-APP01")
    assert r.status_code == 0, r.std_err
    assert r.std_out.decode().strip() == "Running"
    assert s.run_cmd("echo $PSCommandPath> C:\\Temp\\where.ps1").status_code == 0
    r = s.run_cmd("powershell -File C:\\Temp\\where.ps1")
    assert r.std_out.decode().strip() == "C:\\Temp\\where.ps1"
    r = s.run_cmd("powershell -File C:\\Temp\\missing.ps1")
    assert r.status_code == -196608
    assert "The argument 'C:\\Temp\\missing.ps1' to the -File parameter does not exist." in r.std_err.decode()


@pytest.mark.parametrize("transport,password", [("basic", "wrong"), ("ntlm", "wrong")])
def test_wrong_credentials_are_refused(server: Server, transport: str, password: str) -> None:
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        session(server, transport, password).run_ps("Get-VM")


def test_no_credentials_get_401_with_the_offered_schemes(server: Server) -> None:
    r = requests.post(server.endpoint, data=b"<x/>", headers={"Content-Type": "application/soap+xml;charset=UTF-8"})
    assert r.status_code == 401
    offered = r.headers["WWW-Authenticate"].lower()
    assert "negotiate" in offered and "basic" in offered


def test_malformed_soap_is_a_fault_and_the_server_keeps_serving(server: Server) -> None:
    auth = (USER, PASSWORD)
    headers = {"Content-Type": "application/soap+xml;charset=UTF-8"}
    for body in (b"<not xml", b"<a>not an envelope</a>",
                 b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>'):
        r = requests.post(server.endpoint, data=body, auth=auth, headers=headers)
        assert r.status_code == 500
        assert b"Fault" in r.content and b"WSManFault" in r.content
    with pytest.raises(winrm.exceptions.WinRMError):
        session(server, "basic").protocol.close_shell("00000000-0000-0000-0000-000000000000")
    assert session(server, "basic").run_ps("'still here'").std_out.decode().strip() == "still here"


def test_eight_concurrent_clients_lose_no_checkpoint(server: Server) -> None:
    results: list[int] = []
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            transport = "ntlm" if i % 2 else "basic"
            r = session(server, transport).run_ps(f"Checkpoint-VM -Name SRV-APP01 -SnapshotName parallel-{i}")
            results.append(r.status_code)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert results == [0] * 8
    names = checkpoint_names(server, "SRV-APP01")
    assert sorted(n for n in names if n.startswith("parallel-")) == sorted(f"parallel-{i}" for i in range(8))


def test_send_feeds_standard_input(server: Server) -> None:
    p = session(server).protocol
    shell = p.open_shell()
    try:
        command = p.run_command(shell, "powershell", ["-NoProfile", "-Command", "-"])
        p.send_command_input(shell, command, b"(Get-VM SRV-APP01).Name\r\n", end=True)
        out, err, code = p.get_command_output(shell, command)
        p.cleanup_command(shell, command)
    finally:
        p.close_shell(shell)
    assert (out, err, code) == (b"SRV-APP01\r\n", b"", 0)


def test_run_cmd_arguments_and_cmd_c(server: Server) -> None:
    r = session(server, "basic").run_cmd("cmd", ["/c", "echo", "one", "&&", "exit", "/b", "3"])
    assert (r.std_out, r.status_code) == (b"one \r\n", 3)


def _post(conn: http.client.HTTPConnection, headers: dict[str, str]) -> http.client.HTTPResponse:
    conn.request("POST", "/wsman", body=b"", headers={"Content-Type": "application/soap+xml;charset=UTF-8",
                                                      "Content-Length": "0", **headers})
    response = conn.getresponse()
    response.read()
    return response


def test_a_new_connection_from_a_reused_client_port_must_authenticate_again(server: Server) -> None:
    """NTLM authenticates a TCP connection, not a client address: once a connection closes, a
    new one that the client's system happens to open from the same port (as it does, in time,
    on a busy host) starts unauthenticated. pywinrm sends an empty probe first and starts the
    handshake only on its 401; an inherited context made it skip the handshake."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        client_port = probe.getsockname()[1]
    first = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                       source_address=("127.0.0.1", client_port))
    ctx = spnego.client(USER, PASSWORD, protocol="ntlm", hostname="127.0.0.1", service="http")
    challenge = _post(first, {"Authorization": "Negotiate " + base64.b64encode(ctx.step() or b"").decode()})
    assert challenge.status == 401
    token = challenge.getheader("WWW-Authenticate", "").partition(" ")[2]
    done = _post(first, {"Authorization": "Negotiate " + base64.b64encode(ctx.step(base64.b64decode(token)) or b"").decode()})
    assert done.status == 200 and ctx.complete
    assert _post(first, {}).status == 200  # the authenticated connection needs no header
    held = first.sock.dup()  # type: ignore[union-attr]  # to wait for the server's close
    assert _post(first, {"Connection": "close"}).status == 200
    first.close()
    held.settimeout(30)
    assert held.recv(1) == b""  # the server closed its side first: the port is free at once
    held.close()
    second = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for _ in range(50):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", client_port))
            sock.connect(("127.0.0.1", server.port))
            break
        except OSError:
            sock.close()
            time.sleep(0.1)
    else:
        pytest.skip("the system did not let the client port be reused")
    second.sock = sock
    try:
        assert _post(second, {}).status == 401
    finally:
        second.close()
