"""sdk.backends.read_only: reads go through, every change is refused with Hyper-V's
authorization error (or .NET's path error for host files), and the state is left as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hyperv_emu import sdk
from hyperv_emu.sdk.backends.read_only import read_only
from hyperv_emu.sdk.errors import AccessDeniedError, PermissionDeniedError
from tests.hvemu_testlib import drop_memory_root, memory_url

WORLD = """
now = 2026-02-20T02:00:00
[[host]]
name = "HV-RO01.corp.example"
default = true

[[vm]]
name = "VM1"
state = "Running"
[[vm.checkpoint]]
name = "base"
created = 2026-02-19T02:00:00
"""
DENIED = ("You do not have the required permission to complete this task. Contact the administrator of the "
          "authorization policy for the computer 'HV-RO01'.")


@pytest.fixture()
def clients() -> Iterator[tuple[sdk.HyperVClient, sdk.HyperVClient]]:
    url = memory_url()
    full = sdk.load_world(url, WORLD)
    try:
        yield full, sdk.HyperVClient(read_only(full.backend))
    finally:
        drop_memory_root(url)


def test_reads_go_through(clients: tuple[sdk.HyperVClient, sdk.HyperVClient]) -> None:
    full, ro = clients
    assert [vm.name for vm in ro.get_vms()] == ["VM1"]
    assert [c.name for c in ro.get_checkpoints([ro.vm("VM1")])] == ["base"]
    assert ro.host_name == full.host_name
    assert ro.settings() == full.settings()


@pytest.mark.parametrize("change", [
    lambda hv: hv.checkpoint_vm(hv.vm("VM1"), "new"),
    lambda hv: hv.stop_vm(hv.vm("VM1")),
    lambda hv: hv.remove_vm(hv.vm("VM1")),
    lambda hv: hv.restore_checkpoint(hv.get_checkpoints([hv.vm("VM1")])[0]),
    lambda hv: hv.remove_checkpoint(hv.get_checkpoints([hv.vm("VM1")])[0]),
])
def test_changes_are_refused_and_nothing_changes(clients: tuple[sdk.HyperVClient, sdk.HyperVClient],
                                                 change: object) -> None:
    full, ro = clients
    before = (full.vm("VM1").state, [c.name for c in full.get_checkpoints([full.vm("VM1")])])
    with pytest.raises(PermissionDeniedError) as info:
        change(ro)  # type: ignore[operator]
    assert info.value.message == DENIED
    assert (info.value.error_id, info.value.category) == ("AccessDenied", "PermissionDenied")
    assert (full.vm("VM1").state, [c.name for c in full.get_checkpoints([full.vm("VM1")])]) == before


def test_host_file_writes_are_refused(clients: tuple[sdk.HyperVClient, sdk.HyperVClient]) -> None:
    _, ro = clients
    with pytest.raises(AccessDeniedError) as info:
        ro.backend.write_file(None, "C:\\Temp\\x.txt", b"x")
    assert info.value.message == "Access to the path 'C:\\Temp\\x.txt' is denied."
    assert ro.backend.file_info(None, "C:\\Temp\\x.txt") is None
