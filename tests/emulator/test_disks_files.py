"""The emulator's disks are real VHDX / AVHDX files (issue 3), seen through the SDK and read by
independent tools: qemu-img (base disks), pyvhdi and dissect.hypervisor (chains), and the
structural checker of tests/vhdx. Merges copy real blocks (virtual and real clock, in this and in
later processes), guest data goes to the newest file only, .vmrs files hold the memory of
standard checkpoints, Get-VHD reads the headers, and a corrupt file is a DiskError.

Libvhdi's bug with absent sector bitmaps is worked around in the reader (LibvhdiView, see
tests/vhdx/readers.py), never in the files; dissect reads whole disks from offset 0.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import random
import subprocess
import sys
import time

import hvemu_disk_checks as D
import hvemu_testlib as T
import pytest
from vhdx.checker import assert_valid

from hyperv_emu import sdk
from hyperv_emu.emulator import background
from hyperv_emu.emulator.storage import open_store
from hyperv_emu.sdk.errors import BackendError, DiskError, InvalidStateError

MiB = D.MiB
requires_qemu = pytest.mark.skipif(D.QEMU_IMG is None, reason="qemu-img not installed (Debian qemu-utils)")
VHD_DIR = "D:\\VMs"
SIZE = 64 * MiB
SIZE2 = 40 * MiB + 1536  # not a multiple of any block size: a partial last block


def world(*, clock: str = "virtual", merge_rate: str = "100MB", state: str = "Running",
          checkpoint_type: str = "Standard", extra: str = "") -> str:
    head = "now = 2026-02-20T08:00:00\n" if clock == "virtual" else 'clock = "real"\n'
    return (f'{head}[timing]\nmerge_rate = "{merge_rate}"\n[[vm]]\nname = "A"\nstate = "{state}"\n'
            f'checkpoint_type = "{checkpoint_type}"\nmemory = "32MB"\n'
            f"disks = [{{ path = '{VHD_DIR}\\A.vhdx', size = \"{SIZE}\" }}, "
            f"{{ path = '{VHD_DIR}\\A-data.vhdx', size = \"{SIZE2}\" }}]\n{extra}")


@pytest.fixture
def local(request: pytest.FixtureRequest, tmp_path: pathlib.Path):
    def make(text: str) -> sdk.HyperVClient:
        return sdk.load_world(str(T.local_state_dir(request, tmp_path)), text)
    return make


def sha(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(client: sdk.HyperVClient, oracle: list[D.Disk], disk: int, offset: int, data: bytes) -> None:
    client.write_guest_disk("A", disk, offset, data)
    oracle[disk].write(offset, data)


def check_vm(client: sdk.HyperVClient, oracle: list[D.Disk]) -> None:
    vm = client.vm("A")
    for i, drive in enumerate(vm.hard_drives):
        assert client.read_guest_disk(vm, i, 0, oracle[i].size) == oracle[i].read(), f"disk {i}"
        D.check_chain(client, drive.path, oracle[i].read())


# --- the files ------------------------------------------------------------------------------------


@requires_qemu
def test_world_disks_are_real_vhdx_files(local) -> None:
    client = local(T.base_world(extra=T.vm_table("SRV", state="Running") + """
