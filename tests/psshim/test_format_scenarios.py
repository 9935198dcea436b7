"""Golden tests: the objects each acceptance scenario's script would produce, rendered through
Out-Default / Format-Table / the error view, must give the scenario's expected bytes (after the
scenario comparison's normalisation: trailing spaces per line, leading/trailing blank lines)."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

import pytest

from hyperv_emu.psshim.ast import Extent
from hyperv_emu.psshim.format.error_view import render_error
from hyperv_emu.psshim.format.out_default import OutDefault, format_table, render_lines
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, InvocationInfo, ScriptPosition
from hyperv_emu.psshim.runtime.values import PSObject

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

VM = "Microsoft.HyperV.PowerShell.VirtualMachine"
SNAPSHOT = "Microsoft.HyperV.PowerShell.VMSnapshot"
FILEINFO = "System.IO.FileInfo"


class CheckpointType(enum.IntEnum):
    Disabled = 2
    Production = 3
    ProductionOnly = 4
    Standard = 5


class VMState(enum.IntEnum):
    Other = 1
    Running = 2
    Off = 3
    Stopping = 4
    Saved = 6
    Paused = 9


class SnapshotType(enum.IntEnum):
    Standard = 0
    Recovery = 1
    Planned = 2


def normalise(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def expected(name: str, stream: str = "expected.txt") -> str:
    return normalise((SCENARIOS / name / stream).read_text(encoding="utf-8-sig"))


def selected(original: str, **props: object) -> PSObject:
    return PSObject(
        dict(props),
        [f"Selected.{original}", "System.Management.Automation.PSCustomObject", "System.Object"],
    )


def snapshot(
    vm: str, name: str, created: dt.datetime, parent: str | None, state: VMState = VMState.Off
) -> PSObject:
    """A VMSnapshot as the SDK adapter exposes it (the views key on the type name)."""
    return PSObject(
        {
            "VMName": vm,
            "Name": name,
            "SnapshotType": SnapshotType.Standard,
            "CreationTime": created,
            "ParentSnapshotName": parent,
            "ParentCheckpointName": parent,
            "State": state,
            "ComputerName": "XHOST16",
        },
        [SNAPSHOT, "Microsoft.HyperV.PowerShell.VirtualMachineBase", "System.Object"],
    )


def out_default(*outputs: object) -> str:
    return normalise("\n".join(render_lines(outputs)))


def select(objects: list[PSObject], original: str, *names: str) -> list[PSObject]:
    return [selected(original, **{n: o.get(n) for n in names}) for o in objects]


# --- standard output -------------------------------------------------------------------------


def test_01_one_row_enum_right_aligned() -> None:
    rows = [selected(VM, Name="SRV-APP01", CheckpointType=CheckpointType.Production)]
    assert out_default(rows) == expected("01-checkpoint-type-config")


def test_02_three_rows_sized_by_longest_name() -> None:
    rows = [
        selected(VM, Name="SRV-APP01", CheckpointType=CheckpointType.Production),
        selected(VM, Name="SRV-SQL01", CheckpointType=CheckpointType.Disabled),
        selected(VM, Name="SRV-TEST01", CheckpointType=CheckpointType.Standard),
    ]
    assert out_default(rows) == expected("02-checkpoint-type-all-vms")


def test_04_snapshot_default_view_content_sized_left_aligned() -> None:
    d = dt.datetime
    snaps = [
        snapshot("SRV-APP01", "Avant mise a jour KB5034567", d(2026, 2, 20, 8, 0, 0), None),
        snapshot("SRV-APP01", "Pre-patch 2026-02-20", d(2026, 2, 20, 8, 0, 5),
                 "Avant mise a jour KB5034567"),
        snapshot("SRV-APP02", "Pre-patch 2026-02-20", d(2026, 2, 20, 8, 0, 10), None),
        snapshot("SRV-WEB01", "Pre-patch 2026-02-20", d(2026, 2, 20, 8, 0, 15), None),
    ]
    assert out_default(snaps) == expected("04-create-and-list-checkpoints")


def test_05_files_select_right_aligned_int64() -> None:
    d = dt.datetime
    rows = [
        selected(FILEINFO, Name="SRV-APP01_1F0E9D8C-7B6A-4543-9210-FEDCBA987654.avhdx",
                 Length=2147483648, LastWriteTime=d(2026, 2, 20, 10, 15, 32)),
        selected(FILEINFO, Name="SRV-APP01_7A2B3C4D-5E6F-4890-AB12-CD34EF56A178.avhdx",
                 Length=1073741824, LastWriteTime=d(2026, 2, 20, 8, 0, 0)),
        selected(FILEINFO, Name="SRV-APP02_0B1C2D3E-4F5A-4B6C-9D7E-8F9012345678.avhdx",
                 Length=536870912, LastWriteTime=d(2026, 2, 20, 8, 5, 10)),
    ]
    assert out_default(rows) == expected("05-avhdx-files-on-disk")


def _chain(*items: tuple[str, dt.datetime]) -> list[PSObject]:
    out = []
    parent: str | None = None
    for name, created in items:
        out.append(snapshot("SRV-APP01", name, created, parent))
        parent = name
    return out


def test_06_format_table_autosize() -> None:
    snaps = _chain(
        ("Avant mise a jour KB5034567", dt.datetime(2026, 2, 15, 9, 30)),
        ("Pre-patch 2026-02-20", dt.datetime(2026, 2, 20, 8, 0)),
    )
    rows = select(snaps, SNAPSHOT, "Name", "CreationTime", "ParentCheckpointName")
    assert out_default(format_table(rows, autosize=True)) == expected("06-list-and-restore")


def test_07_tree_blank_parent_for_root() -> None:
    snaps = _chain(
        ("Avant installation IIS", dt.datetime(2026, 2, 2, 9, 0)),
        ("Apres configuration IIS", dt.datetime(2026, 2, 3, 17, 30)),
        ("Avant patch Tuesday", dt.datetime(2026, 2, 10, 18, 0)),
    )
    rows = select(snaps, SNAPSHOT, "Name", "CreationTime", "ParentCheckpointName")
    assert out_default(format_table(rows, autosize=True)) == expected("07-checkpoint-tree")


@pytest.mark.parametrize(
    ("scenario", "status"),
    [("08-remove-merging-disks", "Merging disks"), ("09-remove-all-wait-for-merge",
                                                    "Operating normally")],
)
def test_08_09_status(scenario: str, status: str) -> None:
    assert out_default([selected(VM, Name="SRV-APP01", Status=status)]) == expected(scenario)


def test_10_calculated_age_right_aligned() -> None:
    d = dt.datetime
    rows = [
        selected(SNAPSHOT, VMName="SRV-APP01", Name="Avant mise a jour KB5034567",
                 CreationTime=d(2026, 2, 5, 9, 30), **{"Age (days)": 15}),
        selected(SNAPSHOT, VMName="SRV-TEST", Name="Installation .NET",
                 CreationTime=d(2026, 1, 10, 11, 0), **{"Age (days)": 41}),
        selected(SNAPSHOT, VMName="SRV-WEB01", Name="Test config IIS",
                 CreationTime=d(2026, 1, 28, 14, 22), **{"Age (days)": 23}),
    ]
    assert out_default(format_table(rows, autosize=True)) == expected("10-audit-old-checkpoints")


def test_11_one_row_table() -> None:
    rows = [selected(SNAPSHOT, Name="Avant KB5034567", CreationTime=dt.datetime(2026, 2, 20, 8, 45))]
    assert out_default(rows) == expected("11-thomas-patch-rollback")


def test_12_three_blank_lines_between_format_tables() -> None:
    names = ["SSTest1", "V-2012R2-Test1", "v-2012R2-TW01"]
    saved = [selected(VM, VMName=n, State=VMState.Saved, ComputerName="XHOST16") for n in names]
    times = ["7:30:00 PM", "7:30:03 PM", "7:30:06 PM"]
    snaps = [
        selected(SNAPSHOT, VMName=n, Name=f"{n} - (9/21/2014 - {t})", ComputerName="XHOST16")
        for n, t in zip(names, times)
    ]
    running = [selected(VM, VMName=n, State=VMState.Running, ComputerName="XHOST16")
               for n in names]
    text = out_default(
        format_table(saved, autosize=True),
        format_table(snaps, autosize=True),
        format_table(running, autosize=True),
        format_table([], autosize=True),
    )
    assert text == expected("12-group-checkpoint-xhost16")


def _vhost17() -> list[PSObject]:
    names = ["vHost17 - (9/21/2014 - 7:37:12 PM)", "vHost17 - (9/21/2014 - 7:37:31 PM)",
             "vHost17 - (9/21/2014 - 7:37:43 PM)"]
    times = [dt.datetime(2014, 9, 21, 19, 37, s) for s in (12, 31, 43)]
    out = []
    parent: str | None = None
    for name, when in zip(names, times):
        out.append(snapshot("vHost17", name, when, parent))
        parent = name
    return out


def test_14_snapshot_view() -> None:
    assert out_default(_vhost17()) == expected("14-vhost17-blog-dashes")


def test_15_two_listings_one_table() -> None:
    first = _vhost17()
    second = [first[0], snapshot("vHost17", first[2].get("Name"), first[2].get("CreationTime"),
                                 first[0].get("Name"))]
    lines: list[str] = []
    out = OutDefault(lambda text: lines.append(text))
    out.write(first)
    out.write(second)
    out.close()
    assert normalise("".join(lines)) == expected("15-vhost17-remove-middle")


def test_16_blank_parent() -> None:
    rows = [selected(SNAPSHOT, Name="Baseline", ParentSnapshotName=None),
            selected(SNAPSHOT, Name="Final config", ParentSnapshotName="Baseline")]
    assert out_default(rows) == expected("16-remove-by-wildcard")


def test_17_daily_rotation() -> None:
    snaps = _chain(*[(f"Daily 2026-02-{day:02d}", dt.datetime(2026, 2, day, 2, 0))
                     for day in range(13, 21)])
    rows = select(snaps, SNAPSHOT, "Name", "CreationTime", "ParentCheckpointName")
    assert out_default(format_table(rows, autosize=True)) == expected("17-daily-rotation")


def test_23_default_name() -> None:
    rows = [selected(SNAPSHOT, Name="SRV-APP01 - (2/20/2026 - 8:00:00 AM)",
                     CreationTime=dt.datetime(2026, 2, 20, 8, 0))]
    assert out_default(rows) == expected("23-checkpoint-name-too-long")


def test_24_state_enum() -> None:
    rows = [selected(SNAPSHOT, Name="Avant mise a jour KB5034567", State=VMState.Saved)]
    assert out_default(rows) == expected("24-production-vss-fallback")


def test_5_1_pads_the_last_column_and_writes_blank_lines() -> None:
    rows = [selected(VM, Name="SRV-APP01", Status="Merging disks"),
            selected(VM, Name="SRV-APP02", Status="Operating normally")]
    assert render_lines(rows) == [
        "",
        "Name      Status            ",
        "----      ------            ",
        "SRV-APP01 Merging disks     ",
        "SRV-APP02 Operating normally",
        "",
        "",
    ]


# --- standard error --------------------------------------------------------------------------


def _script(name: str) -> str:
    return (SCENARIOS / name / "script.ps1").read_text(encoding="utf-8-sig")


def _extent(source: str, line: int, column: int, text: str) -> Extent:
    return Extent(0, len(text), line, column, line, column + len(text), text)


def _position(source: str, line: int, column: int, text: str) -> ScriptPosition:
    return ScriptPosition("{script}", _extent(source, line, column, text), source)


def _stderr(*records: ErrorRecord) -> str:
    return normalise("".join(render_error(r, FormatSettings()) for r in records))


def test_13_parse_errors_back_to_back() -> None:
    name = "13-group-checkpoint-smart-quotes"
    src = _script(name)
    first = _position(src, 7, 19, "V-2012R2-Test1\u2033")
    second = _position(src, 7, 34, "")
    record = ErrorRecord(
        message="Unexpected token 'V-2012R2-Test1\u2033' in expression or statement.",
        fully_qualified_error_id="UnexpectedToken",
        category_info=CategoryInfo("ParserError", reason="ParentContainsErrorRecordException"),
        exception_type="System.Management.Automation.ParentContainsErrorRecordException",
        invocation=InvocationInfo(None, first),
        is_parse_error=True,
        extra_positions=(("Missing argument in parameter list.", second),),
    )
    assert _stderr(record) == expected(name, "expected-stderr.txt")


def _validation(src: str, line: int, prefix: str, param: str, null_or_empty: bool,
                column: int, text: str, cmdlet_class: str) -> ErrorRecord:
    if null_or_empty:
        message = (f"Cannot validate argument on parameter '{param}'. The argument is null or "
                   "empty. Provide an argument that is not null or empty, and then try the "
                   "command again.")
    else:
        message = (f"Cannot validate argument on parameter '{param}'. The argument is null. "
                   "Provide a valid value for the argument, and then try running the command "
                   "again.")
    return ErrorRecord(
        message=message,
        fully_qualified_error_id=f"ParameterArgumentValidationError,{cmdlet_class}",
        category_info=CategoryInfo("InvalidData", prefix, "", "",
                                   "ParameterBindingValidationException"),
        invocation=InvocationInfo(None, _position(src, line, column, text)),
        prefix=prefix,
    )


def test_18_validation_errors_wrap_at_119() -> None:
    name = "18-empty-names"
    src = _script(name)
    cls = "Microsoft.HyperV.PowerShell.Commands.CheckpointVM"
    records = [
        _validation(src, 4, "Checkpoint-VM", "Name", True, 21, '""', cls),
        _validation(src, 5, "Checkpoint-VM", "Name", True, 21, '""', cls),
    ]
    assert _stderr(*records) == expected(name, "expected-stderr.txt")


def test_21_position_line_cut_with_dots() -> None:
    name = "21-checkpoint-unknown-vm"
    src = _script(name)
    command = 'Checkpoint-VM -Name $vm -SnapshotName "Pre-patch $(Get-Date -Format \'yyyy-MM-dd\')"'
    record = ErrorRecord(
        message='Hyper-V was unable to find a virtual machine with name "SRV-WEB01".',
        fully_qualified_error_id="ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM",
        category_info=CategoryInfo("ObjectNotFound", "Checkpoint-VM", "", "",
                                   "VirtualizationException"),
        exception_type="Microsoft.HyperV.PowerShell.VirtualizationException",
        invocation=InvocationInfo("Checkpoint-VM", _position(src, 7, 5, command)),
        prefix="Checkpoint-VM",
    )
    assert _stderr(record) == expected(name, "expected-stderr.txt")


def test_22_cut_on_both_sides_then_binding_error() -> None:
    name = "22-restore-missing-checkpoint"
    src = _script(name)
    command = 'Get-VMCheckpoint -VMName "SRV-APP01" -Name "Avant mise a jour KB5034567"'
    first = ErrorRecord(
        message="Unable to find a snapshot matching the given criteria.",
        fully_qualified_error_id="ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot",
        category_info=CategoryInfo("ObjectNotFound", "Get-VMSnapshot", "", "",
                                   "VirtualizationException"),
        invocation=InvocationInfo("Get-VMCheckpoint", _position(src, 2, 15, command)),
        prefix="Get-VMCheckpoint",
    )
    second = _validation(src, 3, "Restore-VMSnapshot", "VMSnapshot", False, 36, "$checkpoint",
                         "Microsoft.HyperV.PowerShell.Commands.RestoreVMSnapshot")
    assert _stderr(first, second) == expected(name, "expected-stderr.txt")


def test_20_contains_lines() -> None:
    """The message lines of scenario 20 appear in order in the rendered record."""
    name = "20-checkpoint-disabled"
    vm_id = "4F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162"
    message = (
        "Checkpoint operation failed.\nCheckpoints have been disabled.\n"
        f"Checkpoint operation for 'SRV-APP02' failed. (Virtual machine ID {vm_id})\n"
        f"Checkpoints have been disabled for 'SRV-APP02'. (Virtual machine ID {vm_id})."
    )
    src = _script(name)
    command = 'Checkpoint-VM -Name $vm -SnapshotName "Pre-patch $(Get-Date -Format \'yyyy-MM-dd\')"'
    record = ErrorRecord(
        message=message,
        fully_qualified_error_id="OperationFailed,Microsoft.HyperV.PowerShell.Commands.CheckpointVM",
        category_info=CategoryInfo("NotSpecified", "Checkpoint-VM", "", "",
                                   "VirtualizationException"),
        invocation=InvocationInfo("Checkpoint-VM", _position(src, 7, 5, command)),
        prefix="Checkpoint-VM",
    )
    rendered = _stderr(record).split("\n")
    wanted = [line.rstrip() for line in
              (SCENARIOS / name / "expected-stderr-contains.txt").read_text("utf-8").splitlines()
              if line.strip()]
    position = 0
    for want in wanted:
        while position < len(rendered) and want not in rendered[position]:
            position += 1
        assert position < len(rendered), want
        position += 1
