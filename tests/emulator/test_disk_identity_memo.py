"""A differencing disk made in the same store batch as its parent takes the parent's identity
(sizes, Virtual Disk ID, DataWriteGuid) from what the parent's writer remembered, instead of
opening and parsing the parent again (`FileStore.remember`, `HostDisks.create_child`). The
files are the same: they chain (the parent linkage is checked on open), independent readers
read them, and a parent written to after it was made is opened again (its DataWriteGuid moved)."""

from __future__ import annotations

import pathlib

import pytest

import hvemu_disk_checks as D
import hvemu_testlib as T
from hyperv_emu.emulator import init_from_world
from hyperv_emu.emulator.storage import FileStore, open_store
from hyperv_emu.emulator.vdisk import HostDisks

HOST = "HV"
MiB = 1 << 20
requires_qemu = pytest.mark.skipif(D.QEMU_IMG is None, reason="qemu-img not installed (Debian qemu-utils)")


@pytest.fixture()
def opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The disks opened (parsed) by `HostDisks.open_file`."""
    seen: list[str] = []
    real = HostDisks.open_file

    def counting(self: HostDisks, path: str, writable: bool = False):  # type: ignore[no-untyped-def]
        seen.append(path)
        return real(self, path, writable)

    monkeypatch.setattr(HostDisks, "open_file", counting)
    return seen


def _store(tmp_path: pathlib.Path, kind: str) -> FileStore:
    return open_store(str(tmp_path / "state")) if kind == "folder" else open_store(T.memory_url())


def _read(store: FileStore, top: str, n: int) -> bytes:
    return HostDisks(store, HOST).read(top, 0, n)


@pytest.mark.parametrize("kind", ["folder", "memory"])
def test_children_made_in_a_batch_open_no_parent_and_chain(tmp_path: pathlib.Path, kind: str,
                                                          opens: list[str]) -> None:
    store = _store(tmp_path, kind)
    disks = HostDisks(store, HOST)
    names = ["D:\\VMs\\base.vhdx"] + [f"D:\\VMs\\base_{i}.avhdx" for i in range(4)]
    with store.batch(), store.unsynced():
        disks.create_base(names[0], 64 * MiB)
        for parent, child in zip(names, names[1:]):
            disks.create_child(child, parent, 0)
        disks.create_child("D:\\VMs\\other.avhdx", names[2], 0)  # a second branch from the middle
    assert opens == []
    for top in (names[-1], "D:\\VMs\\other.avhdx"):
        chain = disks.open_chain(top, writable=False)  # checks each parent linkage
        try:
            assert chain.virtual_size == 64 * MiB
        finally:
            chain.close()
    disks.write(names[-1], 3 * MiB, b"guest")
    assert _read(store, names[-1], 4 * MiB)[3 * MiB:3 * MiB + 5] == b"guest"
    if kind == "folder":
        files = [store.display_path(disks.rel(n)) for n in names]
        assert D.pyvhdi_read(list(reversed(files)), 4 * MiB)[3 * MiB:3 * MiB + 5] == b"guest"
        assert D.dissect_read(files[-1], 4 * MiB)[3 * MiB:3 * MiB + 5] == b"guest"


@pytest.mark.parametrize("kind", ["folder", "memory"])
def test_a_parent_written_after_it_was_made_is_opened_again(tmp_path: pathlib.Path, kind: str,
                                                           opens: list[str]) -> None:
    store = _store(tmp_path, kind)
    disks = HostDisks(store, HOST)
    with store.batch(), store.unsynced():
        disks.create_base("D:\\VMs\\base.vhdx", 64 * MiB)
        disks.write("D:\\VMs\\base.vhdx", MiB, b"before")  # a new DataWriteGuid
        opens.clear()
        disks.create_child("D:\\VMs\\child.avhdx", "D:\\VMs\\base.vhdx", 0)
        assert opens == ["D:\\VMs\\base.vhdx"]
    assert _read(store, "D:\\VMs\\child.avhdx", 2 * MiB)[MiB:MiB + 6] == b"before"


@requires_qemu
def test_a_worlds_disks_are_made_without_parsing_any_and_check_clean(tmp_path: pathlib.Path,
                                                                     opens: list[str]) -> None:
    cps = "".join(f'\n[[vm.checkpoint]]\nname = "cp{j}"\ncreated = 2026-02-{1 + j:02d}T08:00:00\n' for j in range(3))
    emu = init_from_world(str(tmp_path / "state"), T.base_world() + T.vm_table("VM1", disks=2, extra=cps))
    assert opens == []
    files = D.disk_files(tmp_path / "state")
    assert len([f for f in files if f.suffix == ".avhdx"]) == 2 * 3
    for f in files:
        if f.suffix == ".vhdx":
            D.qemu_check(f)
    host = emu.read_state().hosts[0]
    disks = HostDisks(emu.store, host.name)
    for drive in host.vms[0].disks:
        chain = disks.open_chain(drive.path, writable=False)  # each parent linkage checked
        try:
            assert len(chain.files) == 4
        finally:
            chain.close()