[[vm.checkpoint]]
name = "one"
created = 2026-02-19T08:00:00
written = "2GB"
avhdx_guids = ["1F0E9D8C-7B6A-4543-9210-FEDCBA987654"]
[[vm.checkpoint]]
name = "two"
created = 2026-02-19T09:00:00
"""))
    base = D.storage_path(client, f"{T.DISK_DIR}\\SRV.vhdx")
    named = D.storage_path(client, f"{T.DISK_DIR}\\SRV_1F0E9D8C-7B6A-4543-9210-FEDCBA987654.avhdx")
    current = client.vm("SRV").hard_drives[0].path
    assert os.path.getsize(base) == 4 * MiB and D.allocated(base) < MiB  # a fresh 60 GB disk
    assert os.path.getsize(named) == 2 * 1024 * MiB and D.allocated(named) < 2 * MiB  # `written`, sparse
    assert os.path.getsize(D.storage_path(client, current)) == 4 * MiB
    D.qemu_check(base)
    info = json.loads(D.qemu("info", "--output=json", base).stdout)
    assert (info["format"], info["virtual-size"], info["cluster-size"]) == ("vhdx", 60 * T.GB, 32 * MiB)
    # qemu parses an AVHDX's header, regions and metadata, then refuses differencing disks
    assert "Operation not supported" in D.qemu("info", named).stderr

    parent = assert_valid(base)
    child = assert_valid(named)
    assert child.block_size == 2 * MiB and child.has_parent and child.disk_id == parent.disk_id
    assert child.locator["relative_path"] == ".\\SRV.vhdx"
    assert child.locator["absolute_win32_path"] == f"\\\\?\\{T.DISK_DIR}\\SRV.vhdx"
    assert child.locator["parent_linkage"] == "{" + str(parent.data_write_guid) + "}"
    top = assert_valid(D.storage_path(client, current))
    assert top.locator["parent_linkage"] == "{" + str(child.data_write_guid) + "}"

    vhd = client.get_vhd(current)
    assert (vhd.vhd_type.name, vhd.size, vhd.file_size, vhd.block_size) == ("Differencing", 60 * T.GB, 4 * MiB, 2 * MiB)
    assert vhd.parent_path == f"{T.DISK_DIR}\\SRV_1F0E9D8C-7B6A-4543-9210-FEDCBA987654.avhdx"
    assert D.chain_paths(client, current)[1:] == [vhd.parent_path, f"{T.DISK_DIR}\\SRV.vhdx"]
    base_vhd = client.get_vhd(f"{T.DISK_DIR}\\SRV.vhdx")
    assert (base_vhd.vhd_type.name, base_vhd.parent_path, base_vhd.block_size) == ("Dynamic", None, 32 * MiB)
    # the `written` blocks are present but zero: the VM reads zeros there, and beyond them the base
    assert client.read_guest_disk("SRV", 0, 2 * 1024 * MiB - 4096, 8192) == bytes(8192)


def test_memory_states_keep_gigabytes_of_written_data_for_free(memory_url: str) -> None:
    import tracemalloc

    tracemalloc.start()
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("SRV", state="Running") + """
[[vm.checkpoint]]
name = "one"
created = 2026-02-19T08:00:00
written = "2GB"
[[vm.checkpoint]]
name = "two"
created = 2026-02-19T09:00:00
written = "2GB"
"""))
    client.remove_checkpoints("SRV")
    client.sleep(3600)  # both merges: 4 GB of zero blocks folded in, holes kept as holes
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 80 * MiB, peak
    assert client.vm("SRV").hard_drives[0].path == f"{T.DISK_DIR}\\SRV.vhdx"
    store = open_store(memory_url)
    rel = "hosts/" + T.HOST.casefold() + "/D/" + "/".join(T.DISK_DIR.split("\\")[1:]) + "/SRV.vhdx"
    assert store._sparse(store._p(rel)).stored_bytes() <= 4 * MiB  # type: ignore[attr-defined]


@requires_qemu
def test_guest_data_goes_to_the_newest_file_and_parents_never_change(local, tmp_path: pathlib.Path) -> None:
    client = local(world())
    rng = random.Random(7)
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    write(client, oracle, 0, 0, rng.randbytes(3 * MiB + 17))
    write(client, oracle, 1, SIZE2 - 5000, rng.randbytes(5000))  # up to the odd end
    base = client.vm("A").hard_drives[0].path
    assert base.endswith("A.vhdx")
    cp1 = client.checkpoint_vm("A", "one")
    frozen = {p: sha(D.storage_path(client, p)) for p in (base,)}
    write(client, oracle, 0, 33 * MiB - 700, rng.randbytes(1400))  # across a 32 MiB base block edge
    write(client, oracle, 0, 5 * MiB + 512, bytes(4096))  # zeros over data
    cp2 = client.checkpoint_vm("A", "two")
    mid = cp2.hard_drives[0].path
    frozen[mid] = sha(D.storage_path(client, mid))
    write(client, oracle, 0, 2 * MiB + 3, rng.randbytes(10))
    check_vm(client, oracle)
    for path, digest in frozen.items():
        assert sha(D.storage_path(client, path)) == digest, f"{path} was written"
    D.check_base(client, base, None, tmp_path)
    assert cp1.hard_drives[0].path == base


@requires_qemu
def test_restore_and_remove_keep_every_chain_readable(local, tmp_path: pathlib.Path) -> None:
    client = local(world())
    rng = random.Random(11)
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    saved: dict[str, list[D.Disk]] = {}
    for name in ("one", "two", "three"):
        write(client, oracle, 0, rng.randrange(SIZE - MiB), rng.randbytes(rng.randrange(1, MiB)))
        write(client, oracle, 1, rng.randrange(SIZE2 - MiB), rng.randbytes(rng.randrange(1, MiB)))
        saved[client.checkpoint_vm("A", name).id] = [d.copy() for d in oracle]
    cps = {c.name: c for c in client.get_checkpoints("A")}
    client.restore_checkpoint(cps["two"])  # a branch: "three" stays, the VM hangs from "two"
    oracle = [d.copy() for d in saved[cps["two"].id]]
    write(client, oracle, 0, 7, b"branch")
    check_vm(client, oracle)
    client.remove_checkpoint(cps["two"])  # two dependants ("three" and the VM): nothing merges yet
    assert client.vm("A").status == "Operating normally"
    client.remove_checkpoint(cps["one"])  # a single dependant: merged into A.vhdx
    assert client.vm("A").status == "Merging disks"
    client.sleep(60)
    assert client.vm("A").status == "Operating normally"
    check_vm(client, oracle)
    three = client.get_checkpoint(cps["three"].id)
    for i, drive in enumerate(three.hard_drives):
        D.check_chain(client, drive.path, saved[three.id][i].read())
    for i, drive in enumerate(client.vm("A").hard_drives):
        D.check_base(client, D.chain_paths(client, drive.path)[-1], None, tmp_path)
    client.remove_checkpoints("A")
    client.sleep(60)
    vm = client.vm("A")
    assert [d.path for d in vm.hard_drives] == [f"{VHD_DIR}\\A.vhdx", f"{VHD_DIR}\\A-data.vhdx"]
    for i, drive in enumerate(vm.hard_drives):
        D.check_base(client, drive.path, oracle[i].read(), tmp_path)
    folder = pathlib.Path(D.storage_path(client, f"{VHD_DIR}\\A.vhdx")).parent
    assert [p.name for p in D.disk_files(folder)] == ["A-data.vhdx", "A.vhdx"]


# --- merges -----------------------------------------------------------------------------------------


def _checkpoint_with_data(client: sdk.HyperVClient, oracle: list[D.Disk], megabytes: int, seed: int) -> sdk.Checkpoint:
    rng = random.Random(seed)
    write(client, oracle, 0, MiB, rng.randbytes(MiB))
    cp = client.checkpoint_vm("A", "cp")
    write(client, oracle, 0, 4 * MiB + 512, rng.randbytes(megabytes * MiB))
    return cp


@requires_qemu
def test_a_virtual_clock_merge_happens_at_its_modelled_end(local, tmp_path: pathlib.Path) -> None:
    client = local(world(merge_rate="1MB"))
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    cp = _checkpoint_with_data(client, oracle, 6, 1)
    children = [D.storage_path(client, d.path) for d in client.vm("A").hard_drives]
    length = sum(os.path.getsize(c) for c in children)  # merges of a VM run one after another
    assert length > 8 * MiB
    client.remove_checkpoint(cp)
    start = client.now()
    assert client.vm("A").status == "Merging disks"
    client.sleep(length / MiB - 1)
    assert client.vm("A").status == "Merging disks"
    assert sum(map(os.path.exists, children)) == 1  # the last merge has not touched its files yet
    client.sleep(1)
    vm = client.vm("A")
    assert vm.status == "Operating normally" and (client.now() - start).total_seconds() >= length / MiB
    assert not any(map(os.path.exists, children))
    D.check_base(client, vm.hard_drives[0].path, oracle[0].read(), tmp_path)
    check_vm(client, oracle)


@requires_qemu
def test_a_later_process_carries_out_a_virtual_merge(local, tmp_path: pathlib.Path) -> None:
    client = local(world())
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    client.remove_checkpoint(_checkpoint_with_data(client, oracle, 8, 2))
    url = client.backend.url  # type: ignore[attr-defined]
    env = T.subprocess_env()
    done = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "clock", "--advance", "3600", "--state", url],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    vm = client.vm("A")
    assert vm.status == "Operating normally" and vm.hard_drives[0].path.endswith("A.vhdx")
    D.check_base(client, vm.hard_drives[0].path, oracle[0].read(), tmp_path)


def _wait_merged(client: sdk.HyperVClient, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while client.vm("A").status == "Merging disks":
        assert time.monotonic() < deadline, "the merge did not end"
        time.sleep(0.05)


@requires_qemu
def test_a_real_clock_merge_is_a_background_job(local, tmp_path: pathlib.Path) -> None:
    client = local(world(clock="real"))
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    cp = _checkpoint_with_data(client, oracle, 40, 3)
    client.remove_checkpoint(cp)
    vm = client.vm("A")
    assert vm.status == "Merging disks" and 32772 in [int(s) for s in vm.operational_status]
    write(client, oracle, 0, 4 * MiB, b"written while merging")  # waits for the job, then lands
    _wait_merged(client)
    vm = client.vm("A")
    assert vm.hard_drives[0].path.endswith("A.vhdx")
    D.check_base(client, vm.hard_drives[0].path, oracle[0].read(), tmp_path)
    check_vm(client, oracle)


def test_a_real_clock_merge_is_carried_out_by_this_process_worker(local) -> None:
    # What the guest reads stays the same while the worker merges, and after (no qemu-img needed).
    client = local(world(clock="real"))
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    client.remove_checkpoint(_checkpoint_with_data(client, oracle, 24, 5))
    assert client.vm("A").status == "Merging disks"
    url = client.backend.url  # type: ignore[attr-defined]
    assert background.wait_idle(url, 60)
    vm = client.vm("A")
    assert vm.status == "Operating normally" and vm.hard_drives[0].path.endswith("A.vhdx")
    for i in range(2):
        assert client.read_guest_disk(vm, i, 0, oracle[i].size) == oracle[i].read(), f"disk {i}"


@requires_qemu
def test_a_real_clock_merge_cut_off_by_exit_is_resumed_by_the_next_process(local, tmp_path: pathlib.Path) -> None:
    client = local(world(clock="real"))
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    _checkpoint_with_data(client, oracle, 48, 4)
    url = client.backend.url  # type: ignore[attr-defined]
    env = T.subprocess_env()
    # The process removes the checkpoint and exits once the job has started; at exit its worker
    # finishes the slice it is in and stops, leaving the job's journal behind.
    script = (
        "import pathlib, sys, time\n"
        "from hyperv_emu import sdk\n"
        f"url = {url!r}\n"
        "sdk.connect(url).remove_checkpoints('A')\n"
        "deadline = time.monotonic() + 60\n"
        "while not list(pathlib.Path(url, 'merges').rglob('*.journal')) and time.monotonic() < deadline:\n"
        "    time.sleep(0.002)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert list(pathlib.Path(url, "merges").rglob("*.journal")), "the job was not cut off"
    _wait_merged(client)  # this process's worker resumes the job from its journal
    vm = client.vm("A")
    assert vm.hard_drives[0].path.endswith("A.vhdx")
    D.check_base(client, vm.hard_drives[0].path, oracle[0].read(), tmp_path)
    assert not list(pathlib.Path(url, "merges").rglob("*.journal"))


# --- memory -----------------------------------------------------------------------------------------


def test_standard_checkpoints_keep_memory_in_vmrs_files(local) -> None:
    client = local(world())
    vm = client.vm("A")
    client.set_guest_memory(vm, 12345, b"first")
    cp = client.checkpoint_vm(vm, "standard")
    assert cp.state.name == "Saved"
    vmrs = f"{vm.path}\\Snapshots\\{cp.id.upper()}.vmrs"
    local_vmrs = D.storage_path(client, vmrs)
    assert os.path.getsize(local_vmrs) == 32 * MiB and D.allocated(local_vmrs) <= MiB
    with open(local_vmrs, "rb") as f:
        f.seek(12345)
        assert f.read(5) == b"first"
    client.set_guest_memory(vm, 12345, b"later")
    client.restore_checkpoint(cp)
    assert client.vm("A").state.name == "Running"
    assert client.read_guest_memory("A", 12345, 5) == b"first"

    client.set_vm("A", checkpoint_type="Production")
    prod = client.checkpoint_vm("A", "production")
    assert prod.state.name == "Off"
    assert client.file_info(f"{vm.path}\\Snapshots\\{prod.id.upper()}.vmrs") is None
    client.restore_checkpoint(prod)  # no memory: the VM is off, its memory gone
    assert client.vm("A").state.name == "Off"
    with pytest.raises(InvalidStateError):
        client.read_guest_memory("A", 0, 1)


def test_stop_save_keeps_memory_and_turn_off_drops_it(local) -> None:
    client = local(world())
    vm = client.vm("A")
    client.set_guest_memory(vm, 0, b"saved state")
    client.stop_vm(vm, save=True)
    saved = f"{vm.path}\\Virtual Machines\\{vm.id.upper()}.vmrs"
    assert client.file_info(saved).length == 32 * MiB  # type: ignore[union-attr]
    assert client.read_guest_memory("A", 0, 11) == b"saved state"
    cp = client.checkpoint_vm("A", "of a saved VM")  # standard: holds the saved state
    client.start_vm("A")
    assert client.read_guest_memory("A", 0, 11) == b"saved state"
    client.stop_vm("A", turn_off=True)
    assert client.file_info(saved) is None
    client.start_vm("A")
    assert client.read_guest_memory("A", 0, 11) == bytes(11)
    client.restore_checkpoint(cp)
    assert client.read_guest_memory("A", 0, 11) == b"saved state"
    with pytest.raises(DiskError):
        client.set_guest_memory("A", 32 * MiB - 2, b"xyz")


# --- Get-VHD, errors, export ---------------------------------------------------------------------------


def test_a_corrupt_file_is_a_disk_error_naming_file_and_structure(local) -> None:
    client = local(world())
    client.checkpoint_vm("A", "one")
    top = client.vm("A").hard_drives[0].path
    base = f"{VHD_DIR}\\A.vhdx"
    with open(D.storage_path(client, base), "r+b") as f:
        f.seek(192 * 1024 + 40)  # inside region table 1: its CRC no longer matches
        f.write(b"\xff\xff\xff\xff")
    with pytest.raises(DiskError) as exc:
        client.get_vhd(base)
    assert base in exc.value.message and "region table" in exc.value.message
    with pytest.raises(DiskError) as exc:
        client.read_guest_disk("A", 0, 0, 512)
    assert base in exc.value.message
    assert client.get_vhd(top).parent_path == base  # the child itself is sound
    with open(D.storage_path(client, top), "r+b") as f:
        f.seek(64 * 1024)
        f.write(bytes(4096 * 2))  # header 1 gone
        f.seek(128 * 1024)
        f.write(bytes(4096))  # and header 2
    with pytest.raises(DiskError) as exc:
        client.get_vhd(top)
    assert top in exc.value.message and "header" in exc.value.message


def test_cli_reports_a_corrupt_disk_in_one_line(local, capsys: pytest.CaptureFixture[str]) -> None:
    from hyperv_emu.cli.main import main

    client = local(world())
    with open(D.storage_path(client, f"{VHD_DIR}\\A.vhdx"), "r+b") as f:
        f.seek(0)
        f.write(b"notavhdx")
    code = main(["guest", "read", "A", "--length", "1", "--state", client.backend.url])  # type: ignore[attr-defined]
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "A.vhdx" in err and "Traceback" not in err


@requires_qemu
def test_export_flattens_the_checkpoint_and_import_reads_it(local, tmp_path: pathlib.Path) -> None:
    client = local(world())
    oracle = [D.Disk(SIZE), D.Disk(SIZE2)]
    write(client, oracle, 0, 100, b"exported bytes")
    write(client, oracle, 1, SIZE2 - 10, b"last bytes")
    cp = client.checkpoint_vm("A", "to export")
    expected = [d.copy() for d in oracle]
    write(client, oracle, 0, 100, b"not exported!!")
    folder = client.export_checkpoint(cp, "E:\\Exports")
    exported = f"{folder}\\Virtual Hard Disks\\A.vhdx"
    D.check_base(client, exported, expected[0].read(), tmp_path)
    client.remove_vm(client.stop_vm("A", turn_off=True))
    imported = client.import_vm(folder)
    assert client.read_guest_disk(imported, 0, 100, 14) == b"exported bytes"
    assert client.read_guest_disk(imported, 1, SIZE2 - 10, 10) == b"last bytes"


def test_new_vm_refuses_a_file_that_is_not_a_vhdx(local) -> None:
    client = local(world())
    client.write_file("D:\\VMs\\junk.vhdx", b"not a disk")
    with pytest.raises(DiskError):
        client.new_vm("B", vhd_path="D:\\VMs\\junk.vhdx")
    assert [v.name for v in client.get_vms()] == ["A"]


def test_a_real_host_has_no_guest_door() -> None:
    from hyperv_emu.sdk.backends.powershell import PowerShellBackend

    backend = PowerShellBackend(object())  # type: ignore[arg-type]
    for call in (lambda: backend.write_guest_disk(None, "id", 0, 0, b"x"),
                 lambda: backend.read_guest_disk(None, "id", 0, 0, 1),
                 lambda: backend.set_guest_memory(None, "id", 0, b"x"),
                 lambda: backend.read_guest_memory(None, "id", 0, 1)):
        with pytest.raises(BackendError, match="not available on a real host"):
            call()
