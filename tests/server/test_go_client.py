"""A WinRM client in another language against `hvemu serve`: Debian's `winrmcp` (Go, on the
masterzen/winrm library), which uploads a file through a cmd shell: `echo <base64> >>
%TEMP%\\winrmcp-<uuid>.tmp` commands, then a `powershell -EncodedCommand` script that decodes
the chunks into the destination. (Debian has no ruby-winrm package; .ci/run installs winrmcp.)"""

from __future__ import annotations

import base64
import pathlib
import shutil
import subprocess

import pytest

from tests.server.conftest import PASSWORD, USER, Server

WINRMCP = shutil.which("winrmcp")
pytestmark = pytest.mark.skipif(WINRMCP is None, reason="winrmcp (Debian package winrmcp) is not installed")
PAYLOAD = "Get-VM | Select-Object -ExpandProperty Name\r\n" * 40


def winrmcp(server: Server, source: pathlib.Path, target: str, password: str = PASSWORD) -> \
        subprocess.CompletedProcess[str]:
    assert WINRMCP is not None
    return subprocess.run([WINRMCP, "-user", USER, "-pass", password, "-addr", f"127.0.0.1:{server.port}",
                           "-op-timeout", "30s", str(source), target], capture_output=True, text=True, timeout=120)


def test_the_go_client_streams_its_chunks_through_the_cmd_shell(server: Server, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "list.ps1"
    source.write_bytes(PAYLOAD.encode())
    winrmcp(server, source, "C:\\Temp\\list.ps1")
    hv = server.client()
    temp = f"C:\\Users\\{USER}\\AppData\\Local\\Temp"
    staged = [f for f in hv.backend.list_dir(None, temp) if f.name.startswith("winrmcp-")]
    assert staged, "winrmcp's chunks did not reach the host"
    chunks = hv.backend.read_file(None, f"{temp}\\{staged[-1].name}").decode().split()
    assert b"".join(base64.b64decode(c) for c in chunks) == PAYLOAD.encode()


@pytest.mark.xfail(strict=True, reason="psshim lacks [System.IO.File]::OpenText/OpenWrite (StreamReader, "
                                       "FileStream), which winrmcp's restore script uses")
def test_the_go_client_uploads_a_script_that_then_runs(server: Server, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "list.ps1"
    source.write_bytes(PAYLOAD.encode())
    r = winrmcp(server, source, "C:\\Temp\\from-go.ps1")
    assert r.returncode == 0, r.stderr
    hv = server.client()
    assert hv.backend.read_file(None, "C:\\Temp\\from-go.ps1") == PAYLOAD.encode()


def test_the_go_client_with_a_wrong_password_is_refused(server: Server, tmp_path: pathlib.Path) -> None:
    source = tmp_path / "x.ps1"
    source.write_text("'x'")
    r = winrmcp(server, source, "C:\\Temp\\x.ps1", password="wrong")
    assert r.returncode == 1
    assert "401" in r.stdout + r.stderr
