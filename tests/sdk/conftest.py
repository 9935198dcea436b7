"""The backends the SDK behaviour suite runs on.

Every backend is one entry of BACKENDS: a factory that, given a world file's text (or None for a
real host, where worlds cannot be loaded) and a scratch folder, returns a connected client.
Adding a backend (the PowerShell backend over psshim, issue 5) is one more entry.

- memory: the emulator in process, a unique memory:// root per test;
- local: the emulator with its state in a local folder (/dev/shm when present, else tmp_path;
  HVEMU_TEST_DISK_STATE=1 forces tmp_path);
- powershell: the PowerShell backend (sdk.backends.powershell) over the in-process transport
  (psshim.transport): every call is the script a real host would run, run by psshim on a
  memory:// emulator; sleep and set_faults go to that emulator directly (InProcessBackend);
- winrm: a real Hyper-V host, opt-in with HVEMU_TEST_WINRM=winrm://user@host (skipped otherwise);
  tests that need the emulator's world files, virtual clock, faults or host files are skipped
  there (they use the `emulated` fixture).
"""

from __future__ import annotations

import os
import uuid

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk

REAL_URL = os.environ.get("HVEMU_TEST_WINRM", "")


def _memory(world: str | None, tmp_path, request) -> sdk.HyperVClient:
    url = T.memory_url()
    request.addfinalizer(lambda: T.drop_memory_root(url))
    return sdk.load_world(url, world if world is not None else T.base_world())


def _local(world: str | None, tmp_path, request) -> sdk.HyperVClient:
    url = str(T.local_state_dir(request, tmp_path))
    return sdk.load_world(url, world if world is not None else T.base_world())


def _powershell(world: str | None, tmp_path, request) -> sdk.HyperVClient:
    from hyperv_emu.psshim.transport import in_process_client

    return in_process_client(_memory(world, tmp_path, request))


def _winrm(world: str | None, tmp_path, request) -> sdk.HyperVClient:
    if world is not None:
        pytest.skip("a real host cannot load a world file")
    return sdk.connect(REAL_URL)


BACKENDS = {
    "memory": (_memory, True),
    "local": (_local, True),
    "powershell": (_powershell, True),
    "winrm": (_winrm, False),
}

BACKEND_PARAMS = [
    pytest.param("memory"),
    pytest.param("local"),
    pytest.param("powershell"),
    pytest.param("winrm", marks=[pytest.mark.real, pytest.mark.skipif(not REAL_URL, reason="set HVEMU_TEST_WINRM to run against a real host")]),
]


@pytest.fixture(params=BACKEND_PARAMS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def is_emulated(backend) -> bool:
    return BACKENDS[backend][1]


@pytest.fixture
def emulated(is_emulated) -> None:
    """Use in tests that rely on the emulator (worlds, virtual clock, faults, host files)."""
    if not is_emulated:
        pytest.skip("emulator-only behaviour")


@pytest.fixture
def warned() -> list[str]:
    """The warnings the client's cmdlets wrote, in order."""
    return []


@pytest.fixture
def make_client(backend, tmp_path, request, warned):
    """make_client(world_text=None) -> a client on the backend under test, its warnings going to
    `warned`."""

    def make(world: str | None = None) -> sdk.HyperVClient:
        factory, _ = BACKENDS[backend]
        return factory(world, tmp_path, request).with_warnings(warned.append)

    return make


@pytest.fixture
def client(make_client) -> sdk.HyperVClient:
    """A client on an empty host (emulator: virtual clock at 2026-02-20 08:00, en-US)."""
    return make_client()


@pytest.fixture
def fleet(client, is_emulated):
    prefix = "" if is_emulated else f"hvemu-test-{uuid.uuid4().hex[:6]}-"
    f = T.Fleet(client, prefix=prefix, real=not is_emulated,
                disk_root=os.environ.get("HVEMU_TEST_DISK_ROOT", "D:\\VMs"))
    yield f
    f.cleanup()
