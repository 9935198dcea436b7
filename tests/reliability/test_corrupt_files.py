"""Every corrupt-file kind gives a clear error, never an internal one (issue 14, point 5).

A template state holds VM A (Off, a checkpoint, guest data in its current .avhdx), VM B the same,
and VM S (Saved, its memory in a .vmrs). Each case damages one file of a copy of it, as a failing
disk, a bad copy or a careless hand would: the VHDX headers, region tables, metadata, BAT or log
of A's base .vhdx or of its .avhdx; the .avhdx's parent locator; a chain member swapped for
another chain's, truncated (to nothing, below 1 MiB, to half), replaced by garbage or deleted;
S's .vmrs and A's .vmcx as garbage or truncated.

Then the cmdlets a script would run on it (Get-VM, Get-VHD, Test-VHD, Start-VM, Checkpoint-VM,
Restore-VMSnapshot, Remove-VMSnapshot and its merge, Export-VM, Stop-VM), a guest read through
the SDK, and `hvemu state check`, each must end in PowerShell's error record, a typed SDK error
or the state check's report (exit 4 naming the file) — never hvemu's internal error or a Python
traceback; and the other VM (B) must still take a checkpoint (nothing bricks the state).

A corrupt state store (garbage, truncated, empty, a document of the wrong shape) must make every
`hvemu` command fail with a clear message and exit 1. The store is found through
`hvemu_testlib.state_store_file`, the one place that knows its name.
"""

from __future__ import annotations

import contextlib
import io
import os
import pathlib
import shutil
import struct
import tempfile
import uuid
from collections.abc import Callable, Iterator

import attrs
import hvemu_oracle as O
import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.emulator.vhdx import VhdxFile
from hyperv_emu.emulator.vhdx.layout import BAT_OFFSET, LOG_OFFSET, METADATA_OFFSET
from hyperv_emu.psshim.session import Session

MiB = 1 << 20
CHECKPOINT = '[[vm.checkpoint]]\nname = "one"\ncreated = 2026-02-19T08:00:00\n'
WORLD = (T.base_world() + T.vm_table("A", memory="32MB", extra=CHECKPOINT)
         + T.vm_table("B", memory="32MB", extra=CHECKPOINT) + T.vm_table("S", state="Running", memory="32MB"))


def _scratch() -> pathlib.Path:
    shm = pathlib.Path("/dev/shm")
    return pathlib.Path(tempfile.mkdtemp(prefix="hvemu-corrupt-", dir=shm if shm.is_dir() else None))


@pytest.fixture(scope="module")
def template() -> Iterator[pathlib.Path]:
    folder = _scratch()
    client = sdk.load_world(str(folder / "state"), WORLD)
    client.write_guest_disk("A", 0, 5 * MiB + 17, os.urandom(3 * MiB))
    client.write_guest_disk("B", 0, 0, b"B" * 4096)
    client.set_guest_memory("S", 0, b"memory" * 1000)
    client.stop_vm("S", save=True)
    yield folder / "state"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def state(template: pathlib.Path) -> Iterator[pathlib.Path]:
    folder = _scratch()
    shutil.copytree(template, folder / "state", symlinks=True)
    yield folder / "state"
    shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# the damage
# ---------------------------------------------------------------------------------------------


