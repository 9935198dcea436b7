"""`hvemu` in-process: each command, its options, its errors and exit codes."""

from __future__ import annotations

import datetime as dt
import pathlib
import re
import tomllib
from collections.abc import Callable

import pytest

from hyperv_emu.cli import main as cli
from hyperv_emu.cli.main import main

from .worlds import WORLD_07, WORLD_10


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_error(err: str, contains: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("hvemu: error: "), err
    assert contains in lines[0], err
    assert "Traceback" not in err


def table(out: str) -> list[list[str]]:
    """A printed table's data rows split into words (header and dashes dropped)."""
    lines = out.splitlines()
    assert re.fullmatch(r"[- ]+", lines[1]), out
    return [line.split() for line in lines[2:]]


# --- init -------------------------------------------------------------------------------------------


def test_init_creates_a_state_and_says_so(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_10, encoding="utf-8")
    code, out, err = run(capsys, "init", "--world", str(world), "--state", str(tmp_path / "s"))
    assert (code, err) == (0, "")
    assert "3 VMs, 5 checkpoints" in out


def test_init_refuses_an_existing_state_without_force(state07: str, tmp_path: pathlib.Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w10.toml"
    world.write_text(WORLD_10, encoding="utf-8")
    code, out, err = run(capsys, "init", "--world", str(world), "--state", state07)
    assert code == 1 and out == ""
    assert_one_error(err, "already exists")
    assert "--force" in err
    # nothing was overwritten
    assert run(capsys, "vm", "list", "--state", state07)[1].count("SRV-") == 1
    code, out, err = run(capsys, "init", "--world", str(world), "--state", state07, "--force")
    assert (code, err) == (0, "")
    assert run(capsys, "vm", "list", "--state", state07)[1].count("SRV-") == 3


def test_init_tolerates_a_byte_order_mark(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "bom.toml"
    world.write_bytes(b"\xef\xbb\xbf" + WORLD_07.encode("utf-8"))
    assert run(capsys, "init", "--world", str(world), "--state", str(tmp_path / "s"))[0] == 0


def test_init_names_the_bad_key_and_its_line(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "bad.toml"
    world.write_text('now = 2026-02-11T09:00:00\n\n[[vm]]\nname = "A"\nbogus = 1\n', encoding="utf-8")
    code, out, err = run(capsys, "init", "--world", str(world), "--state", str(tmp_path / "s"))
    assert code == 1
    assert_one_error(err, "bogus")
    assert "bad.toml:5" in err


def test_init_reports_invalid_toml(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "bad.toml"
    world.write_text("now = = 2\n", encoding="utf-8")
    code, _, err = run(capsys, "init", "--world", str(world), "--state", str(tmp_path / "s"))
    assert code == 1
    assert_one_error(err, "line 1")


@pytest.mark.parametrize("make", ["missing", "folder", "latin1"])
def test_init_reports_an_unreadable_world_file(make: str, tmp_path: pathlib.Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w.toml"
    if make == "folder":
        world.mkdir()
    elif make == "latin1":
        world.write_bytes('now = 2026-02-11T09:00:00\n# caf\xe9\n'.encode("latin-1"))
    code, out, err = run(capsys, "init", "--world", str(world), "--state", str(tmp_path / "s"))
    assert code == 1 and out == ""
    assert_one_error(err, str(world))


def test_init_requires_a_world(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "init")
    assert code == 2
    assert "--world" in err


# --- the state: --state, $HVEMU_STATE, ./.hvemu/state -------------------------------------------------


def test_a_missing_state_is_one_clear_error(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "vm", "list", "--state", str(tmp_path / "nothing"))
    assert code == 1 and out == ""
    assert_one_error(err, "hvemu init --world FILE")


def test_a_missing_state_is_left_missing(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vm", "list", "--state", str(tmp_path / "nothing"))[0] == 1
    assert not (tmp_path / "nothing").exists()


def test_state_option_before_the_subcommand(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--state", state07, "vm", "list")
    assert code == 0 and "SRV-APP01" in out


def test_state_from_the_environment(state07: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HVEMU_STATE", state07)
    code, out, _ = run(capsys, "vm", "list")
    assert code == 0 and "SRV-APP01" in out


def test_default_state_is_dot_hvemu_in_the_current_folder(tmp_path: pathlib.Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_07, encoding="utf-8")
    assert run(capsys, "init", "--world", str(world))[0] == 0
    assert (tmp_path / ".hvemu" / "state").is_dir()
    code, out, _ = run(capsys, "tree", "SRV-APP01")
    assert code == 0 and out.endswith("└── Now\n")


def test_memory_and_emulator_prefixed_urls(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    world = tmp_path / "w.toml"
    world.write_text(WORLD_07, encoding="utf-8")
    url = f"memory://hvemu-cli-test-{tmp_path.name}"
    assert run(capsys, "init", "--world", str(world), "--state", url)[0] == 0
    assert "SRV-APP01" in run(capsys, "vm", "list", "--state", "emulator:" + url)[1]
    exported = tomllib.loads(run(capsys, "world", "export", "--state", "emulator:" + url)[1])
    assert exported["now"] == dt.datetime(2026, 2, 11, 9, 0)


def test_an_unknown_computer_name_is_an_error(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "vm", "list", "--state", state07, "--computer-name", "NOHOST")
    assert code == 1
    assert_one_error(err, "NOHOST")


def test_localhost_reaches_the_default_host(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "vm", "list", "--state", state07, "--computer-name", "localhost")
    assert code == 0 and "SRV-APP01" in out


# --- vm -----------------------------------------------------------------------------------------------


def test_vm_list_is_a_table_sorted_by_name(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "vm", "list", "--state", state10)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["Name", "State", "Status", "CheckpointType", "ParentCheckpointName"]
    assert lines[1].split() == ["----", "-----", "------", "--------------", "--------------------"]
    assert lines[2].startswith("SRV-APP01 Running Operating normally Production     Pre-patch 2026-02-20")
    assert [line.split()[0] for line in lines[2:]] == ["SRV-APP01", "SRV-SQL01", "SRV-WEB01"]
    assert lines[3].rstrip() == lines[3]  # no trailing spaces (SRV-SQL01 has no parent)


def test_vm_list_by_name_and_pattern(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "vm", "list", "SRV-WEB*", "--state", state10)[1]
    assert [row[0] for row in table(out)] == ["SRV-WEB01"]
    out = run(capsys, "vm", "list", "--name", "srv-sql01", "SRV-APP01", "--state", state10)[1]
    assert {row[0] for row in table(out)} == {"SRV-SQL01", "SRV-APP01"}
    code, out, err = run(capsys, "vm", "list", "--name", "NOPE*", "--state", state10)
    assert (code, out, err) == (0, "", "")


def test_vm_list_reports_a_missing_name_after_the_others(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "vm", "list", "SRV-APP01", "NOPE", "--state", state10)
    assert code == 1
    assert "SRV-APP01" in out
    assert_one_error(err, 'Hyper-V was unable to find a virtual machine with name "NOPE".')


def _state_of(capsys: pytest.CaptureFixture[str], state: str, vm: str) -> str:
    return table(run(capsys, "vm", "list", vm, "--state", state)[1])[0][1]


def test_vm_lifecycle(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vm", "save", "SRV-APP01", "--state", state07) == (0, "", "")
    assert _state_of(capsys, state07, "SRV-APP01") == "Saved"
    assert run(capsys, "vm", "start", "SRV-APP01", "--state", state07) == (0, "", "")
    assert run(capsys, "vm", "suspend", "SRV-APP01", "--state", state07) == (0, "", "")
    assert _state_of(capsys, state07, "SRV-APP01") == "Paused"
    code, _, err = run(capsys, "vm", "stop", "SRV-APP01", "--state", state07)
    assert code == 1
    assert_one_error(err, "SRV-APP01: ")
    assert run(capsys, "vm", "stop", "SRV-APP01", "--force", "--state", state07)[0] == 0
    assert _state_of(capsys, state07, "SRV-APP01") == "Off"
    assert run(capsys, "vm", "start", "SRV-APP01", "--state", state07)[0] == 0
    assert run(capsys, "vm", "turn-off", "SRV-APP01", "--state", state07)[0] == 0
    assert _state_of(capsys, state07, "SRV-APP01") == "Off"
    code, out, _ = run(capsys, "vm", "start", "SRV-APP01", "--passthru", "--state", state07)
    assert code == 0 and table(out)[0][:2] == ["SRV-APP01", "Running"]
    assert run(capsys, "vm", "suspend", "SRV-APP01", "--state", state07)[0] == 0
    assert run(capsys, "vm", "resume", "SRV-APP01", "--state", state07)[0] == 0
    assert _state_of(capsys, state07, "SRV-APP01") == "Running"


def test_vm_warnings_print_on_stdout_as_powershell_does(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "vm", "start", "SRV-APP01", "--state", state07)
    assert (code, err) == (0, "")
    assert out == "WARNING: The virtual machine is already in the specified state.\n"


def test_vm_action_on_several_vms_goes_on_past_a_missing_one(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "vm", "turn-off", "SRV-APP01", "NOPE", "SRV-WEB01", "--state", state10)
    assert code == 1
    assert_one_error(err, '"NOPE"')
    out = run(capsys, "vm", "list", "--state", state10)[1]
    assert {row[0]: row[1] for row in table(out)} == {"SRV-APP01": "Off", "SRV-SQL01": "Running", "SRV-WEB01": "Off"}


def test_vm_action_with_a_pattern(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vm", "save", "SRV-*", "--state", state10)[0] == 0
    assert {row[1] for row in table(run(capsys, "vm", "list", "--state", state10)[1])} == {"Saved"}


def test_vm_action_needs_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "vm", "start")[0] == 2


# --- checkpoint -----------------------------------------------------------------------------------------


def test_checkpoint_list_prints_en_us_dates(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "checkpoint", "list", "SRV-APP01", "--state", state07)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "VMName    Name                    SnapshotType CreationTime         ParentSnapshotName",
        "------    ----                    ------------ ------------         ------------------",
        "SRV-APP01 Avant installation IIS  Standard     2/2/2026 9:00:00 AM",
        "SRV-APP01 Apres configuration IIS Standard     2/3/2026 5:30:00 PM  Avant installation IIS",
        "SRV-APP01 Avant patch Tuesday     Standard     2/10/2026 6:00:00 PM Apres configuration IIS",
    ]


def test_checkpoint_list_dates_follow_the_state_culture(make_state: Callable[..., str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    state = make_state('culture = "fr-FR"\n' + WORLD_07)
    out = run(capsys, "checkpoint", "list", "SRV-APP01", "--name", "*Tuesday", "--state", state)[1]
    assert "10/02/2026 18:00:00" in out


def test_checkpoint_list_several_vms_and_all(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "checkpoint", "list", "SRV-WEB01", "SRV-SQL01", "--state", state10)[1]
    assert [row[0] for row in table(out)] == ["SRV-WEB01"] * 3
    out = run(capsys, "checkpoint", "list", "--state", state10)[1]
    assert len(table(out)) == 5
    assert run(capsys, "checkpoint", "list", "SRV-SQL01", "--state", state10) == (0, "", "")


def test_checkpoint_list_errors(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checkpoint", "list", "NOPE", "--state", state10)
    assert code == 1
    assert_one_error(err, '"NOPE"')
    code, _, err = run(capsys, "checkpoint", "list", "SRV-WEB01", "--name", "zzz", "--state", state10)
    assert code == 1
    assert_one_error(err, "Unable to find a snapshot matching the given criteria.")


def test_checkpoint_create_with_a_name_and_its_aliases(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "checkpoint", "create", "SRV-APP01", "--name", "Before KB", "--state", state07) == (0, "", "")
    assert run(capsys, "checkpoint", "create", "SRV-APP01", "--snapshot-name", "S2", "--state", state07)[0] == 0
    code, out, _ = run(capsys, "checkpoint", "create", "SRV-APP01", "--checkpoint-name", "S3", "--passthru",
                       "--state", state07)
    assert code == 0
    assert out.splitlines()[2] == "SRV-APP01 S3   Standard     2/11/2026 9:00:00 AM S2"
    names = [line[10:34].strip() for line in run(capsys, "checkpoint", "list", "SRV-APP01", "--state", state07)[1].splitlines()[2:]]
    assert names[-3:] == ["Before KB", "S2", "S3"]


def test_checkpoint_create_default_name(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checkpoint", "create", "SRV-APP01", "--passthru", "--state", state07)
    assert code == 0
    assert "SRV-APP01 - (2/11/2026 - 9:00:00 AM)" in out


def test_checkpoint_create_errors(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checkpoint", "create", "NOPE", "--state", state10)
    assert code == 1
    assert_one_error(err, '"NOPE"')
    code, _, err = run(capsys, "checkpoint", "create", "SRV-SQL01", "--name", "x", "--state", state10)
    assert code == 1
    assert_one_error(err, "SRV-SQL01: ")


def test_checkpoint_restore(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "checkpoint", "restore", "SRV-APP01", "--name", "Apres configuration IIS",
                         "--state", state07)
    assert (code, out, err) == (0, "", "")
    out = run(capsys, "vm", "list", "--state", state07)[1]
    assert out.splitlines()[2].endswith("Apres configuration IIS")


def test_checkpoint_restore_needs_exactly_one_match(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checkpoint", "restore", "SRV-APP01", "--name", "Avant*", "--state", state07)
    assert code == 1
    assert_one_error(err, "More than one snapshot")
    code, _, err = run(capsys, "checkpoint", "restore", "SRV-APP01", "--name", "nope", "--state", state07)
    assert code == 1
    assert_one_error(err, "Unable to find a snapshot")
    code, _, err = run(capsys, "checkpoint", "restore", "NOPE", "--name", "x", "--state", state07)
    assert code == 1
    assert_one_error(err, '"NOPE"')
    assert run(capsys, "checkpoint", "restore", "SRV-APP01", "--state", state07)[0] == 2


def test_checkpoint_rename(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checkpoint", "rename", "SRV-APP01", "--name", "Avant patch Tuesday",
                       "--new-name", "Before Patch Tuesday", "--passthru", "--state", state07)
    assert code == 0 and "Before Patch Tuesday" in out
    assert "Before Patch Tuesday" in run(capsys, "tree", "SRV-APP01", "--state", state07)[1]
    code, _, err = run(capsys, "checkpoint", "rename", "SRV-APP01", "--name", "gone", "--new-name", "x",
                       "--state", state07)
    assert code == 1
    assert_one_error(err, "Unable to find a snapshot")


def test_checkpoint_remove_by_name_then_all(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checkpoint", "remove", "SRV-WEB01", "--name", "IIS + TLS 1.3", "--passthru",
                       "--state", state10)
    assert code == 0 and "IIS + TLS 1.3" in out
    assert len(table(run(capsys, "checkpoint", "list", "SRV-WEB01", "--state", state10)[1])) == 2
    # a pattern that matches nothing removes nothing and is no error (Remove-VMSnapshot)
    assert run(capsys, "checkpoint", "remove", "SRV-WEB01", "--name", "zzz*", "--state", state10) == (0, "", "")
    assert run(capsys, "checkpoint", "remove", "SRV-WEB01", "--state", state10) == (0, "", "")
    assert run(capsys, "checkpoint", "list", "SRV-WEB01", "--state", state10) == (0, "", "")
    assert run(capsys, "tree", "SRV-WEB01", "--state", state10)[1] == "SRV-WEB01\n└── Now\n"


def test_checkpoint_remove_with_children(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "checkpoint", "remove", "SRV-WEB01", "--name", "Test config IIS",
                     "--include-all-child-snapshots", "--state", state10)
    assert code == 0
    assert run(capsys, "checkpoint", "list", "SRV-WEB01", "--state", state10)[1] == ""


def test_checkpoint_remove_unknown_vm(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "checkpoint", "remove", "NOPE", "--state", state10)
    assert code == 1
    assert_one_error(err, '"NOPE"')


# --- tree -----------------------------------------------------------------------------------------------

# Seed 000, "Arborescence de checkpoints", the diagram's lines (indentation dropped).
SEED_000_DIAGRAM = """\
flowchart TD
ROOT["Disque original<br/>SRV-APP01.vhdx"]
CP1["Checkpoint 1<br/>Avant installation IIS"]
CP2["Checkpoint 2<br/>Apres configuration IIS"]
CP3["Checkpoint 3<br/>Avant patch Tuesday"]
CURRENT["Etat actuel<br/>(Now)"]

ROOT --> CP1
CP1 --> CP2
CP2 --> CP3
CP3 --> CURRENT"""

SEEDS = pathlib.Path(__file__).resolve().parents[1] / "seeds"


def _dedent(text: str) -> list[str]:
    return [line.strip() for line in text.strip("\n").splitlines()]


def test_tree_text_scenario_07(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "tree", "SRV-APP01", "--state", state07)
    assert (code, err) == (0, "")
    assert out == (
        "SRV-APP01\n"
        "└── Avant installation IIS\n"
        "    └── Apres configuration IIS\n"
        "        └── Avant patch Tuesday\n"
        "            └── Now\n"
    )


def test_tree_text_scenario_10_branches(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "tree", "SRV-WEB01", "--state", state10)[1] == (
        "SRV-WEB01\n"
        "└── Test config IIS\n"
        "    ├── IIS + TLS 1.3\n"
        "    └── IIS sans TLS 1.0\n"
        "        └── Now\n"
    )
    assert run(capsys, "tree", "SRV-SQL01", "--state", state10)[1] == "SRV-SQL01\n└── Now\n"


def test_tree_follows_a_restore(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "checkpoint", "restore", "SRV-WEB01", "--name", "IIS + TLS 1.3", "--state", state10)
    assert run(capsys, "tree", "SRV-WEB01", "--state", state10)[1] == (
        "SRV-WEB01\n"
        "└── Test config IIS\n"
        "    ├── IIS + TLS 1.3\n"
        "    │   └── Now\n"
        "    └── IIS sans TLS 1.0\n"
    )


def test_tree_mermaid_scenario_07_fr_fr_equals_the_seed(make_state: Callable[..., str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    state = make_state('culture = "fr-FR"\n' + WORLD_07)
    code, out, err = run(capsys, "tree", "SRV-APP01", "--format", "mermaid", "--state", state)
    assert (code, err) == (0, "")
    assert _dedent(out) == _dedent(SEED_000_DIAGRAM)


def test_the_seed_diagram_is_the_one_the_test_expects() -> None:
    (seed,) = SEEDS.glob("000_*.txt")
    text = seed.read_text(encoding="utf-8")
    section = text[text.index("## Arborescence de checkpoints"):]
    block = section[section.index("```mermaid") + len("```mermaid"):]
    block = block[:block.index("```")]
    assert _dedent(block) == _dedent(SEED_000_DIAGRAM)


def test_tree_mermaid_scenario_07_en_us(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "tree", "SRV-APP01", "--format", "mermaid", "--state", state07)[1]
    assert _dedent(out)[:2] == ["flowchart TD", 'ROOT["Original disk<br/>SRV-APP01.vhdx"]']
    assert 'CURRENT["Now"]' in _dedent(out)


def test_tree_mermaid_scenario_10_branches(state10: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run(capsys, "tree", "SRV-WEB01", "--format", "mermaid", "--state", state10)[1]
    assert _dedent(out) == [
        "flowchart TD",
        'ROOT["Original disk<br/>SRV-WEB01.vhdx"]',
        'CP1["Checkpoint 1<br/>Test config IIS"]',
        'CP2["Checkpoint 2<br/>IIS + TLS 1.3"]',
        'CP3["Checkpoint 3<br/>IIS sans TLS 1.0"]',
        'CURRENT["Now"]',
        "",
        "ROOT --> CP1",
        "CP1 --> CP2",
        "CP1 --> CP3",
        "CP3 --> CURRENT",
    ]
    out = run(capsys, "tree", "SRV-SQL01", "--format", "mermaid", "--state", state10)[1]
    assert _dedent(out)[-1] == "ROOT --> CURRENT"
    assert 'ROOT["Original disk<br/>SRV-SQL01.vhdx"]' in out


def test_tree_errors(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tree", "NOPE", "--state", state07)
    assert code == 1
    assert_one_error(err, '"NOPE"')
    assert run(capsys, "tree", "SRV-APP01", "--format", "dot", "--state", state07)[0] == 2


# --- path -------------------------------------------------------------------------------------------------


def test_path_gives_the_real_file(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "path", "D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx", "--state", state07)
    assert (code, err) == (0, "")
    real = pathlib.Path(out.strip())
    assert real.is_file()
    assert real.resolve().is_relative_to(pathlib.Path(state07).resolve())
    assert real.name == "SRV-APP01.vhdx"


def test_path_dot_dot_stops_at_the_drive_root(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "path", "D:\\..\\..\\..\\..\\etc\\passwd", "--state", state07)
    assert code == 0
    real = pathlib.Path(out.strip()).resolve()
    assert real.is_relative_to(pathlib.Path(state07).resolve())
    assert real.parts[-3:] == ("D", "etc", "passwd")


@pytest.mark.parametrize("hostile", [
    "..\\..\\etc\\passwd",
    "/etc/passwd",
    "relative\\file",
    "\\\\server\\share\\file",
    "\\\\?\\C:\\Windows",
    "D:\\con",
    "D:\\a\x00b",
    "D:\\a:b",
    "D:\\bad|name",
    "",
    "D:\\" + "x" * 300,
])
def test_path_refuses_hostile_paths(hostile: str, state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "path", hostile, "--state", state07)
    assert code == 1 and out == ""
    assert_one_error(err, "")
    assert "\x00" not in err


# --- world export -----------------------------------------------------------------------------------------


def test_world_export_round_trips(state10: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "checkpoint", "create", "SRV-APP01", "--name", "Added", "--state", state10)
    code, out, err = run(capsys, "world", "export", "--state", state10)
    assert (code, err) == (0, "")
    doc = tomllib.loads(out)
    assert doc["now"] == dt.datetime(2026, 2, 20, 15, 0)
    assert "Added" in [c["name"] for vm in doc["vm"] for c in vm.get("checkpoint", [])]
    target = tmp_path / "exported.toml"
    assert run(capsys, "world", "export", "--output", str(target), "--state", state10) == (0, "", "")
    assert target.read_text(encoding="utf-8") == out
    copy = str(tmp_path / "copy")
    assert run(capsys, "init", "--world", str(target), "--state", copy)[0] == 0
    for vm in ("SRV-APP01", "SRV-WEB01"):
        assert run(capsys, "tree", vm, "--state", copy)[1] == run(capsys, "tree", vm, "--state", state10)[1]


def test_world_export_errors(state07: str, tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "world", "export", "--state", str(tmp_path / "none"))
    assert code == 1
    assert_one_error(err, "No hvemu state")
    code, _, err = run(capsys, "world", "export", "-o", str(tmp_path / "no" / "such" / "dir.toml"),
                       "--state", state07)
    assert code == 1
    assert_one_error(err, "cannot write")
    assert run(capsys, "world")[0] == 2


# --- events, clock ------------------------------------------------------------------------------------------


def test_events_list_the_production_checkpoint_fallback(make_state: Callable[..., str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    state = make_state(WORLD_07.replace('memory = "4GB"', 'memory = "4GB"\nguest_vss = "failing"'))
    assert run(capsys, "events", "--state", state) == (0, "", "")
    assert run(capsys, "checkpoint", "create", "SRV-APP01", "--name", "x", "--state", state)[0] == 0
    code, out, err = run(capsys, "events", "--state", state)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["TimeCreated", "Level", "Id", "VMName", "Message"]
    assert lines[2].startswith("2/11/2026 9:00:00 AM ")
    assert "SRV-APP01" in lines[2]


def test_clock_shows_and_advances_the_virtual_clock(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "clock", "--state", state07) == (0, "2026-02-11T09:00:00\n", "")
    assert run(capsys, "clock", "--advance", "90", "--state", state07) == (0, "2026-02-11T09:01:30\n", "")
    assert run(capsys, "clock", "--state", state07)[1] == "2026-02-11T09:01:30\n"


def test_clock_advance_finishes_a_due_merge(state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "checkpoint", "remove", "SRV-APP01", "--name", "Avant patch Tuesday", "--state", state07)
    assert table(run(capsys, "vm", "list", "--state", state07)[1])[0][2:4] == ["Merging", "disks"]
    run(capsys, "clock", "--advance", "3600", "--state", state07)
    assert table(run(capsys, "vm", "list", "--state", state07)[1])[0][2:4] == ["Operating", "normally"]


def test_clock_errors(make_state: Callable[..., str], state07: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "clock", "--advance", "-5", "--state", state07)
    assert code == 1
    assert_one_error(err, "--advance")
    assert run(capsys, "clock", "--advance", "soon", "--state", state07)[0] == 2
    real = make_state(WORLD_07.replace("now = 2026-02-11T09:00:00\n", ""))
    code, _, err = run(capsys, "clock", "--advance", "5", "--state", real)
    assert code == 1
    assert_one_error(err, "real")
    assert run(capsys, "clock", "--state", real)[0] == 0


# --- usage, internal errors ---------------------------------------------------------------------------------


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("init", "vm", "checkpoint", "tree", "path", "world", "events", "clock"):
        assert command in out
    assert run(capsys, "checkpoint", "--help")[0] == 0
    assert run(capsys)[0] == 2
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "vm", "list", "--bogus")[0] == 2
    code, _, err = run(capsys, "checkpoint")
    assert code == 2 and "COMMAND" in err


def _boom(args: object) -> int:
    raise ZeroDivisionError("division by zero")


def test_an_unexpected_exception_is_one_line_and_exit_70(state07: str, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "cmd_events", _boom)
    code, out, err = run(capsys, "events", "--state", state07)
    assert code == 70 and out == ""
    assert_one_error(err, "internal error: ZeroDivisionError: division by zero")
    assert "HVEMU_DEBUG=1" in err


def test_hvemu_debug_keeps_the_traceback(state07: str, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(cli, "cmd_events", _boom)
    monkeypatch.setenv("HVEMU_DEBUG", "1")
    code, _, err = run(capsys, "events", "--state", state07)
    assert code == 70
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("hvemu: error: internal error")


def test_interrupted(state07: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupt(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_events", interrupt)
    code, _, err = run(capsys, "events", "--state", state07)
    assert code == 130
    assert_one_error(err, "interrupted")


def test_format_table_pads_columns_and_strips_trailing_spaces() -> None:
    # as PowerShell 5.1: the dashes are as long as the header, the column as its widest cell
    assert cli.format_table(["A", "Long header"], [["xyz", ""], ["q", "v"]]) == (
        "A   Long header\n-   -----------\nxyz\nq   v"
    )


def test_run_and_shell_are_commands_of_hvemu(capsys: pytest.CaptureFixture[str]) -> None:
    # cli.main builds them from cli.run (whole parser for --help, their group alone otherwise).
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "run a PowerShell script against the emulator" in out
    assert "an interactive PowerShell prompt on the emulator" in out
    code, out, _ = run(capsys, "run", "--help")
    assert code == 0 and out.startswith("usage: hvemu run ") and "--command COMMAND" in out
    code, out, _ = run(capsys, "shell", "--help")
    assert code == 0 and out.startswith("usage: hvemu shell ")
    code, _, err = run(capsys, "run")
    assert (code, err) == (1, "hvemu: error: give a script to run (a .ps1 file, or - for standard input), or -c COMMAND.\n")
