"""One missing or damaged file never bricks a state (issue 14, point 2): an operation checks the
disk chains it reads before its first side effect, and a journaled file operation that can no
longer be carried out is parked (with an Error event naming the VM) instead of being replayed,
and failing, in every later transaction."""

from __future__ import annotations

import pathlib

import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.emulator.engine import PARKED_OP_EVENT_ID

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
disks = [{ path = 'D:\\VHDs\\SRV-APP01.vhdx', size = "1GB" }]
[[vm.checkpoint]]
name = "one"
created = 2026-02-18T08:00:00
[[vm.checkpoint]]
name = "two"
created = 2026-02-19T08:00:00
[[vm]]
name = "SRV-DB01"
state = "Off"
disks = [{ path = 'D:\\VHDs\\SRV-DB01.vhdx', size = "1GB" }]
"""


@pytest.fixture
def state(tmp_path: pathlib.Path) -> str:
    url = str(tmp_path / "state")
    sdk.load_world(url, WORLD)
    return url


def storage(url: str, windows_path: str) -> pathlib.Path:
    """The real file behind a Windows path of the state's one host (as `hvemu path` shows it)."""
    name = pathlib.PureWindowsPath(windows_path).name
    (found,) = pathlib.Path(url).glob(f"hosts/*/D/VHDs/{name}")
    return found


def run(url: str, script: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["run", "--state", url, "-c", script])
    out, err = capsys.readouterr()
    assert "internal error" not in out + err
    return code, out, err


def test_a_missing_mid_chain_file_fails_the_restore_before_any_change(state: str,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    client = sdk.connect(state)
    vm = client.vm("SRV-APP01")
    current = client.vm("SRV-APP01").hard_drives[0].path
    chain_files = sorted(p.name for p in storage(state, current).parent.glob("SRV-APP01_*.avhdx"))
    assert len(chain_files) == 2
    mid_name = next(n for n in chain_files if n != storage(state, current).name)
    mid = str(pathlib.PureWindowsPath("D:\\VHDs", mid_name))
    storage(state, mid).unlink()
    del vm
    code, _, err = run(state, "Restore-VMSnapshot -VMName SRV-APP01 -Name two -Confirm:$false", capsys)
    assert f"The virtual disk file '{mid}' does not exist." in " ".join(err.split())
    # the VM's current disk (its guest data) is still there, and nothing is blocked
    assert storage(state, current).is_file()
    assert client.vm("SRV-APP01").hard_drives[0].path == current
    for argv in (["vm", "list", "--state", state], ["checkpoint", "list", "SRV-DB01", "--state", state],
                 ["world", "export", "--state", state]):
        assert main(argv) == 0, argv
    capsys.readouterr()


def test_a_corrupt_base_disk_fails_the_checkpoint_and_blocks_nothing(state: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(state, "Set-Content 'D:\\VHDs\\SRV-DB01.vhdx' x; Checkpoint-VM SRV-DB01 a", capsys)
    assert "is corrupt" in err
    assert sdk.connect(state).vm("SRV-DB01").checkpoints() == []
    assert main(["vm", "list", "--state", state]) == 0
    assert main(["checkpoint", "list", "SRV-APP01", "--state", state]) == 0
    capsys.readouterr()


def test_a_journal_entry_that_cannot_be_replayed_is_parked(state: str, capsys: pytest.CaptureFixture[str]) -> None:
    host = T.stored_state(state).hosts[0].name
    T.commit_journal(state, [
        {"kind": "create_avhdx", "host": host, "path": "D:\\VHDs\\SRV-DB01_X.avhdx",
         "parent": "D:\\VHDs\\gone.vhdx", "size": 4194304},
        {"kind": "write_file", "host": host, "path": "C:\\after.txt", "payload": "still applied"},
    ])
    assert main(["vm", "list", "--state", state]) == 0
    assert main(["vm", "list", "--state", state]) == 0  # and again: nothing replays
    capsys.readouterr()
    client = sdk.connect(state)
    assert client.read_file("C:\\after.txt") == b"still applied"
    events = [e for e in client.events() if e.id == PARKED_OP_EVENT_ID]
    assert len(events) == 1 and events[0].level == "Error"
    assert "gone.vhdx" in events[0].message
    saved = T.stored_state(state)
    assert saved.pending_ops == []
    assert [p.op.path for p in saved.parked_ops] == ["D:\\VHDs\\SRV-DB01_X.avhdx"]


def test_a_background_merge_that_fails_is_an_event_not_the_next_commands_error(
        state: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A merge runs on its own on a host: when it cannot complete (its file damaged meanwhile),
    the host logs it and the command that let the clock reach its end (a Start-Sleep, a Get-VM)
    carries on; the operation is parked and `hvemu state check` names it."""
    code, out, err = run(state, "Stop-VM SRV-APP01 -TurnOff -Force\n"
                                "Remove-VMSnapshot -VMName SRV-APP01 -Name one\n"
                                "(Get-VM SRV-APP01).Status", capsys)
    assert (code, err, out.strip()) == (0, "", "Merging disks")
    for avhdx in pathlib.Path(state).glob("hosts/*/D/VHDs/SRV-APP01_*.avhdx"):
        with open(avhdx, "r+b") as handle:
            handle.write(bytes(8))  # the file identifier
    code, out, err = run(state, "Start-Sleep -Seconds 3600\n'slept'\n(Get-VM SRV-APP01).Status\n"
                                "Get-WinEvent -LogName Microsoft-Windows-Hyper-V-VMMS-Admin -MaxEvents 1 |"
                                " ForEach-Object { $_.Id; $_.Message }", capsys)
    assert err == "" and code == 0
    lines = out.splitlines()
    assert lines[:3] == ["slept", "Operating normally", str(PARKED_OP_EVENT_ID)]
    assert lines[3].startswith("'SRV-APP01' background disk merge failed to complete: The virtual disk file")
    assert len(T.stored_state(state).parked_ops) == 1
    assert main(["state", "check", "--state", state]) == 4
