"""`hvemu serve --world` (an in-memory state, no credentials asked), the SDK's own WinRM
backend against the server, and the command's errors."""

from __future__ import annotations

import pathlib
import stat
import subprocess
import sys
from collections.abc import Iterator

import pytest
import winrm

from tests.server.conftest import PASSWORD, USER, WORLD, Server, env, free_port, start_server


@pytest.fixture(scope="module")
def open_server() -> Iterator[Server]:
    yield from start_server("", "--world", str(WORLD))


def test_world_server_asks_no_credentials(open_server: Server) -> None:
    s = winrm.Session(open_server.endpoint, auth=("anyone", "anything"), transport="basic")
    r = s.run_ps("Checkpoint-VM -Name SRV-APP02 -SnapshotName in-memory; (Get-VMSnapshot -VMName SRV-APP02).Name")
    assert r.status_code == 0, r.std_err
    assert "in-memory" in r.std_out.decode().splitlines()


def test_the_sdk_winrm_backend_drives_the_server(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from hyperv_emu import sdk
    from hyperv_emu.sdk.errors import VMNotFoundError

    monkeypatch.setenv("HVEMU_TEST_PASSWORD", PASSWORD)
    hv = sdk.connect(f"http://{USER}@127.0.0.1:{server.port}/wsman?auth=ntlm&password_env=HVEMU_TEST_PASSWORD")
    created = hv.checkpoint_vm(hv.vm("SRV-APP01"), "through-the-sdk")
    assert created.name == "through-the-sdk"
    local = server.client()
    assert "through-the-sdk" in [c.name for c in local.get_checkpoints([local.vm("SRV-APP01")])]
    with pytest.raises(VMNotFoundError):
        hv.vm("NoSuchVM")


def run_hvemu(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hyperv_emu.cli", *argv], env=env(), capture_output=True,
                          text=True, timeout=60)


def test_serve_reports_bad_options_plainly(server: Server) -> None:
    r = run_hvemu("serve", "--state", server.state, "--port", str(server.port))
    assert r.returncode == 1
    assert r.stderr.strip() == f"hvemu: error: cannot listen on 127.0.0.1:{server.port}: Address already in use."
    r = run_hvemu("serve", "--state", server.state, "--user", "x")
    assert (r.returncode, r.stderr.strip()) == (
        1, "hvemu: error: --user needs --password-env VAR (the environment variable that holds the password).")
    r = run_hvemu("serve", "--state", server.state + "-missing", "--port", str(free_port()))
    assert r.returncode == 1 and "No hvemu state at" in r.stderr


def test_sigterm_stops_the_server_and_removes_its_credential_file(server: Server, tmp_path: pathlib.Path) -> None:
    running = start_server("", "--state", server.state, "--user", USER, "--password-env", "HVEMU_TEST_PASSWORD",
                           extra_env={"TMPDIR": str(tmp_path)})
    started = next(running)
    assert [p.name.startswith("hvemu-ntlm-") for p in tmp_path.iterdir()] == [True]
    assert stat.S_IMODE(next(tmp_path.iterdir()).stat().st_mode) == 0o600
    next(running, None)  # terminates it
    assert started.proc.returncode == 0
    assert list(tmp_path.iterdir()) == []
