"""`hvemu serve --https`: TLS with a generated self-signed certificate or a given one, driven
by pywinrm and pypsrp over https (where neither client seals the messages: TLS protects them)."""

from __future__ import annotations

import pathlib
import ssl
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
import winrm
from pypsrp.client import Client

from tests.server.conftest import PASSWORD, USER, Server, env, free_port, start_server


def https_endpoint(server: Server) -> str:
    return f"https://127.0.0.1:{server.port}/wsman"


@pytest.fixture(scope="module")
def tls_server(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("tls-tmp")
    yield from start_server(server.state, "--state", server.state, "--https", "--user", USER, "--password-env",
                            "HVEMU_TEST_PASSWORD", extra_env={"TMPDIR": str(tmp)})


def test_pywinrm_ntlm_over_https_without_message_encryption(tls_server: Server) -> None:
    s = winrm.Session(https_endpoint(tls_server), auth=(USER, PASSWORD), transport="ntlm",
                      server_cert_validation="ignore")
    r = s.run_ps("Checkpoint-VM -Name SRV-APP01 -SnapshotName over-tls; "
                 "Get-VMSnapshot -VMName SRV-APP01 | ForEach-Object { $_.Name }")
    assert r.status_code == 0, r.std_err
    assert "over-tls" in r.std_out.decode().splitlines()
    hv = tls_server.client()
    assert "over-tls" in [c.name for c in hv.get_checkpoints([hv.vm("SRV-APP01")])]
    # pywinrm's message_encryption='auto' seals only over http
    assert s.protocol.transport.encryption is None


def test_pywinrm_basic_over_https_and_wrong_password(tls_server: Server) -> None:
    s = winrm.Session(https_endpoint(tls_server), auth=(USER, PASSWORD), transport="basic",
                      server_cert_validation="ignore")
    assert s.run_cmd("echo", ["hello"]).std_out == b"hello\r\n"
    bad = winrm.Session(https_endpoint(tls_server), auth=(USER, "wrong"), transport="ntlm",
                        server_cert_validation="ignore")
    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        bad.run_ps("Get-VM")


def test_pypsrp_ssl_over_https(tls_server: Server) -> None:
    client = Client("127.0.0.1", port=tls_server.port, username=USER, password=PASSWORD, ssl=True,
                    cert_validation=False, auth="ntlm")
    output, streams, had_errors = client.execute_ps("Get-VM | Select-Object -ExpandProperty Name")
    assert output.splitlines() == ["SRV-APP01", "SRV-APP02", "SRV-SQL01", "SRV-WEB01"]
    assert not had_errors and streams.error == []
    assert client.wsman.transport.encryption is None  # pypsrp seals only over http


def test_the_generated_certificate_is_self_signed_for_localhost(tls_server: Server) -> None:
    pem = ssl.get_server_certificate(("127.0.0.1", tls_server.port))
    context = ssl.create_default_context(cadata=pem)
    with pytest.raises(requests.exceptions.SSLError):  # not trusted by the system's authorities
        requests.post(https_endpoint(tls_server), data=b"", timeout=10)
    import socket

    with socket.create_connection(("127.0.0.1", tls_server.port)) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:  # valid for localhost
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    # plain HTTP on the TLS port is not served
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"http://127.0.0.1:{tls_server.port}/wsman", data=b"", timeout=10)


def test_given_certificate_and_key_are_used(server: Server, tmp_path: pathlib.Path) -> None:
    from hyperv_emu.server.tls import self_signed

    made = self_signed("127.0.0.1")
    try:
        running = start_server(server.state, "--state", server.state, "--https", "--cert", made.cert, "--key",
                               made.key)
        started = next(running)
        try:
            assert ssl.get_server_certificate(("127.0.0.1", started.port)).strip() == \
                pathlib.Path(made.cert).read_text().strip()
            s = winrm.Session(https_endpoint(started), auth=("any", "thing"), transport="basic",
                              server_cert_validation="validate", ca_trust_path=made.cert)
            assert s.run_ps("(Get-VM SRV-WEB01).Name").std_out.decode().strip() == "SRV-WEB01"
        finally:
            next(running, None)
        assert pathlib.Path(made.cert).exists()  # the user's files are left alone
    finally:
        made.remove()


def test_generated_certificate_folder_is_private_and_removed(server: Server, tmp_path: pathlib.Path) -> None:
    running = start_server(server.state, "--state", server.state, "--https", extra_env={"TMPDIR": str(tmp_path)})
    next(running)
    (folder,) = tmp_path.iterdir()
    assert folder.name.startswith("hvemu-tls-") and folder.stat().st_mode & 0o077 == 0
    assert (folder / "key.pem").stat().st_mode & 0o077 == 0
    next(running, None)
    assert list(tmp_path.iterdir()) == []


def run_serve(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "serve", *argv], env=env(),
                          capture_output=True, text=True, timeout=60)


def test_bad_tls_options_are_one_error_line(server: Server, tmp_path: pathlib.Path) -> None:
    port = str(free_port())
    r = run_serve("--state", server.state, "--port", port, "--cert", "x.pem")
    assert (r.returncode, r.stderr.strip()) == (1, "hvemu: error: --cert and --key need --https.")
    r = run_serve("--state", server.state, "--port", port, "--https", "--cert", "x.pem")
    assert (r.returncode, r.stderr.strip()) == (
        1, "hvemu: error: --cert and --key go together (or give neither for a self-signed certificate).")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    r = run_serve("--state", server.state, "--port", port, "--https", "--cert", str(junk), "--key", str(junk))
    assert r.returncode == 1
    assert r.stderr.startswith(f"hvemu: error: cannot use the certificate '{junk}' with the key '{junk}': ")
    assert len(r.stderr.strip().splitlines()) == 1
    r = run_serve("--state", server.state, "--port", port, "--https", "--cert", str(tmp_path / "no.pem"),
                  "--key", str(junk))
    assert (r.returncode, r.stderr.strip()) == (
        1, f"hvemu: error: --cert: the file '{tmp_path / 'no.pem'}' does not exist.")
