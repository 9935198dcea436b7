"""A real `hvemu serve` on loopback, in a process of its own, over a state on disk that the
tests read back through the SDK."""

from __future__ import annotations

import os
import pathlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("winrm")
pytest.importorskip("pypsrp")

ROOT = pathlib.Path(__file__).resolve().parents[2]
WORLD = ROOT / "examples" / "worlds" / "fleet.toml"
USER = "tester"
PASSWORD = "S3cret!pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    e["HVEMU_TEST_PASSWORD"] = PASSWORD
    return e


class Server:
    def __init__(self, state: str, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.state = state
        self.port = port
        self.proc = proc
        self.endpoint = f"http://127.0.0.1:{port}/wsman"

    def client(self):  # type: ignore[no-untyped-def]
        from hyperv_emu import sdk

        return sdk.connect(self.state)


def start_server(state: str, *options: str, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`hvemu serve --port FREE OPTIONS` in a process of its own, until the generator ends."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hyperv_emu.cli", "serve", "--port", str(port), *options],
                            env={**env(), **(extra_env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate()
                raise RuntimeError(f"hvemu serve did not start: {out.decode()} {err.decode()}")
            time.sleep(0.1)
    try:
        yield Server(state, port, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    state = str(tmp_path_factory.mktemp("serve") / "state")
    subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", state],
                   check=True, env=env(), capture_output=True)
    yield from start_server(state, "--state", state, "--user", USER, "--password-env", "HVEMU_TEST_PASSWORD")
