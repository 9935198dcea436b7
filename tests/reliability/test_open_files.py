"""Open-file semantics as a host has them (issue 14, point 1): a Running, Paused or Saved VM holds
its configuration, its current chain and its .vmrs; an Off VM holds nothing; a merge holds its
two files. Writing, replacing, deleting or exporting onto a held file fails with the host's
error, through cmdlets, file cmdlets and the SDK alike; an export never replaces a file."""

from __future__ import annotations

import pathlib

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.emulator.model import HostRecord, MergeTask, VirtualMachineRecord, VMStateName
from hyperv_emu.emulator.openfiles import held_files
from hyperv_emu.sdk.errors import AlreadyExistsError, ExportImportError, FileInUseError

BASE = "D:\\Hyper-V\\SRV-APP01\\Virtual Hard Disks\\SRV-APP01.vhdx"
WORLD = f"""now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
path = 'D:\\Hyper-V'
disks = [{{ path = '{BASE}', size = "1GB" }}]
[[vm.checkpoint]]
name = "old"
created = 2026-02-19T08:00:00
[[vm]]
name = "SRV-OFF"
state = "Off"
disks = [{{ path = 'D:\\VHDs\\SRV-OFF.vhdx', size = "1GB" }}]
"""
IN_USE = "The process cannot access the file '{}' because it is being used by another process."


@pytest.fixture
def client() -> sdk.HyperVClient:
    return sdk.load_world("memory://open-files-" + __import__("uuid").uuid4().hex, WORLD)


def unwrapped(err: str) -> str:
    return " ".join(err.split())


def run(client: sdk.HyperVClient, script: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, str]:
    state = client.backend.url if hasattr(client.backend, "url") else None
    assert state is not None
    main(["run", "--state", state, "-c", script])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err
    return out, unwrapped(err)


def test_file_cmdlets_cannot_touch_a_running_vms_disks(client: sdk.HyperVClient,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    current = client.vm("SRV-APP01").hard_drives[0].path
    for path in (current, BASE):
        out, err = run(client, f"Set-Content -Path '{path}' -Value x; Remove-Item '{path}'; 'after'", capsys)
        assert out.strip() == "after"
        assert f"Set-Content : {IN_USE.format(path)}" in err
        assert f"Remove-Item : Cannot remove item {path}: {IN_USE.format(path)}" in err
        assert "FullyQualifiedErrorId : RemoveFileSystemItemIOError" in err
    # the chain is intact: the guest still reads through it
    client.write_guest_disk(client.vm("SRV-APP01"), 0, 0, b"guest data")
    assert client.read_guest_disk(client.vm("SRV-APP01"), 0, 0, 10) == b"guest data"


def test_the_sdk_raises_file_in_use(client: sdk.HyperVClient) -> None:
    with pytest.raises(FileInUseError):
        client.write_file(BASE, b"x")
    with pytest.raises(FileInUseError):
        client.delete_file(client.vm("SRV-APP01").hard_drives[0].path)


def test_new_vm_onto_an_existing_vhdx_fails_as_the_file_exists(client: sdk.HyperVClient,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(client, f"New-VM -Name X -NewVHDPath '{BASE}' -NewVHDSizeBytes 1GB", capsys)
    assert f"The system failed to create '{BASE}': The file exists. (0x80070050)." in err
    assert [v.name for v in client.get_vms()] == ["SRV-APP01", "SRV-OFF"]
    with pytest.raises(AlreadyExistsError):
        client.new_vm("Y", new_vhd_path="D:\\VHDs\\SRV-OFF.vhdx", new_vhd_size=1 << 30)


def test_export_never_writes_into_live_folders_or_over_a_file(client: sdk.HyperVClient,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, err = run(client, "Export-VMSnapshot -VMName SRV-APP01 -Name old -Path D:\\Hyper-V", capsys)
    assert IN_USE.format(BASE) in err
    cp = client.vm("SRV-APP01").checkpoint("old")
    cp.export("D:\\Exports")
    with pytest.raises(ExportImportError, match="The file exists"):
        cp.export("D:\\Exports")


def test_an_off_vm_holds_nothing(client: sdk.HyperVClient) -> None:
    client.write_file("D:\\VHDs\\notes.txt", b"x")
    state = _host_record(client)
    held = held_files(state)
    assert not any("srv-off" in key for key in held)
    assert any(key.endswith("srv-app01.vhdx") for key in held)


def test_a_merge_holds_its_files_until_it_ends() -> None:
    vm = VirtualMachineRecord(id="a", name="A", state=VMStateName.OFF)
    host = HostRecord(name="H", vms=[vm])
    import datetime as dt

    now = dt.datetime(2026, 1, 1)
    host.merges.append(MergeTask(id="m", vm_id="a", child="D:\\a_1.avhdx", into="D:\\a.vhdx", length=1,
                                 start=now, end=now))
    assert held_files(host) == {"d:\\a_1.avhdx": "a merge of 'A'", "d:\\a.vhdx": "a merge of 'A'"}


def _host_record(client: sdk.HyperVClient) -> HostRecord:
    emulator = client.backend.emulator  # type: ignore[attr-defined]
    return emulator.read_state().hosts[0]  # type: ignore[no-any-return]
