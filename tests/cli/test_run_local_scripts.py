"""`hvemu run` on a multi-file script that lives on this machine, run the way Hashicorp Vagrant's
Hyper-V provider runs its snapshot scripts (issue 12): a driver script with `#Requires -Modules`,
a `param()` block, `$ErrorActionPreference = "Stop"`, module-qualified Hyper-V cmdlets, try/catch,
`exit 1`, JSON output between markers written by a helper module found through a local
`$env:PSModulePath` folder, and a library dot-sourced from `$PSScriptRoot`.

The fixtures below are our own look-alikes of that shape (not Vagrant's code). Vagrant extends
PSModulePath in the command it runs (`$env:PSModulePath+';<scripts>/utils'; &('<script>') args`);
a user may also export it from the shell (`PSModulePath=<folder> hvemu run ...`). Both are tested.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main

VM_ID = "3f2a7c1e-0b6d-4e8a-9c55-1d2e3f4a5b6c"
WORLD = f"""now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
id = "{VM_ID}"
state = "Running"
checkpoint_type = "Disabled"
disks = [{{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }}]
"""

MESSAGES_MODULE = """\
function Write-FailureMessage {
    param([Parameter(Mandatory=$true, Position=0)][string]$Text)
    Write-Host "===Begin-Error==="
    Write-Host (ConvertTo-Json @{ error = $Text })
    Write-Host "===End-Error==="
}

function Write-ResultMessage {
    param([Parameter(Mandatory=$true, Position=0)][string]$Text)
    Write-Host "===Begin-Output==="
    Write-Host $Text
    Write-Host "===End-Output==="
}
"""

LIBRARY = """\
function Get-TargetVM([string]$Id) {
    Hyper-V\\Get-VM -Id $Id
}
$LibraryLoadedFrom = $PSScriptRoot
"""

SNAPSHOT_SCRIPT = """\
#Requires -Modules ResultMessages

param(
    [Parameter(Mandatory=$true)]
    [string]$VmId,
    [string]$SnapName,
    [ValidateSet("create", "list", "restore", "delete")]
    [string]$Action = "create"
)

$ErrorActionPreference = "Stop"
. $PSScriptRoot\\lib\\vmlib.ps1

try {
    $VM = Get-TargetVM $VmId
    switch ($Action) {
        "create" {
            $Type = $VM.CheckpointType
            if ($Type -eq "Disabled") { Hyper-V\\Set-VM -VM $VM -CheckpointType "Standard" }
            Hyper-V\\Checkpoint-VM $VM -SnapshotName $SnapName
            if ($Type -eq "Disabled") { Hyper-V\\Set-VM -VM $VM -CheckpointType "Disabled" }
        }
        "restore" { Hyper-V\\Restore-VMSnapshot $VM -Name $SnapName -Confirm:$false }
        "delete" { Hyper-V\\Remove-VMSnapshot $VM -Name $SnapName }
    }
    $Snapshots = @(Hyper-V\\Get-VMSnapshot $VM | Select-Object Name)
} catch {
    Write-FailureMessage "Failed to $Action snapshot: ${PSItem}"
    exit 1
}
$result = @{ vm = $VM.Name; snapshots = @($Snapshots | ForEach-Object { $_.Name }); root = $PSScriptRoot;
             library = $LibraryLoadedFrom; bound = $PSBoundParameters.Count }
