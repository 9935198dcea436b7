"""The pytest plugin's fixtures and scenario collection, exercised in pytester sandboxes."""

from __future__ import annotations

import pathlib
import shutil

import pytest

import hvemu_testlib as T

pytest_plugins = ["pytester"]

# The inner sessions: no cache folder, and no pytest-benchmark where it happens to be installed
# (inside an xdist worker it would warn that benchmarks are disabled; no test here uses it).
ARGS = ("-p", "no:cacheprovider", "-p", "no:benchmark")

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
"""


def test_fixture_world_marker_run_and_clock(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_it='''
import datetime as dt
import pytest

@pytest.mark.hyperv_world("fleet.toml")
def test_run(hyperv, ps):
    result = ps("Checkpoint-VM -Name SRV-APP01 -SnapshotName 'Before'; Get-VMSnapshot -VMName SRV-APP01 | Select-Object -ExpandProperty Name")
    assert result.exit_code == 0
    assert result.output == ("Before",)
    assert result.stdout.strip() == "Before"
    bad = hyperv.run_command("Get-VM -Name NOPE")
    assert bad.errors[0].fully_qualified_error_id == "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM"
    assert "Get-VM : Hyper-V was unable to find" in bad.stderr
    assert hyperv.now() == dt.datetime(2026, 2, 20, 8, 0)
    assert hyperv.advance(90) == dt.datetime(2026, 2, 20, 8, 1, 30)
    assert hyperv.vm("SRV-APP01").checkpoint("Before").state.name == "Saved"

def test_fresh_state_per_test(hyperv):
    assert hyperv.client.get_vms() == []

@pytest.mark.hyperv_world("fleet.toml", storage="local")
def test_local_storage(hyperv, tmp_path):
    assert hyperv.url.startswith(str(tmp_path))
    assert [v.name for v in hyperv.client.get_vms()] == ["SRV-APP01"]

@pytest.mark.parametrize("hyperv", ["fleet.toml"], indirect=True)
def test_indirect(hyperv):
    assert hyperv.vm("SRV-APP01").state.name == "Running"
''')
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=4)


def test_scenario_folders_are_collected_with_a_diff(pytester: pytest.Pytester) -> None:
    scen = pytester.path / "scen"
    for folder in T.scenario_dirs()[:2]:
        shutil.copytree(folder, scen / folder.name)
    broken = scen / T.scenario_dirs()[0].name / "expected.txt"
    broken.write_text(broken.read_text().replace("Production", "Standard"))
    pytester.makeini("[pytest]\nhyperv_scenarios = scen\n")
    result = pytester.runpytest(*ARGS)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*-SRV-APP01     Standard*", "*+SRV-APP01     Production*"])


def test_folders_outside_the_ini_option_are_not_collected(pytester: pytest.Pytester) -> None:
    shutil.copytree(T.scenario_dirs()[0], pytester.path / "elsewhere" / "s")
    result = pytester.runpytest(*ARGS)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_the_plugin_under_xdist(pytester: pytest.Pytester) -> None:
    """A user's suite run with `pytest -n 2`: each worker process gets its own fresh states for the
    fixture (in memory and in tmp_path) and runs its share of the scenario folders."""
    scen = pytester.path / "scen"
    for folder in T.scenario_dirs()[:4]:
        shutil.copytree(folder, scen / folder.name)
    pytester.makeini("[pytest]\nhyperv_scenarios = scen\n")
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_it='''
import pytest

@pytest.mark.parametrize("n", range(6))
@pytest.mark.hyperv_world("fleet.toml")
def test_checkpoint(hyperv, ps, n):
    assert ps(f"Checkpoint-VM -Name SRV-APP01 -SnapshotName 'cp{n}'").exit_code == 0
    assert [c.name for c in hyperv.client.get_checkpoints("SRV-APP01")] == [f"cp{n}"]

@pytest.mark.parametrize("n", range(4))
@pytest.mark.hyperv_world("fleet.toml", storage="local")
def test_local(hyperv, ps, n):
    assert ps(f"Checkpoint-VM -Name SRV-APP01 -SnapshotName 'local{n}'").exit_code == 0
    assert [c.name for c in hyperv.client.get_checkpoints("SRV-APP01")] == [f"local{n}"]
''')
    result = pytester.runpytest_subprocess("-n", "2", *ARGS)
    result.assert_outcomes(passed=14)
    result.stdout.fnmatch_lines(["*2 workers*"])