def patch(path: pathlib.Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def flip(path: pathlib.Path, offset: int) -> None:
    with open(path, "r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0xFF]))


def truncate(path: pathlib.Path, size: int) -> None:
    with open(path, "r+b") as handle:
        handle.truncate(size)


def log_needing_replay(path: pathlib.Path) -> None:
    """Both headers name a log, and the log holds an entry of it: the file needs a replay."""
    with open(path, "rb") as handle:
        data = handle.read(0x30000)
    from hyperv_emu.emulator.vhdx.structs import Header

    header = Header.decode(data[0x10000:0x11000])
    log_guid = uuid.uuid4()
    for i, offset in enumerate((0x10000, 0x20000)):
        patch(path, offset, attrs.evolve(header, sequence_number=header.sequence_number + 1 + i,
                                         log_guid=log_guid).encode())
    patch(path, LOG_OFFSET, b"loge" + bytes(28) + log_guid.bytes_le)


Damage = Callable[[pathlib.Path], None]
VHDX_DAMAGE: dict[str, Damage] = {
    "both headers": lambda p: (flip(p, 0x10000 + 40), flip(p, 0x20000 + 40)),
    "both region tables": lambda p: (flip(p, 0x30000 + 40), flip(p, 0x40000 + 40)),
    "file identifier": lambda p: patch(p, 0, b"notavhdx"),
    "metadata signature": lambda p: patch(p, METADATA_OFFSET, b"METADATA"),
    "metadata block size": lambda p: patch(p, METADATA_OFFSET + 64 * 1024, struct.pack("<I", 3 * MiB)),
    "metadata entry count": lambda p: patch(p, METADATA_OFFSET + 10, struct.pack("<H", 4)),
    "BAT entry past the end": lambda p: patch(p, BAT_OFFSET + 8, struct.pack("<Q", (1 << 40) | 6)),
    "BAT reserved state": lambda p: patch(p, BAT_OFFSET + 8, struct.pack("<Q", 4)),
    "BAT over the metadata": lambda p: patch(p, BAT_OFFSET + 8, struct.pack("<Q", (2 * MiB) | 6)),
    "log needing replay": log_needing_replay,
    "log region garbage": lambda p: patch(p, LOG_OFFSET + 4096, os.urandom(64 * 1024)),
    "truncated to nothing": lambda p: truncate(p, 0),
    "truncated below 1 MiB": lambda p: truncate(p, 300 * 1024),
    "truncated to half": lambda p: truncate(p, p.stat().st_size // 2),
    "garbage": lambda p: p.write_bytes(os.urandom(p.stat().st_size)),
    "deleted": lambda p: p.unlink(),
}
AVHDX_DAMAGE: dict[str, Damage] = {
    "parent locator type": lambda p: patch(p, METADATA_OFFSET + 128 * 1024, uuid.uuid4().bytes_le),
    "another chain's differencing disk": lambda p: shutil.copyfile(
        next(p.parent.glob("B_*.avhdx")), p),
    "partial block without a bitmap": lambda p: patch(p, BAT_OFFSET, struct.pack("<Q", (1 << 30) | 7)),
}
# damage that leaves the file readable: hosts (and qemu) ignore a log no header names
HARMLESS = {"log region garbage"}


def disk_folder(state: pathlib.Path) -> pathlib.Path:
    (folder,) = state.glob("hosts/*/D/Hyper-V/Virtual Hard Disks")
    return folder


def a_base(state: pathlib.Path) -> pathlib.Path:
    return disk_folder(state) / "A.vhdx"


def a_current(state: pathlib.Path) -> pathlib.Path:
    (path,) = disk_folder(state).glob("A_*.avhdx")
    return path


CASES: list[tuple[str, Callable[[pathlib.Path], pathlib.Path], Damage]] = [
    *((f"A.vhdx: {k}", a_base, d) for k, d in VHDX_DAMAGE.items()),
    *((f"A's .avhdx: {k}", a_current, d) for k, d in {**VHDX_DAMAGE, **AVHDX_DAMAGE}.items()),
]

# ---------------------------------------------------------------------------------------------
# what runs on the damage
# ---------------------------------------------------------------------------------------------

COMMANDS = [
    "Get-VM | Select-Object Name, State, Status | Format-Table | Out-String",
    "Get-VHD -VMId (Get-VM A).VMId",
    "Get-VMHardDiskDrive -VMName A | Get-VHD",
    "Get-VMHardDiskDrive -VMName A | ForEach-Object { Test-VHD $_.Path }",
    "Get-VHD 'D:\\Hyper-V\\Virtual Hard Disks\\A.vhdx'",
    "Start-VM A",
    "Stop-VM A -TurnOff -Force",
    "Checkpoint-VM A -SnapshotName two",
    "Get-VMSnapshot -VMName A | Select-Object -First 1 | Restore-VMSnapshot -Confirm:$false",
    "Start-VM S",
    "Export-VM A -Path 'D:\\Exports'",
    "Remove-VMSnapshot -VMName A -Name *",
    "Start-Sleep -Seconds 3600",
    "Get-VM A | Select-Object -ExpandProperty Status",
]


def run_commands(url: str) -> int:
    """Each command on its own (as separate scripts would): PowerShell errors only."""
    client = sdk.connect(url)
    session = Session(client)
    for command in COMMANDS:
        result = session.run(command)
        text = result.stdout + result.stderr
        assert "Traceback (most recent call last)" not in text, (command, text)
        assert "internal error" not in text, (command, text)
    try:
        client.read_guest_disk("A", 0, 0, 8 * MiB)
    except sdk.HyperVError as exc:
        assert exc.message
    # the other VMs are untouched: B still takes a checkpoint
    client.checkpoint_vm("B", "still works")
    return len(COMMANDS) + 2


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_a_damaged_disk(case: str, state: pathlib.Path, record_property: pytest.RecordProperty) -> None:
    _, target_of, damage = next(c for c in CASES if c[0] == case)
    target = target_of(state)
    name = "D:\\Hyper-V\\Virtual Hard Disks\\" + target.name
    damage(target)
    code, text = O.state_check(str(state))
    assert "internal error" not in text and "Traceback" not in text, text
    if any(case.endswith(k) for k in HARMLESS):
        assert code == 0, text
    else:
        assert code == 4 and name in text, text
    commands = run_commands(str(state))
    code, text = O.state_check(str(state))
    assert code in (0, 4) and "internal error" not in text, text
    record_property("reliability.corrupt_files", 1)
    record_property("reliability.corrupt_file_commands", commands + 2)


def vmrs(state: pathlib.Path) -> pathlib.Path:
    (path,) = state.glob("hosts/*/**/*.vmrs")
    return path


def vmcx_of_a(state: pathlib.Path) -> pathlib.Path:
    client = sdk.connect(str(state))
    vm_id = client.vm("A").id
    (path,) = state.glob(f"hosts/*/**/Virtual Machines/{vm_id.upper()}.vmcx")
    return path


CONFIG_CASES: dict[str, tuple[Callable[[pathlib.Path], pathlib.Path], Damage]] = {
    ".vmrs garbage": (vmrs, lambda p: p.write_bytes(os.urandom(4096))),
    ".vmrs truncated": (vmrs, lambda p: truncate(p, 10)),
    ".vmrs deleted": (vmrs, lambda p: p.unlink()),
    ".vmcx garbage": (vmcx_of_a, lambda p: p.write_bytes(os.urandom(4096))),
    ".vmcx truncated": (vmcx_of_a, lambda p: truncate(p, p.stat().st_size // 2)),
}


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_a_damaged_configuration_or_memory_file(case: str, state: pathlib.Path,
                                                record_property: pytest.RecordProperty) -> None:
    target_of, damage = CONFIG_CASES[case]
    damage(target_of(state))
    commands = run_commands(str(state))
    client = sdk.connect(str(state))
    session = Session(client)
    result = session.run("Import-VM -Path (Get-ChildItem 'C:\\ProgramData\\Microsoft\\Windows\\Hyper-V\\Virtual "
                         "Machines' | Select-Object -First 1).FullName")
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    code, text = O.state_check(str(state))
    assert code in (0, 4) and "internal error" not in text, text
    record_property("reliability.corrupt_files", 1)
    record_property("reliability.corrupt_file_commands", commands + 2)


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(list(args))
    return code, out.getvalue()


STORE_DAMAGE: dict[str, Damage] = {
    "garbage": lambda p: p.write_bytes(os.urandom(2048)),
    "truncated": lambda p: truncate(p, p.stat().st_size // 2),
    "empty": lambda p: truncate(p, 0),
    "wrong shape": lambda p: p.write_text('{"schema_version": 1, "hosts": "none"}'),
    "a list": lambda p: p.write_text("[1, 2, 3]"),
    "NUL bytes": lambda p: p.write_bytes(bytes(p.stat().st_size)),
}


@pytest.mark.parametrize("case", sorted(STORE_DAMAGE))
def test_a_corrupt_state_store(case: str, state: pathlib.Path, record_property: pytest.RecordProperty) -> None:
    STORE_DAMAGE[case](T.state_store_file(state))
    commands = [["vm", "list"], ["checkpoint", "list", "A"], ["state", "check"], ["state", "repair"],
                ["run", "-c", "Get-VM"], ["world", "export"], ["clock"], ["events"]]
    for args in commands:
        code, text = cli(*args, "--state", str(state))
        assert code == 1, (args, code, text)
        assert "internal error" not in text and "Traceback" not in text, (args, text)
        assert text.strip(), args
    with pytest.raises(sdk.HyperVError):
        sdk.connect(str(state)).get_vms()
    record_property("reliability.corrupt_files", 1)
    record_property("reliability.corrupt_file_commands", len(commands) + 1)


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_start_and_export_refuse_a_disk_that_does_not_open(case: str, state: pathlib.Path) -> None:
    """Start-VM powers the VM's disks on: when Test-VHD finds the chain unusable, the start fails
    with the worker's "failed to start" errors and the VM stays Off; when it is usable, the VM
    starts. Export-VM reads the same chain first: a damaged one fails before anything is
    copied, with no export folder and no file operation left parked in the state."""
    _, target_of, damage = next(c for c in CASES if c[0] == case)
    damage(target_of(state))
    session = Session(sdk.connect(str(state)))
    usable = session.run("Get-VMHardDiskDrive -VMName A | ForEach-Object { Test-VHD $_.Path }").stdout.strip()
    started = session.run("Start-VM A; (Get-VM A).State")
    if usable == "True":
        assert started.stdout.strip() == "Running", started.stderr
        return
    assert "'A' failed to start." in started.stderr, started.stderr
    assert "Failed to open attachment 'D:\\Hyper-V\\Virtual Hard Disks\\A" in started.stderr.replace("\n", "")
    assert "OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM" in started.stderr
    if case == "A's .avhdx: deleted":
        assert "Error: 'The system cannot find the file specified.'" in started.stderr.replace("\n", "")
    if case == "A.vhdx: deleted":
        assert "The chain of virtual hard disks is broken." in started.stderr.replace("\n", " ")
    assert started.stdout.strip() == "Off"
    exported = session.run("Export-VM A -Path 'D:\\Exports'; Test-Path 'D:\\Exports\\A'")
    assert "ExportVM" in exported.stderr and exported.stdout.strip() == "False"
    assert T.state_document(str(state))["parked_ops"] == []
