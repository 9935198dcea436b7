"""Scripts run for a WinRM client see the emulated host's environment (the world's `[env]` on the
host's variables), never the server process's: not its password variable, not a canary set in
its environment, not its PATH or HOME."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest
import winrm
from pypsrp.client import Client

from tests.server.conftest import PASSWORD, USER, Server, start_server

WORLD = """
[env]
WORLD_VAR = "from-the-world"
TEMP = 'C:\\Temp'

[[host]]
name = "HV-ISO01"
default = true

[[vm]]
name = "ISO-VM1"
"""
CANARY = "server-canary-7d1f"
SERVER_ONLY = ("HVEMU_CANARY", "HVEMU_TEST_PASSWORD", "PYTHONPATH", "HOME", "NTLM_USER_FILE")


@pytest.fixture(scope="module")
def iso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    world = tmp_path_factory.mktemp("iso") / "world.toml"
    world.write_text(WORLD)
    yield from start_server("", "--world", str(world), "--user", USER, "--password-env", "HVEMU_TEST_PASSWORD",
                            extra_env={"HVEMU_CANARY": CANARY, "HOME": "/root/server-home"})


SCRIPT = ("'canary=' + $env:HVEMU_CANARY; 'password=' + $env:HVEMU_TEST_PASSWORD; 'world=' + $env:WORLD_VAR; "
          "'temp=' + $env:TEMP; 'computer=' + $env:COMPUTERNAME; "
          "'net=' + [Environment]::GetEnvironmentVariable('HVEMU_CANARY'); "
          "[Environment]::GetEnvironmentVariables().Keys | ForEach-Object { 'name=' + $_ }")


def check(lines: list[str]) -> None:
    assert "canary=" in lines and "password=" in lines and "net=" in lines
    assert "world=from-the-world" in lines
    assert "temp=C:\\Temp" in lines
    assert "computer=HV-ISO01" in lines
    names = {line[5:].upper() for line in lines if line.startswith("name=")}
    assert "WORLD_VAR" in names and "SYSTEMROOT" in names
    assert not names & set(SERVER_ONLY)
    assert not any(PASSWORD in line or CANARY in line for line in lines)


def test_winrs_powershell_sees_the_hosts_environment_only(iso_server: Server) -> None:
    s = winrm.Session(iso_server.endpoint, auth=(USER, PASSWORD), transport="ntlm")
    r = s.run_ps(SCRIPT)
    assert r.status_code == 0, r.std_err
    check(r.std_out.decode().splitlines())
    r = s.run_cmd("echo %HVEMU_CANARY%-%HVEMU_TEST_PASSWORD%")
    assert r.std_out == b"%HVEMU_CANARY%-%HVEMU_TEST_PASSWORD%\r\n"


def test_psrp_runspace_sees_the_hosts_environment_only(iso_server: Server) -> None:
    client = Client("127.0.0.1", port=iso_server.port, username=USER, password=PASSWORD, ssl=False, auth="ntlm")
    output, streams, had_errors = client.execute_ps(SCRIPT)
    assert not had_errors and streams.error == []
    check(output.splitlines())


def test_the_shells_own_variables_reach_powershell(iso_server: Server) -> None:
    s = winrm.Session(iso_server.endpoint, auth=(USER, PASSWORD), transport="ntlm")
    shell = s.protocol.open_shell(env_vars={"FROM_CLIENT": "client-value"})
    try:
        command = s.protocol.run_command(shell, "powershell", ["-Command", "$env:FROM_CLIENT; $env:USERNAME"])
        out, err, code = s.protocol.get_command_output(shell, command)
    finally:
        s.protocol.close_shell(shell)
    assert (out.decode().splitlines(), code) == (["client-value", USER], 0)
