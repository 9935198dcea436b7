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
def test_run(hyperv, hyperv_ps):
    result = hyperv_ps("Checkpoint-VM -Name SRV-APP01 -SnapshotName 'Before'; Get-VMSnapshot -VMName SRV-APP01 | Select-Object -ExpandProperty Name")
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


def test_fixture_run_with_prompt_answers(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", fleet=WORLD)
    pytester.makepyfile(test_answers='''
import pytest

SCRIPT = "$n = Read-Host 'Checkpoint name'; Checkpoint-VM -Name SRV-APP01 -SnapshotName $n -Confirm; " \\
         "(Get-VMSnapshot -VMName SRV-APP01).Name"

@pytest.mark.hyperv_world("fleet.toml")
def test_answers(hyperv, hyperv_ps):
    result = hyperv_ps(SCRIPT, stdin="Before patch\\nn\\n")
    assert result.stdout.startswith("Checkpoint name: Before patch\\n")
    assert result.stdout.rstrip().endswith("n")  # declined: no checkpoint listed after the prompt
    assert hyperv.client.vm("SRV-APP01").checkpoints() == []
    yes = hyperv.run(SCRIPT, stdin="After\\ny\\n")
    assert yes.stdout.rstrip().endswith("After")
    none = hyperv.run_command("Read-Host 'x'")
    assert "NonInteractive mode" in none.stderr
''')
    pytester.runpytest("-p", "hyperv", "-q").assert_outcomes(passed=1)


def test_ps_is_a_deprecated_alias_of_hyperv_ps(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it='''
def test_old_name(ps, hyperv):
    assert ps("Write-Output hi").stdout == "hi\\n"

def test_new_name(hyperv_ps, hyperv):
    assert hyperv_ps("Write-Output hi").stdout == "hi\\n"
    assert hyperv_ps.__self__ is hyperv
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_old_name*", "*DeprecationWarning: the `ps` fixture of hyperv-emu is deprecated*"
                                 "use `hyperv_ps`*"])
    assert result.stdout.str().count("DeprecationWarning") == 1
    strict = pytester.runpytest("-p", "no:cacheprovider", "-W", "error::DeprecationWarning")
    strict.assert_outcomes(passed=1, errors=1)


def test_under_xdist_each_worker_has_its_own_states(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makefile(".toml", fleet=WORLD)
    tests = "\n".join(f'''
@pytest.mark.hyperv_world("fleet.toml")
def test_{i}(hyperv, worker_id):
    hyperv.run("Checkpoint-VM -Name SRV-APP01 -SnapshotName 'cp {i}'")
    assert [c.name for c in hyperv.vm("SRV-APP01").checkpoints()] == ["cp {i}"]
    URLS.append((worker_id, hyperv.url))
    assert len(set(u for _, u in URLS)) == len(URLS)
''' for i in range(6))
    pytester.makepyfile(test_it="import pytest\nURLS = []\n" + tests + '''
@pytest.mark.hyperv_world("fleet.toml", storage="local")
def test_local(hyperv, tmp_path, worker_id):
    assert worker_id.startswith("gw") and hyperv.url.startswith(str(tmp_path))

def test_fails(hyperv):
    assert False
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "--hyperv-keep-state")
    result.assert_outcomes(passed=7, failed=1)
    result.stdout.fnmatch_lines(["*2 workers*", "*hyperv-emu kept states*", "test_it.py::test_fails: */hyperv-kept/*"])


def test_an_older_pytest_is_told_what_the_plugin_needs(monkeypatch: pytest.MonkeyPatch,
                                                        pytestconfig: pytest.Config) -> None:
    from hyperv_emu.testing import pytest_plugin

    monkeypatch.setattr(pytest, "version_tuple", (7, 4, 4))
    monkeypatch.setattr(pytest, "__version__", "7.4.4")
    with pytest.raises(pytest.UsageError, match=r"needs pytest>=8, this is pytest 7.4.4: pip install 'hyperv-emu\[pytest\]'"):
        pytest_plugin.pytest_configure(pytestconfig)


def test_loading_the_plugin_stays_cheap() -> None:
    """pytest loads the plugin in every run of an environment with hyperv-emu: importing it must
    not import the emulator, the SDK, psshim or their libraries."""
    import subprocess
    import sys

    code = ("import sys, hyperv_emu.testing.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in {'attrs', 'cattrs', 'lark', 'fsspec', 'filelock'}"
            " or m.startswith(('hyperv_emu.sdk', 'hyperv_emu.emulator', 'hyperv_emu.psshim'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout.strip()) == (0, "[]"), proc.stderr


def test_an_unknown_storage_fails_the_test_clearly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_it='''
import pytest

@pytest.mark.hyperv_world("now = 2026-01-01T00:00:00\\n", storage="s3")
def test_it(hyperv):
    pass
''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*hyperv_world(storage='s3'): use 'memory' or 'local'*"])


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
def test_checkpoint(hyperv, hyperv_ps, n):
    assert hyperv_ps(f"Checkpoint-VM -Name SRV-APP01 -SnapshotName 'cp{n}'").exit_code == 0
    assert [c.name for c in hyperv.client.get_checkpoints("SRV-APP01")] == [f"cp{n}"]

@pytest.mark.parametrize("n", range(4))
@pytest.mark.hyperv_world("fleet.toml", storage="local")
def test_local(hyperv, hyperv_ps, n):
    assert hyperv_ps(f"Checkpoint-VM -Name SRV-APP01 -SnapshotName 'local{n}'").exit_code == 0
    assert [c.name for c in hyperv.client.get_checkpoints("SRV-APP01")] == [f"local{n}"]
''')
    result = pytester.runpytest_subprocess("-n", "2", *ARGS)
    result.assert_outcomes(passed=14)
    result.stdout.fnmatch_lines(["*2 workers*"])
