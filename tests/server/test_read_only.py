"""`hvemu serve --read-only-user`: that account's sessions read the state but every change is
refused with Hyper-V's authorization error; the administrator's sessions are unaffected."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
import winrm
from pypsrp.client import Client

from tests.server.conftest import PASSWORD, USER, WORLD, Server, env, free_port, start_server

READER = "auditor"
READER_PASSWORD = "R3ad-0nly!"
DENIED = ("You do not have the required permission to complete this task. Contact the administrator of the "
          "authorization policy for the computer 'HV-HOST01'.")


@pytest.fixture(scope="module")
def ro_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = str(tmp_path_factory.mktemp("ro") / "state")
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", state],
                   check=True, env=env(), capture_output=True)
    yield from start_server(state, "--state", state, "--user", USER, "--password-env", "HVEMU_TEST_PASSWORD",
                            "--read-only-user", READER, "--read-only-password-env", "HVEMU_READER_PASSWORD",
                            extra_env={"HVEMU_READER_PASSWORD": READER_PASSWORD})


def checkpoints(server: Server, vm: str) -> list[str]:
    hv = server.client()
    return [c.name for c in hv.get_checkpoints([hv.vm(vm)])]


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_reader_reads_but_changes_are_denied(ro_server: Server, transport: str) -> None:
    s = winrm.Session(ro_server.endpoint, auth=(READER, READER_PASSWORD), transport=transport)
    r = s.run_ps("Get-VM | Select-Object -ExpandProperty Name")
    assert (r.status_code, r.std_out.decode().split()) == (0, ["SRV-APP01", "SRV-APP02", "SRV-SQL01", "SRV-WEB01"])
    before = checkpoints(ro_server, "SRV-APP02")
    r = s.run_ps(f"Checkpoint-VM -Name SRV-APP02 -SnapshotName by-{transport}")
    assert r.status_code == 1
    err = " ".join(r.std_err.decode().split())  # the console wraps the message at its width
    assert err.startswith(f"Checkpoint-VM : {DENIED}")
    assert "+ FullyQualifiedErrorId : AccessDenied,Microsoft.HyperV.PowerShell.Commands.CheckpointVM" in err
    r = s.run_ps("Stop-VM -Name SRV-APP01 -Force -ErrorAction Stop")
    assert r.status_code == 1 and DENIED in " ".join(r.std_err.decode().split())
    assert checkpoints(ro_server, "SRV-APP02") == before
    assert ro_server.client().vm("SRV-APP01").state.name == "Running"


def test_the_error_record_is_permission_denied(ro_server: Server) -> None:
    s = winrm.Session(ro_server.endpoint, auth=(READER, READER_PASSWORD), transport="ntlm")
    r = s.run_ps("try { Remove-VMSnapshot -VMName SRV-APP01 -Name * -ErrorAction Stop } "
                 "catch { $_.CategoryInfo.Category; $_.Exception.Message }")
    assert r.std_out.decode().splitlines() == ["PermissionDenied", DENIED]
    r = s.run_cmd("echo x> C:\\Temp\\ro.txt")
    assert r.status_code == 1


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_each_account_has_its_own_user_variables(ro_server: Server, transport: str) -> None:
    for user, password in ((READER, READER_PASSWORD), (USER, PASSWORD)):
        s = winrm.Session(ro_server.endpoint, auth=(user, password), transport=transport)
        r = s.run_ps("$env:USERNAME; $env:USERPROFILE; (Get-Location).Path")
        assert r.std_out.decode().splitlines() == [user, f"C:\\Users\\{user}", f"C:\\Users\\{user}"]


def test_administrator_still_changes(ro_server: Server) -> None:
    s = winrm.Session(ro_server.endpoint, auth=(USER, PASSWORD), transport="ntlm")
    assert s.run_ps("Checkpoint-VM -Name SRV-APP02 -SnapshotName by-admin").status_code == 0
    assert "by-admin" in checkpoints(ro_server, "SRV-APP02")


def test_reader_over_psrp(ro_server: Server) -> None:
    client = Client("127.0.0.1", port=ro_server.port, username=READER, password=READER_PASSWORD, ssl=False,
                    auth="ntlm")
    output, streams, had_errors = client.execute_ps("(Get-VM SRV-SQL01).Name; Checkpoint-VM -Name SRV-SQL01")
    assert output.strip() == "SRV-SQL01"
    assert [str(e) for e in streams.error] == [DENIED]


def test_wrong_reader_password_is_refused(ro_server: Server) -> None:
    s = winrm.Session(ro_server.endpoint, auth=(READER, PASSWORD), transport="ntlm")
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        s.run_ps("Get-VM")


def test_read_only_options_are_checked(ro_server: Server) -> None:
    def serve(*argv: str) -> str:
        r = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "serve", "--state", ro_server.state, "--port",
                            str(free_port()), *argv], env=env(), capture_output=True, text=True, timeout=60)
        assert r.returncode == 1
        return r.stderr.strip()

    assert serve("--read-only-user", "a", "--read-only-password-env", "HVEMU_TEST_PASSWORD") == \
        "hvemu: error: --read-only-user needs --user (the administrator's account)."
    assert serve("--user", "a", "--password-env", "HVEMU_TEST_PASSWORD", "--read-only-user", "b") == (
        "hvemu: error: --read-only-user needs --read-only-password-env VAR (the environment variable that holds "
        "the password).")
    assert serve("--user", "a", "--password-env", "HVEMU_TEST_PASSWORD", "--read-only-user", "A",
                 "--read-only-password-env", "HVEMU_TEST_PASSWORD") == \
        "hvemu: error: --read-only-user must differ from --user."
