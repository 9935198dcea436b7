"""The engine's check of a disk chain before journaling an operation that reads it
(emulator.chaincheck): files found sound are not re-read while their signature holds, and a
change to any file of the chain is still found, with the error a full open of the chain gives."""

from __future__ import annotations

import os
import pathlib

import pytest

from hyperv_emu.emulator import chaincheck
from hyperv_emu.emulator.chaincheck import ChainChecks
from hyperv_emu.emulator.errors import DiskError
from hyperv_emu.emulator.storage import FileStore, open_store
from hyperv_emu.emulator.vdisk import HostDisks

HOST = "HV"
BASE = "D:\\VMs\\base.vhdx"


def chain(store: FileStore, depth: int) -> list[str]:
    """A base disk and `depth` differencing disks, each the child of the one before."""
    disks = HostDisks(store, HOST)
    disks.create_base(BASE, 64 << 20)
    names = [BASE]
    for i in range(depth):
        names.append(f"D:\\VMs\\child{i}.avhdx")
        disks.create_child(names[-1], names[-2], 64 << 20)
    return names


@pytest.fixture()
def opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the checks open."""
    seen: list[str] = []
    real = HostDisks.open_file

    def counting(self: HostDisks, path: str, writable: bool = False):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real(self, path, writable)

    monkeypatch.setattr(HostDisks, "open_file", counting)
    return seen


def test_settled_files_are_not_read_again(tmp_path: pathlib.Path, opens: list[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chaincheck, "SETTLE_NS", 0)
    store = open_store(str(tmp_path))
    names = chain(store, 5)
    opens.clear()
    checks = ChainChecks()
    checks.check(store, HOST, names[-1])
    assert sorted(opens) == sorted(names)
    opens.clear()
    checks.check(store, HOST, names[-1])
    checks.check(store, HOST, names[3])  # a chain inside the one checked
    assert opens == []


def test_files_changed_within_the_settling_time_are_read_each_time(tmp_path: pathlib.Path,
                                                                    opens: list[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chaincheck, "SETTLE_NS", 3600 * 10**9)  # every file "just written"
    store = open_store(str(tmp_path))
    names = chain(store, 3)
    checks = ChainChecks()
    checks.check(store, HOST, names[-1])
    opens.clear()
    checks.check(store, HOST, names[-1])
    assert sorted(opens) == sorted(names)


def full_open_error(store: FileStore, name: str) -> str:
    with pytest.raises(DiskError) as info:
        HostDisks(store, HOST).open_chain(name, writable=False).close()
    return info.value.message


def test_a_grandparent_corrupted_after_a_check_is_found(tmp_path: pathlib.Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chaincheck, "SETTLE_NS", 0)
    store = open_store(str(tmp_path))
    names = chain(store, 4)
    checks = ChainChecks()
    checks.check(store, HOST, names[-1])
    path = tmp_path / "hosts" / "hv" / "D" / "VMs" / "child1.avhdx"
    with open(path, "r+b") as f:  # both headers and the file identifier: no longer a VHDX
        f.write(b"\0" * (1 << 20))
    os.utime(path, ns=(1, 1))  # even with an old modification time, the change time moved
    with pytest.raises(DiskError) as info:
        checks.check(store, HOST, names[-1])
    assert info.value.message == full_open_error(store, names[-1])
    assert "child1.avhdx" in info.value.message


def test_a_missing_base_and_a_replaced_parent_are_found(tmp_path: pathlib.Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chaincheck, "SETTLE_NS", 0)
    store = open_store(str(tmp_path))
    names = chain(store, 3)
    checks = ChainChecks()
    checks.check(store, HOST, names[-1])
    # a parent replaced by another disk of the same name: the linkage no longer matches
    store.delete("hosts/hv/D/VMs/child0.avhdx")
    HostDisks(store, HOST).create_child(names[1], names[0], 64 << 20)
    with pytest.raises(DiskError) as info:
        checks.check(store, HOST, names[-1])
    assert info.value.message == full_open_error(store, names[-1])
    checks.check(store, HOST, names[1])  # the new child0 and the base are sound
    store.delete("hosts/hv/D/VMs/base.vhdx")
    with pytest.raises(DiskError) as info:
        checks.check(store, HOST, names[1])
    assert info.value.message == full_open_error(store, names[1])
    assert "base.vhdx" in info.value.message


def test_memory_states_are_always_read(opens: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chaincheck, "SETTLE_NS", 0)
    store = open_store("memory://chaincheck-test")
    try:
        names = chain(store, 2)
        opens.clear()
        checks = ChainChecks()
        checks.check(store, HOST, names[-1])
        opens.clear()
        checks.check(store, HOST, names[-1])
        assert sorted(opens) == sorted(names)
    finally:
        store.remove_all()