Write-ResultMessage (ConvertTo-Json $result -Compress)
"""


@pytest.fixture
def scripts(tmp_path: pathlib.Path) -> pathlib.Path:
    """A scripts folder as Vagrant lays it out: the driver, a library, modules under utils/."""
    root = tmp_path / "provider scripts"
    (root / "lib").mkdir(parents=True)
    (root / "utils" / "ResultMessages").mkdir(parents=True)
    (root / "snapshot.ps1").write_text(SNAPSHOT_SCRIPT, encoding="utf-8")
    (root / "lib" / "vmlib.ps1").write_text(LIBRARY, encoding="utf-8")
    (root / "utils" / "ResultMessages" / "ResultMessages.psm1").write_text(MESSAGES_MODULE, encoding="utf-8")
    return root


@pytest.fixture
def state(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> str:
    world = tmp_path / "world.toml"
    world.write_text(WORLD, encoding="utf-8")
    path = str(tmp_path / "state")
    assert main(["init", "--world", str(world), "--state", path]) == 0
    capsys.readouterr()
    return path


def marked(text: str, marker: str) -> str:
    """The text between Vagrant-style `===Begin-<marker>===` and `===End-<marker>===` lines."""
    start = text.index(f"==={'Begin-' + marker}===\n") + len(f"===Begin-{marker}===\n")
    return text[start:text.index(f"===End-{marker}===")]


def vagrant_command(scripts: pathlib.Path, *args: str) -> str:
    """The -Command line Vagrant runs: PSModulePath extended, then the script by its path."""
    quoted = " ".join(args)
    return f"$env:PSModulePath=$env:PSModulePath+';{scripts / 'utils'}'; &('{scripts / 'snapshot.ps1'}') {quoted}"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_vagrant_style_flow_end_to_end(scripts: pathlib.Path, state: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("before-update", "after-update"):
        code, out, err = run(["run", "--state", state, "-c",
                              vagrant_command(scripts, "-VmId", VM_ID, "-SnapName", name)], capsys)
        assert (code, err) == (0, "")
    result = json.loads(marked(out, "Output"))
    assert result == {"vm": "SRV-APP01", "snapshots": ["before-update", "after-update"], "root": str(scripts),
                      "library": str(scripts / "lib"), "bound": 2}
    # the checkpoint type was put back, as the script does
    client = sdk.connect(state)
    assert client.vm("SRV-APP01").checkpoint_type.name == "Disabled"

    code, out, err = run(["run", "--state", state, "-c", vagrant_command(
        scripts, "-VmId", VM_ID, "-SnapName", "before-update", "-Action", "restore")], capsys)
    assert (code, err) == (0, "")
    code, out, err = run(["run", "--state", state, "-c", vagrant_command(
        scripts, "-VmId", VM_ID, "-SnapName", "after-update", "-Action", "delete")], capsys)
    assert (code, err) == (0, "")
    assert json.loads(marked(out, "Output"))["snapshots"] == ["before-update"]


def test_a_failure_is_reported_between_the_error_markers(scripts: pathlib.Path, state: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["run", "--state", state, "-c", vagrant_command(
        scripts, "-VmId", VM_ID, "-SnapName", "none", "-Action", "restore")], capsys)
    assert code == 1 and err == ""
    # Restore-VMSnapshot -Name with no match is Hyper-V's ObjectNotFound; the catch block's
    # `exit 1` in the called script makes `powershell -Command` end with 1 ($? is False)
    assert json.loads(marked(out, "Error")) == {
        "error": "Failed to restore snapshot: Unable to find a snapshot matching the given criteria."}


def test_the_script_file_run_directly_with_psmodulepath_from_the_environment(
        scripts: pathlib.Path, state: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PSModulePath", str(scripts / "utils"))
    code, out, err = run(["run", "--state", state, str(scripts / "snapshot.ps1"), "-VmId", VM_ID,
                          "-Action", "list"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(marked(out, "Output"))["snapshots"] == []


def test_a_relative_script_path_from_the_current_folder(scripts: pathlib.Path, state: str,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(scripts.parent)
    monkeypatch.setenv("PSModulePath", "provider scripts/utils")  # relative: not a module folder
    code, out, err = run(["run", "--state", state, os.path.join("provider scripts", "snapshot.ps1"),
                          "-VmId", VM_ID], capsys)
    assert code == 1 and out == ""
    assert "are missing: ResultMessages." in err
    monkeypatch.setenv("PSModulePath", str(scripts / "utils"))
    code, out, err = run(["run", "--state", state, os.path.join("provider scripts", "snapshot.ps1"),
                          "-VmId", VM_ID, "-SnapName", "rel"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(marked(out, "Output"))["root"] == str(scripts)


def test_the_script_cannot_change_its_own_folder(scripts: pathlib.Path, state: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(str(p.relative_to(scripts)) for p in scripts.rglob("*"))
    tamper = scripts / "tamper.ps1"
    tamper.write_text("Set-Content $PSScriptRoot\\snapshot.ps1 'gone'\n"
                      "'log' | Out-File \"$PSScriptRoot/run.log\"\n", encoding="utf-8")
    code, out, err = run(["run", "--state", state, str(tamper)], capsys)
    # both errors end only their statement: the -File exit code stays 0
    assert code == 0
    assert "GetContentWriterUnauthorizedAccessError" in err and "FileOpenFailure" in err
    assert f"Access to the path '{scripts / 'snapshot.ps1'}' is denied." in " ".join(err.split())  # unwrapped
    assert (scripts / "snapshot.ps1").read_text(encoding="utf-8") == SNAPSHOT_SCRIPT
    assert sorted(str(p.relative_to(scripts)) for p in scripts.rglob("*")) == sorted(before + ["tamper.ps1"])


def test_the_flow_in_a_real_process(scripts: pathlib.Path, state: str) -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("HVEMU_STATE", "HVEMU_DEBUG", "PSModulePath")}
    done = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "run", "--state", state, "-c",
                           vagrant_command(scripts, "-VmId", VM_ID, "-SnapName", "from-a-process")],
                          cwd=scripts.parent, env=environ, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(marked(done.stdout, "Output"))["snapshots"] == ["from-a-process"]


def test_relative_code_paths_from_the_current_folder(scripts: pathlib.Path, state: str,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # powershell.exe -File resolves `. .\lib.ps1` from its current folder; the emulated host's
    # location stays C:\Users\Administrator, where writes go
    (scripts / "relative.ps1").write_text(
        ". .\\lib\\vmlib.ps1\nImport-Module ./utils/ResultMessages/ResultMessages.psm1\n"
        "Write-ResultMessage $LibraryLoadedFrom\n(Get-Location).Path\n", encoding="utf-8")
    monkeypatch.chdir(scripts)
    code, out, err = run(["run", "--state", state, "relative.ps1"], capsys)
    assert (code, err) == (0, "")
    assert marked(out, "Output") == f"{scripts / 'lib'}\n"
    assert out.splitlines()[-1] == "C:\\Users\\Administrator"
    monkeypatch.chdir(scripts.parent)
    code, out, err = run(["run", "--state", state, str(scripts / "relative.ps1")], capsys)
    assert "The term '.\\lib\\vmlib.ps1' is not recognized" in err
