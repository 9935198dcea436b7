"""The plugin's options: `--hyperv-keep-state` (a failed test's state written out, the folder
named in its failure report) and `--hyperv-update-expected` (scenario folders' expected files
rewritten from the run, as snapshot plugins do)."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

import hvemu_testlib as T
from hyperv_emu.testing.scenarios import normalise

pytest_plugins = ["pytester"]

SCENARIOS = {p.name: p for p in T.scenario_dirs()}

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
"""

FAILING = '''
import pytest

@pytest.mark.hyperv_world("fleet.toml")
def test_fails_after_a_checkpoint(hyperv):
    hyperv.run("Checkpoint-VM -Name SRV-APP01 -SnapshotName 'Kept'")
    assert hyperv.vm("SRV-APP01").checkpoints() == []

@pytest.mark.hyperv_world("fleet.toml", storage="local")
def test_fails_on_local_storage(hyperv):
    hyperv.run("Stop-VM -Name SRV-APP01 -Force")
    assert False

def test_passes(hyperv):
    assert hyperv.client.get_vms() == []

def test_fails_without_the_fixture():
    assert False
'''


def _kept_folders(result: pytest.RunResult) -> dict[str, pathlib.Path]:
    """test name -> the folder its failure report names."""
    text = result.stdout.str()
    found = {}
    for name, folder in re.findall(r"_ (test_\w+) _.*?the state is kept in (\S+)", text, re.S):
        found[name] = pathlib.Path(folder)
    return found


def test_keep_state_writes_the_failed_tests_state_and_says_where(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_keep=FAILING)
    result = pytester.runpytest("-p", "no:cacheprovider", "--hyperv-keep-state")
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(["*- hyperv-emu state -*", "*the state is kept in *", "*hvemu tree <VM> --state *",
                                 "*hyperv-emu kept states*"])
    kept = _kept_folders(result)
    assert set(kept) == {"test_fails_after_a_checkpoint", "test_fails_on_local_storage"}, result.stdout.str()
    for folder in kept.values():
        assert folder.is_dir() and "hyperv-kept" in folder.parts, folder
        assert (folder / "state" / "hvemu-state.db").is_file()
    world = tomllib.loads((kept["test_fails_after_a_checkpoint"] / "world.toml").read_text(encoding="utf-8"))
    assert [vm["name"] for vm in world["vm"]] == ["SRV-APP01"]
    proc = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "run", "--state",
                           str(kept["test_fails_after_a_checkpoint"] / "state"), "-c",
                           "Get-VMSnapshot -VMName SRV-APP01 | Select-Object -ExpandProperty Name"],
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout.strip(), proc.stderr) == (0, "Kept", "")
    proc = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "run", "--state",
                           str(kept["test_fails_on_local_storage"] / "state"), "-c",
                           "(Get-VM -Name SRV-APP01).State"], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout.strip()) == (0, "Off"), proc.stderr


def test_keep_state_dir_and_nothing_kept_without_the_option(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_keep=FAILING)
    plain = pytester.runpytest("-p", "no:cacheprovider")
    plain.assert_outcomes(passed=1, failed=3)
    assert "hyperv-emu state" not in plain.stdout.str() and "the state is kept" not in plain.stdout.str()
    assert "hyperv-emu kept states" not in plain.stdout.str()
    target = pytester.path / "kept-here"
    result = pytester.runpytest("-p", "no:cacheprovider", f"--hyperv-keep-state-dir={target}",
                                "-k", "after_a_checkpoint")
    result.assert_outcomes(failed=1, deselected=3)
    [folder] = list(target.iterdir())
    assert folder.name == "test_keep.py_test_fails_after_a_checkpoint"
    assert _kept_folders(result) == {"test_fails_after_a_checkpoint": folder}


def _copy(pytester: pytest.Pytester, *names: str) -> pathlib.Path:
    scen = pytester.path / "scen"
    for name in names:
        shutil.copytree(SCENARIOS[name], scen / name)
    pytester.makeini("[pytest]\nhyperv_scenarios = scen\n")
    return scen


