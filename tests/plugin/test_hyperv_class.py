"""`hyperv_emu.testing.HyperV`, the `hyperv` fixture's class: public, typed (mypy sees no Any
in a user's test that uses it), and usable without pytest."""

from __future__ import annotations

import datetime as dt
import inspect
import pathlib
import typing

import pytest

from hyperv_emu import sdk
from hyperv_emu.psshim.session import RunResult as PsshimRunResult
from hyperv_emu.testing import HyperV, RunResult, mock_hyperv

ROOT = pathlib.Path(__file__).resolve().parents[2]

WORLD = """now = 2026-02-20T08:00:00
[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Standard"
disks = [{ path = 'D:\\\\VHDs\\\\SRV-APP01.vhdx', size = "10GB" }]
"""


def test_the_public_names() -> None:
    import hyperv_emu.testing as testing

    assert set(testing.__all__) == {"HyperV", "RunResult", "mock_hyperv"}
    assert RunResult is PsshimRunResult
    assert mock_hyperv.__module__ == "hyperv_emu.testing.mock"
    assert {"HyperV", "RunResult", "mock_hyperv"} <= set(dir(testing))


def test_no_any_in_the_public_signatures() -> None:
    from hyperv_emu.psshim.session import Session
    from hyperv_emu.sdk.tasks import ScheduledTaskInfo, TaskRun

    names = {"HyperVClient": sdk.HyperVClient, "VM": sdk.VM, "RunResult": RunResult, "Session": Session,
             "ScheduledTaskInfo": ScheduledTaskInfo, "TaskRun": TaskRun}
    public = [m for name, m in inspect.getmembers(HyperV) if not name.startswith("_")]
    for member in public:
        function = member.fget if isinstance(member, property) else member
        hints = typing.get_type_hints(function, localns=names)
        assert "return" in hints, function
        for name, hint in hints.items():
            assert "Any" not in repr(hint), (function, name, hint)


def test_run_vm_client_and_the_clock(tmp_path: pathlib.Path) -> None:
    (tmp_path / "list.ps1").write_text("param([string]$Name)\nGet-VM -Name $Name | Select-Object -ExpandProperty State\n")
    with HyperV.memory(WORLD, base_dir=tmp_path) as hv:
        assert hv.url.startswith("memory://")
        assert isinstance(hv.client, sdk.HyperVClient)
        assert isinstance(hv.vm("SRV-APP01"), sdk.VM)
        result = hv.run("list.ps1", "-Name", "SRV-APP01")
        assert isinstance(result, RunResult)
        assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "Running", "")
        bad = hv.run_command("Get-VM -Name NOPE")
        assert bad.errors and "Get-VM : Hyper-V was unable to find" in bad.stderr
        assert hv.now() == dt.datetime(2026, 2, 20, 8, 0)
        assert hv.advance(30, minutes=1) == dt.datetime(2026, 2, 20, 8, 1, 30)
        assert hv.advance(hours=1, days=1) == dt.datetime(2026, 2, 21, 9, 1, 30)
        with pytest.raises(ValueError, match="only moves forward"):
            hv.advance(minutes=-1)
        assert hv.load_world("now = 2026-03-01T00:00:00\n") is hv
        assert hv.client.get_vms() == []
        url = hv.url
    assert not sdk.state_exists(url)
    with pytest.raises(RuntimeError, match="closed"):
        hv.run("Get-VM")


def test_a_users_test_type_checks_without_any(tmp_path: pathlib.Path) -> None:
    api = pytest.importorskip("mypy.api")
    (tmp_path / "user_test.py").write_text('''
import datetime as dt

from hyperv_emu import sdk
from hyperv_emu.testing import HyperV, RunResult


def test_typed(hyperv: HyperV) -> None:
    result: RunResult = hyperv.run("Get-VM")
    again: RunResult = hyperv.run_command("Get-VM")
    code: int = result.exit_code + again.exit_code
    text: str = result.stdout + result.stderr
    client: sdk.HyperVClient = hyperv.client
    vm: sdk.VM = hyperv.vm("SRV-APP01")
    when: dt.datetime = hyperv.advance(seconds=1, minutes=2, hours=3, days=4)
    now: dt.datetime = hyperv.now()
    same: HyperV = hyperv.load_world("fleet.toml")
    url: str = hyperv.url
    reveal_type(hyperv.vm)
    reveal_type(hyperv.run)
''')
    (tmp_path / "mypy.ini").write_text("[mypy]\nstrict = True\nignore_missing_imports = True\n"
                                       "mypy_path = " + str(ROOT / "src") + "\n"
                                       "[mypy-user_test]\ndisallow_any_expr = True\n")
    stdout, stderr, status = api.run(["--config-file", str(tmp_path / "mypy.ini"), "--cache-dir",
                                      str(tmp_path / ".mypy_cache"), str(tmp_path / "user_test.py")])
    assert status == 0, stdout + stderr
    assert 'Revealed type is "def (name: builtins.str) -> hyperv_emu.sdk.types.VM"' in stdout or \
        'Revealed type is "def (name: str) -> hyperv_emu.sdk.types.VM"' in stdout, stdout
    assert "-> hyperv_emu.psshim.session.RunResult" in stdout, stdout
