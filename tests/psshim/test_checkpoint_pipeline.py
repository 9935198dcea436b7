"""`Get-VM | Get-VMCheckpoint` asks the host once for the fleet's checkpoints, not once per VM,
and a script sees what PowerShell's streaming pipeline shows: each VM's checkpoints as its record
arrives (interleaved with what other stages write), in the host's order, including what an
upstream stage changed just before (psshim/cmdlets/fleet_listing.py)."""

from __future__ import annotations

from typing import Any

import pytest
from hvemu_testlib import base_world, memory_url, vm_table

from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.session import Session
from hyperv_emu.sdk.backends.emulated import EmulatedBackend

SHOW = '% { "$($_.VMName)/$($_.Name)/$($_.ParentCheckpointName)" }'


def _checkpoints(names: list[str], day: int) -> str:
    out = ""
    for i, n in enumerate(names):
        out += f'\n[[vm.checkpoint]]\nname = "{n}"\ncreated = 2026-02-{day + i:02d}T08:00:00\n'
    return out


def world() -> str:
    # B has none; C's were made before A's (the host orders by CreationTime within a VM)
    return base_world(extra=vm_table("A", extra=_checkpoints(["a1", "a2", "a3"], 10))
                      + vm_table("B")
                      + vm_table("C", extra=_checkpoints(["c1", "c2"], 1))
                      + vm_table("D", extra=_checkpoints(["d1"], 5)))


def run(script: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[ErrorRecord], list[Any]]:
    calls: list[Any] = []
    original = EmulatedBackend.get_checkpoints

    def counting(self: EmulatedBackend, computer: str | None, vm_ids: Any, **kwargs: Any) -> Any:
        calls.append(None if vm_ids is None else list(vm_ids))
        return original(self, computer, vm_ids, **kwargs)

    monkeypatch.setattr(EmulatedBackend, "get_checkpoints", counting)
    session = Session.from_world_text(world(), memory_url(), edition="5.1")
    out: list[str] = []
    rs = session.runspace(out.append, lambda _text: None)
    rs.run_script(script, "C:\\scripts\\t.ps1")
    return "".join(out).splitlines(), list(reversed(rs.errors)), calls


EXPECTED = ["A/a1/", "A/a2/a1", "A/a3/a2", "C/c1/", "C/c2/c1", "D/d1/"]


def test_the_pipeline_gives_each_vms_checkpoints_from_one_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    out, errors, calls = run(f"Get-VM | Get-VMCheckpoint | {SHOW}", monkeypatch)
    assert errors == []
    assert out == EXPECTED
    # the first VM alone, then one listing of the host for the rest
    assert len(calls) == 2 and calls[1] is None


def test_the_same_as_asking_vm_by_vm(monkeypatch: pytest.MonkeyPatch) -> None:
    out, errors, calls = run(f"Get-VM | ForEach-Object {{ Get-VMCheckpoint -VM $_ }} | {SHOW}", monkeypatch)
    assert errors == [] and out == EXPECTED
    assert len(calls) == 4


def test_records_still_stream_between_the_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    out, errors, _ = run('Get-VM | % { Write-Host "vm $($_.Name)"; $_ } | Get-VMCheckpoint | % { Write-Host "  $($_.Name)" }',
                         monkeypatch)
    assert errors == []
    assert out == ["vm A", "  a1", "  a2", "  a3", "vm B", "vm C", "  c1", "  c2", "vm D", "  d1"]


def test_a_change_upstream_between_records_is_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    # Checkpoint-VM runs before each VM reaches Get-VMCheckpoint: every VM shows its new one
    out, errors, calls = run("Get-VM | % { Checkpoint-VM -VM $_ -SnapshotName new; $_ } | Get-VMCheckpoint | "
                             "% { \"$($_.VMName)/$($_.Name)\" }", monkeypatch)
    assert errors == []
    assert out == ["A/a1", "A/a2", "A/a3", "A/new", "B/new", "C/c1", "C/c2", "C/new", "D/d1", "D/new"]
    # a listing made at the second VM is dropped at the third (Checkpoint-VM ran in between): at
    # most one listing, then VM by VM as before
    assert sum(c is None for c in calls) <= 1


def test_a_vm_removed_upstream_gives_what_asking_for_it_alone_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    script = "Get-VM | % { if ($_.Name -eq 'C') { Remove-VM -VM $_ -Force }; $_ } | Get-VMCheckpoint | " + SHOW
    out, errors, _ = run(script, monkeypatch)
    alone, alone_errors, _ = run(script.replace("Get-VMCheckpoint |", "% { Get-VMCheckpoint -VM $_ } |"), monkeypatch)
    assert out == alone and [e.fully_qualified_error_id for e in errors] == \
        [e.fully_qualified_error_id for e in alone_errors]
    assert "C/c1/" not in out


def test_select_first_stops_after_the_first_vm(monkeypatch: pytest.MonkeyPatch) -> None:
    out, errors, calls = run(f"Get-VM | Get-VMCheckpoint | Select-Object -First 1 | {SHOW}", monkeypatch)
    assert errors == [] and out == ["A/a1/"]
    assert calls == [calls[0]] and calls[0] is not None  # no listing of the fleet for one record