@pytest.mark.skipif(not SCENARIOS, reason="the shared scenarios are not here")
def test_update_expected_rewrites_what_differs_and_then_the_folders_pass(pytester: pytest.Pytester) -> None:
    scen = _copy(pytester, "03-create-named-checkpoints", "09-remove-all-wait-for-merge", "21-checkpoint-unknown-vm",
                 "06-list-and-restore")
    merge = scen / "09-remove-all-wait-for-merge"
    created = scen / "03-create-named-checkpoints"
    unknown = scen / "21-checkpoint-unknown-vm"
    untouched = scen / "06-list-and-restore"
    (merge / "expected.txt").write_text("something else\n")
    after = (merge / "expected-after.toml").read_text()
    (merge / "expected-after.toml").write_text(
        after.replace("12:00:35", "12:00:00").replace('"Operating normally"', '"Merging disks"')
        .replace("exists = false", "exists = true", 1))
    (created / "expected-after.toml").write_text(
        (created / "expected-after.toml").read_text().replace("08:00:05", "09:00:00"))
    (unknown / "expected-stderr.txt").write_text("Checkpoint-VM : something else\n")
    before_untouched = {p.name: p.read_bytes() for p in untouched.iterdir()}

    failing = pytester.runpytest("-p", "no:cacheprovider")
    failing.assert_outcomes(passed=1, failed=3)

    result = pytester.runpytest("-p", "no:cacheprovider", "--hyperv-update-expected")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*hyperv-emu updated expected files*",
                                 "*03-create-named-checkpoints*: expected-after.toml",
                                 "*09-remove-all-wait-for-merge*: expected.txt, expected-after.toml",
                                 "*21-checkpoint-unknown-vm*: expected-stderr.txt"])
    assert "06-list-and-restore" not in result.stdout.str().split("updated expected files")[1]
    # the rewritten files say what the real expected files (from Windows) say
    source = SCENARIOS
    for folder in (merge, created):
        assert tomllib.loads((folder / "expected-after.toml").read_text()) == \
            tomllib.loads((source[folder.name] / "expected-after.toml").read_text(encoding="utf-8-sig"))
    assert normalise((merge / "expected.txt").read_text()) == \
        normalise((source[merge.name] / "expected.txt").read_text(encoding="utf-8-sig"))
    assert normalise((unknown / "expected-stderr.txt").read_text()) == \
        normalise((source[unknown.name] / "expected-stderr.txt").read_text(encoding="utf-8-sig"))
    assert {p.name: p.read_bytes() for p in untouched.iterdir()} == before_untouched
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


@pytest.mark.skipif(not SCENARIOS, reason="the shared scenarios are not here")
def test_update_expected_cannot_rewrite_hand_written_stderr_lines(pytester: pytest.Pytester) -> None:
    scen = _copy(pytester, "20-checkpoint-disabled")
    contains = scen / "20-checkpoint-disabled" / "expected-stderr-contains.txt"
    contains.write_text("Checkpoint-VM : a line no run prints\n")
    (scen / "20-checkpoint-disabled" / "expected.txt").write_text("wrong\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--hyperv-update-expected")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*some expected files could not be updated*",
                                 "*standard error lacks the line 'Checkpoint-VM : a line no run prints'*"])
    assert contains.read_text() == "Checkpoint-VM : a line no run prints\n"
    assert normalise((scen / "20-checkpoint-disabled" / "expected.txt").read_text()) == \
        normalise((SCENARIOS["20-checkpoint-disabled"] / "expected.txt").read_text(encoding="utf-8-sig"))


@pytest.mark.skipif(not SCENARIOS, reason="the shared scenarios are not here")
def test_keep_state_keeps_a_failed_scenarios_state_after_its_run(pytester: pytest.Pytester) -> None:
    scen = _copy(pytester, "08-remove-merging-disks", "06-list-and-restore")
    (scen / "08-remove-merging-disks" / "expected.txt").write_text("wrong\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--hyperv-keep-state")
    result.assert_outcomes(passed=1, failed=1)
    [(name, folder)] = re.findall(r"_ scenario: (\S+) _.*?the state is kept in (\S+)", result.stdout.str(), re.S)
    assert name == "08-remove-merging-disks"
    world = tomllib.loads((pathlib.Path(folder) / "world.toml").read_text(encoding="utf-8"))
    after = tomllib.loads((SCENARIOS[name] / "expected-after.toml").read_text(encoding="utf-8-sig"))
    assert world["now"] == after["now"]                          # the clock as the script left it
    assert [vm.get("checkpoints", []) for vm in world["vm"] if vm["name"] == "SRV-APP01"] == [[]]
