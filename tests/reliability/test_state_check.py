"""`hvemu state check` and `hvemu state repair` (issue 14, point 2): exit 0 on a consistent
state, 4 with one line per inconsistency; repair retries parked file operations."""

from __future__ import annotations

import pathlib
import shutil

import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
disks = [{ path = 'D:\\VHDs\\SRV-APP01.vhdx', size = "1GB" }]
[[vm.checkpoint]]
name = "one"
created = 2026-02-18T08:00:00
"""


@pytest.fixture
def state(tmp_path: pathlib.Path) -> pathlib.Path:
    sdk.load_world(str(tmp_path / "state"), WORLD)
    return tmp_path / "state"


def vhds(state: pathlib.Path) -> pathlib.Path:
    (folder,) = state.glob("hosts/*/D/VHDs")
    return folder


def check(state: pathlib.Path, capsys: pytest.CaptureFixture[str], command: str = "check") -> tuple[int, list[str]]:
    code = main(["state", command, "--state", str(state)])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out.splitlines()


def test_a_fresh_state_is_consistent(state: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert check(state, capsys) == (0, ["The state is consistent."])


def test_missing_and_orphaned_files_are_listed(state: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (current,) = vhds(state).glob("SRV-APP01_*.avhdx")
    current.unlink()
    shutil.copy(vhds(state) / "SRV-APP01.vhdx", vhds(state) / "stray.avhdx")
    code, lines = check(state, capsys)
    host = lines[0].split(":")[0]
    assert code == 4
    assert lines == [
        f"{host}: missing-file: the disk file 'D:\\VHDs\\{current.name}' is missing (used by VM 'SRV-APP01')",
        f"{host}: orphaned-file: 'D:\\VHDs\\stray.avhdx' is on the host's storage but belongs to no VM or checkpoint",
    ]
    # repair cannot bring a file back, and never deletes the orphan
    assert check(state, capsys, "repair")[0] == 4
    assert (vhds(state) / "stray.avhdx").is_file()


def test_a_corrupt_disk_is_named(state: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    (vhds(state) / "SRV-APP01.vhdx").write_bytes(b"x")
    code, lines = check(state, capsys)
    assert code == 4
    assert "corrupt-file: The virtual disk file 'D:\\VHDs\\SRV-APP01.vhdx' is corrupt" in lines[0]
    assert "used by checkpoint 'one' of 'SRV-APP01'" in lines[0]


def test_repair_retries_parked_operations(state: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    host = T.stored_state(str(state)).hosts[0].name
    T.commit_journal(str(state), [{"kind": "create_avhdx", "host": host, "path": "D:\\VHDs\\later.avhdx",
                                   "parent": "D:\\VHDs\\back.vhdx", "size": 4194304}])
    code, lines = check(state, capsys)
    assert code == 4 and "parked-operation: the create_avhdx of 'D:\\VHDs\\later.avhdx' could not be carried out" in lines[0]
    # the file comes back (restored from a backup, say): the repair carries the operation out
    shutil.copy(vhds(state) / "SRV-APP01.vhdx", vhds(state) / "back.vhdx")
    code, lines = check(state, capsys, "repair")
    assert lines[0] == "fixed: retried the parked create_avhdx of 'D:\\VHDs\\later.avhdx': done"
    assert (vhds(state) / "later.avhdx").is_file()
    # the new file is an orphan now (no VM uses it), which the repair reports and keeps
    assert code == 4 and lines[1].endswith("orphaned-file: 'D:\\VHDs\\later.avhdx' is on the host's storage but "
                                            "belongs to no VM or checkpoint")


def test_no_state_is_an_error(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["state", "check", "--state", str(tmp_path / "none")]) == 1
    assert "No hvemu state at" in capsys.readouterr().err


def test_an_exported_vm_is_no_orphan(state: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    # found by the kill suite: Export-VM copies the checkpoint tree's .avhdx files, which belong
    # to the exported VM (its configuration lists them), not to a failed merge
    client = sdk.connect(str(state))
    client.export_vm("SRV-APP01", "D:\\Exports")
    assert list(state.glob("hosts/*/D/Exports/SRV-APP01/Virtual Hard Disks/*.avhdx"))
    assert check(state, capsys) == (0, ["The state is consistent."])
    # an .avhdx the export does not list is still an orphan
    (folder,) = state.glob("hosts/*/D/Exports/SRV-APP01/Virtual Hard Disks")
    shutil.copy(vhds(state) / "SRV-APP01.vhdx", folder / "stray.avhdx")
    code, lines = check(state, capsys)
    assert code == 4 and lines[0].endswith("orphaned-file: 'D:\\Exports\\SRV-APP01\\Virtual Hard Disks\\stray.avhdx' "
                                            "is on the host's storage but belongs to no VM or checkpoint")
