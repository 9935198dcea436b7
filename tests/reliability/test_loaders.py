"""What the loaders accept (issue 14, point 7): world files and state documents that hold what no
host would are errors naming the key (and line) or the problem, never a state that misbehaves
later."""

from __future__ import annotations

import pathlib

import hvemu_testlib as T
import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.emulator.model import EmulatorState
from hyperv_emu.emulator.persist import make_converter
from hyperv_emu.emulator.statedb import StateDB
from hyperv_emu.emulator.storage import STATE_DB, open_store

BASE = "now = 2026-02-20T08:00:00\n"


def world_error(tmp_path: pathlib.Path, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "world.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["run", "--world", str(path), "-c", "'ok'"]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err
    return err.replace(str(path), "WORLD").strip()


@pytest.mark.parametrize("vm, expected", [
    ('memory = "0"', "WORLD:4: [[vm]] #1 key 'memory': must be between 32MB and 12TB, not 0"),
    ('memory = "100PB"', "WORLD:4: [[vm]] #1 key 'memory': must be between 32MB and 12TB"),
    ("processor_count = 100000000000000000", "WORLD:4: [[vm]] #1 key 'processor_count': must be between 1 and 240"),
    ("processor_count = 0", "WORLD:4: [[vm]] #1 key 'processor_count': must be between 1 and 240, not 0"),
    ("disks = [{ path = 'D:\\\\x.vhdx', size = \"0\" }]", "size must be a multiple of 512 bytes from 3MB to 64TB"),
    ("disks = [{ path = 'D:\\\\x.vhdx', size = 5000001 }]", "size must be a multiple of 512 bytes from 3MB to 64TB"),
])
def test_vm_values_beyond_physical_sense(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], vm: str,
                                         expected: str) -> None:
    err = world_error(tmp_path, BASE + '[[vm]]\nname = "X"\n' + vm + "\n", capsys)
    assert err.startswith("hvemu: error: ") and expected in err, err


@pytest.mark.parametrize("name", ["a\\u0000b", "x" * 101, "a/b", "a:b"])
def test_vm_names_a_host_refuses(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    err = world_error(tmp_path, BASE + f'[[vm]]\nname = "{name}"\n', capsys)
    assert "[[vm]] #1 key 'name': The virtual machine name" in err


def test_written_beyond_the_disk(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = world_error(tmp_path, BASE + '[[vm]]\nname = "X"\ndisks = [{ path = \'D:\\\\x.vhdx\', size = "1GB" }]\n'
                      '[[vm.checkpoint]]\nname = "c"\ncreated = 2026-02-19T08:00:00\nwritten = "60TB"\n', capsys)
    assert "key 'written': 65970697666560 bytes written is more than the VM's disks hold" in err


def test_duplicate_avhdx_guids(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    guid = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    cp = '[[vm.checkpoint]]\nname = "{n}"\ncreated = 2026-02-19T08:00:00\navhdx_guids = ["' + guid + '"]\n'
    err = world_error(tmp_path, BASE + '[[vm]]\nname = "X"\ndisks = [{ path = \'D:\\\\x.vhdx\', size = "1GB" }]\n'
                      + cp.format(n="a") + cp.format(n="b"), capsys)
    assert f"key 'avhdx_guids': {guid} names another .avhdx of this VM already" in err


WORLD = """now = 2026-02-20T08:00:00
[timing]
merge_rate = "100MB"
[[vm]]
name = "SRV-APP01"
disks = [{ path = 'D:\\\\SRV-APP01.vhdx', size = "1GB" }]
[[vm.checkpoint]]
name = "one"
created = 2026-02-18T08:00:00
[[vm.checkpoint]]
name = "two"
created = 2026-02-19T08:00:00
"""


@pytest.mark.parametrize("damage, problem", [
    (lambda d: d["hosts"][0]["vms"][0]["checkpoints"][1].__setitem__("id", d["hosts"][0]["vms"][0]["checkpoints"][0]["id"]),
     "appears twice"),
    (lambda d: d["hosts"][0]["vms"][0]["checkpoints"][0].__setitem__("parent_id", d["hosts"][0]["vms"][0]["checkpoints"][1]["id"]),
     "form a cycle"),
    (lambda d: d["hosts"][0]["disk_files"][0].__setitem__("size", -1), "has the size -1"),
    (lambda d: d["hosts"][0]["disk_files"][0].__setitem__("size", 1 << 60), "has the size"),
    (lambda d: d["timing"].__setitem__("merge_rate", 0), "merges would never end"),
    (lambda d: d["hosts"][0]["vms"][0].__setitem__("parent_checkpoint_id", "nope"), "hangs from the missing checkpoint"),
])
def test_a_state_no_host_would_hold_is_refused(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                                               damage: object, problem: str) -> None:
    """In a JSON state of an earlier release (refused when it is migrated), and in the database
    (refused when it is loaded)."""
    state = tmp_path / "state"
    sdk.load_world(str(state), WORLD)
    data = T.state_document(str(state))
    damage(data)  # type: ignore[operator]
    document = T.write_json_state(str(state), data)
    assert main(["vm", "list", "--state", str(state)]) == 1
    err = capsys.readouterr().err
    assert f"The state file '{document}' is corrupt: " in err and problem in err, err
    assert document.is_file()  # left as it was
    # the same state in a database: written row by row, refused when it is read
    damaged = make_converter().structure(data, EmulatorState)
    document.unlink()
    StateDB(open_store(str(state))).replace(damaged)
    assert main(["vm", "list", "--state", str(state)]) == 1
    err = capsys.readouterr().err
    assert f"The state database '{state / STATE_DB}' is corrupt: " in err and problem in err, err
