"""Out-Default shape selection, table and list geometry, Format-Table/-List, Out-String."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from hyperv_emu.psshim.format.out_default import (
    FormatRecord,
    OutDefault,
    PropertySpec,
    fit_column_widths,
    format_list,
    format_table,
    out_string,
    render_lines,
)
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.format.views import Column, TableView, default_views
from hyperv_emu.psshim.runtime.records import WarningRecord
from hyperv_emu.psshim.runtime.values import Adapter, AdapterRegistry, Hashtable, PSObject

S7 = FormatSettings(edition="7")


class State(enum.IntEnum):
    Running = 2
    Off = 3


def obj(**props: object) -> PSObject:
    return PSObject(dict(props))


def typed(type_name: str, **props: object) -> PSObject:
    return PSObject(dict(props), [type_name, "System.Object"])


# --- shape selection --------------------------------------------------------------------------


def test_scalars_print_out_of_band_without_blank_lines() -> None:
    assert render_lines(["a", 1, 2.5, True, None, State.Off, [3, [4]]]) == [
        "a", "1", "2.5", "True", "Off", "3", "4",
    ]


def test_multiline_string_printed_as_is() -> None:
    assert render_lines(["one\ntwo"]) == ["one\ntwo"]


def test_four_properties_table_five_list() -> None:
    four = render_lines([obj(A=1, B=2, C=3, D=4)])
    assert four[1] == "A B C D"
    five = render_lines([obj(A=1, B=2, C=3, D=4, E=5)])
    assert five == ["", "", "A : 1", "B : 2", "C : 3", "D : 4", "E : 5", "", "", ""]


def test_list_blank_lines_7() -> None:
    five = obj(A=1, B=2, C=3, D=4, E=5)
    assert render_lines([five, five], S7) == [
        "", "A : 1", "B : 2", "C : 3", "D : 4", "E : 5", "",
        "A : 1", "B : 2", "C : 3", "D : 4", "E : 5", "",
    ]


def test_table_blank_lines_7_and_no_padding() -> None:
    rows = [obj(Name="a", Status="long status"), obj(Name="bb", Status="x")]
    assert render_lines(rows, S7) == [
        "", "Name Status", "---- ------", "a    long status", "bb   x", "",
    ]


def test_later_objects_join_the_first_property_table() -> None:
    lines = render_lines([obj(Name="a", X=1), obj(Other="zzz"), obj(Name="b")])
    assert lines == ["", "Name X", "---- -", "a    1", "      ", "b     ", "", ""]


def test_string_in_the_middle_of_a_table_keeps_its_place() -> None:
    lines = render_lines([obj(Name="a"), "done", obj(Name="b")])
    assert lines == ["", "Name", "----", "a   ", "done", "b   ", "", ""]


def test_objects_not_fitting_a_view_print_as_lists() -> None:
    snap = typed("Microsoft.HyperV.PowerShell.VMSnapshot", VMName="v", Name="c1",
                 SnapshotType="Standard", CreationTime=None, ParentSnapshotName=None)
    other = obj(Foo=1)
    lines = render_lines([snap, other])
    assert lines == [
        "",
        "VMName Name SnapshotType CreationTime ParentSnapshotName",
        "------ ---- ------------ ------------ ------------------",
        "v      c1   Standard" + " " * 36,
        "",
        "Foo : 1",
        "",
        "",
        "",
    ]


def test_hashtable_is_a_name_value_table() -> None:
    lines = render_lines([Hashtable({"alpha": 1, "b": "two"})])
    assert [line.rstrip() for line in lines] == [
        "", "Name                           Value", "----                           -----",
        "alpha                          1", "b                              two", "", "",
    ]
    assert len(lines[1]) == 119


def test_empty_pscustomobject_prints_an_empty_line() -> None:
    assert render_lines([PSObject()]) == [""]


def test_datetime_view() -> None:
    assert render_lines([dt.datetime(2026, 2, 20, 8, 0)]) == [
        "", "Friday, February 20, 2026 8:00:00 AM", "", "",
    ]
    assert render_lines([dt.datetime(2026, 2, 20, 8, 0)], S7) == [
        "", "Friday, February 20, 2026 8:00:00 AM", "",
    ]


def test_timespan_list_view() -> None:
    lines = render_lines([dt.timedelta(hours=1, minutes=30)])
    assert lines[2:13] == [
        "Days              : 0",
        "Hours             : 1",
        "Minutes           : 30",
        "Seconds           : 0",
        "Milliseconds      : 0",
        "Ticks             : 54000000000",
        "TotalDays         : 0.0625",
        "TotalHours        : 1.5",
        "TotalMinutes      : 90",
        "TotalSeconds      : 5400",
        "TotalMilliseconds : 5400000",
    ]


def test_group_info_view() -> None:
    group = typed("Microsoft.PowerShell.Commands.GroupInfo", Count=5, Name="Running",
                  Group=["a", "b", "c", "d", "e"], Values=["Running"])
    lines = [line.rstrip() for line in render_lines([group])]
    assert lines[1:4] == [
        "Count Name                      Group",
        "----- ----                      -----",
        "    5 Running                   {a, b, c, d...}",
    ]


def test_measure_info_list_view() -> None:
    m = typed("Microsoft.PowerShell.Commands.GenericMeasureInfo", Count=3, Average=None,
              Sum=6, Maximum=None, Minimum=None, Property="Length")
    assert render_lines([m])[2:8] == [
        "Count    : 3", "Average  : ", "Sum      : 6", "Maximum  : ", "Minimum  : ",
        "Property : Length",
    ]
    m7 = typed("Microsoft.PowerShell.Commands.GenericMeasureInfo", Count=3, Average=None,
               Sum=6, Maximum=None, Minimum=None, StandardDeviation=None, Property="Length")
    assert "StandardDeviation : " in render_lines([m7], S7)


def test_guid_view() -> None:
    g = uuid.UUID("4f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162")
    assert [line.rstrip() for line in render_lines([g])] == [
        "", "Guid", "----", "4f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162", "", "",
    ]


def test_warning_record_out_of_band() -> None:
    assert render_lines([WarningRecord("careful")]) == ["WARNING: careful"]


def test_vm_view_through_an_adapter() -> None:
    class VM:
        def __init__(self, name: str, memory: int) -> None:
            self.name = name
            self.memory = memory

    def props(vm: object) -> list[tuple[str, object]]:
        assert isinstance(vm, VM)
        return [("Name", vm.name), ("State", State.Running), ("CPUUsage", 0),
                ("MemoryAssigned", vm.memory), ("Uptime", dt.timedelta(minutes=3, seconds=7)),
                ("Status", "Operating normally"), ("Version", "10.0")]

    def lookup(vm: object, name: str) -> tuple[bool, object]:
        for key, value in props(vm):
            if key.casefold() == name.casefold():
                return True, value
        return False, None

    registry = AdapterRegistry()
    registry.register(VM, Adapter(
        type_names=lambda _: ["Microsoft.HyperV.PowerShell.VirtualMachine", "System.Object"],
        properties=props, lookup=lookup))
    lines = render_lines([VM("SRV-APP01", 4294967296), VM("SRV-WEB01", 1610612736)],
                         adapters=registry)
    assert [line.rstrip() for line in lines] == [
        "",
        "Name      State   CPUUsage(%) MemoryAssigned(M) Uptime   Status             Version",
        "----      -----   ----------- ----------------- ------   ------             -------",
        "SRV-APP01 Running 0           4096              00:03:07 Operating normally 10.0",
        "SRV-WEB01 Running 0           1536              00:03:07 Operating normally 10.0",
        "",
        "",
    ]


def _file(name: str, length: int | None, when: dt.datetime, directory: str,
          is_dir: bool = False) -> PSObject:
    props: dict[str, object] = {
        "Name": name, "LastWriteTime": when,
        "PSParentPath": "Microsoft.PowerShell.Core\\FileSystem::" + directory,
        "Mode": "d-----" if is_dir else "-a----",
    }
    if not is_dir:
        props["Length"] = length
    return PSObject(props, ["System.IO.DirectoryInfo" if is_dir else "System.IO.FileInfo",
                            "System.IO.FileSystemInfo", "System.Object"])


def test_get_childitem_view_51() -> None:
    files = [
        _file("Snapshots", None, dt.datetime(2026, 2, 1, 9, 0), "D:\\VMs", is_dir=True),
        _file("a.vhdx", 4194304, dt.datetime(2026, 2, 20, 10, 15, 32), "D:\\VMs"),
        _file("b.txt", 12, dt.datetime(2026, 2, 2, 8, 0), "D:\\Other"),
    ]
    lines = [line.rstrip() for line in render_lines(files)]
    assert lines == [
        "",
        "",
        "    Directory: D:\\VMs",
        "",
        "",
        "Mode                LastWriteTime         Length Name",
        "----                -------------         ------ ----",
        "d-----         2/1/2026   9:00 AM                Snapshots",
        "-a----        2/20/2026  10:15 AM        4194304 a.vhdx",
        "",
        "",
        "    Directory: D:\\Other",
        "",
        "",
        "Mode                LastWriteTime         Length Name",
        "----                -------------         ------ ----",
        "-a----         2/2/2026   8:00 AM             12 b.txt",
        "",
        "",
    ]


def test_get_childitem_view_7() -> None:
    files = [_file("a.vhdx", 4194304, dt.datetime(2026, 2, 20, 10, 15, 32), "D:\\VMs")]
    assert render_lines(files, S7) == [
        "",
        "    Directory: D:\\VMs",
        "",
        "Mode                 LastWriteTime         Length Name",
        "----                 -------------         ------ ----",
        "-a---           2/20/2026 10:15 AM        4194304 a.vhdx",
        "",
    ]


# --- geometry ---------------------------------------------------------------------------------


def test_fit_column_widths() -> None:
    assert fit_column_widths([7, 25, 14, 0], 119) == [7, 25, 14, 70]
    assert fit_column_widths([50, 50, 50, 6], 119) == [50, 50, 17, -1]
    assert fit_column_widths([10, 10], 119) == [10, 10]
    assert fit_column_widths([0, 0], 11) == [5, 5]
    assert fit_column_widths([200], 119) == [119]


def test_wide_tables_shrink_then_hide_columns() -> None:
    wide = obj(A="a" * 50, B="b" * 50, C="c" * 50, D=123456)
    lines = render_lines([wide])
    assert lines[1] == "A" + " " * 50 + "B" + " " * 50 + "C" + " " * 16
    assert lines[3] == "a" * 50 + " " + "b" * 50 + " " + "c" * 14 + "..."
    assert all(len(line) <= 119 for line in lines)
    lines7 = render_lines([wide], S7)
    assert lines7[3] == "a" * 50 + " " + "b" * 50 + " " + "c" * 16 + "\u2026"


def test_right_aligned_cells_keep_their_tail() -> None:
    record = format_table([obj(N=1234567)], properties=[PropertySpec("N", width=5)])
    lines = render_lines([record])
    assert lines[1:4] == ["    N", "    -", "...67"]


def test_cells_are_cut_at_the_first_newline() -> None:
    # the autosize width counts the whole value (newline included), as PowerShell does
    lines = render_lines([obj(A="first\nsecond", B=1)])
    assert lines[3] == "first        1"
    lines7 = render_lines([obj(A="first\nsecond", B=1)], S7)
    assert lines7[3] == "first\u2026       1"


def test_wrap_keeps_every_line() -> None:
    record = format_table([obj(A="first\nsecond", B=1)], wrap=True)
    assert render_lines([record])[3:5] == ["first        1", "second        "]


def test_header_follows_right_alignment_and_dashes_label_length() -> None:
    lines = render_lines([obj(Name="x", Count=12345678)])
    assert lines[1:4] == ["Name    Count", "----    -----", "x    12345678"]


def test_bool_and_enum_right_aligned_null_left() -> None:
    lines = render_lines([obj(Flag=True, S=State.Off, N=None), obj(Flag=False, S=State.Running,
                                                                   N="abc")])
    assert lines[1:5] == [" Flag       S N  ", " ----       - -  ", " True     Off    ",
                          "False Running abc"]


def test_narrow_column_wraps_its_header() -> None:
    record = format_table([obj(LongHeader="a")], properties=[PropertySpec("LongHeader",
                                                                          width=4)])
    assert render_lines([record])[1:5] == ["Long", "Head", "er  ", "----"]


def test_doubles_15_digits_in_51_n_format_in_7() -> None:
    rows = [obj(X=22 / 7, Y=2.0)]
    assert render_lines(rows)[3] == "3.14285714285714 2"
    assert render_lines(rows, S7)[3] == "3.14 2.00"


# --- Format-Table / Format-List ----------------------------------------------------------------


def _gb(o: object) -> object:
    assert isinstance(o, PSObject)
    return o.get("Mem") / 1073741824


def test_format_table_calculated_properties() -> None:
    rows = [obj(Name="SRV-APP01", Mem=4294967296), obj(Name="SRV-WEB01", Mem=1073741824)]
    record = format_table(rows, properties=[
        "Name",
        PropertySpec(_gb, label="Memory (GB)", format_string="N1"),
        PropertySpec("Name", label="Centered", alignment="Center", width=12),
    ])
    assert isinstance(record, FormatRecord)
    lines = render_lines([record])
    # content sizing (the first column has no width) overrides Width, as in PowerShell
    assert lines[1:5] == [
        "Name      Memory (GB) Centered ",
        "----      ----------- -------- ",
        "SRV-APP01         4.0 SRV-APP01",
        "SRV-WEB01         1.0 SRV-WEB01",
    ]


def test_format_table_fixed_width_first_column() -> None:
    rows = [obj(Name="SRV-APP01", X="x")]
    record = format_table(rows, properties=[PropertySpec("Name", width=12, alignment="Center"),
                                            "X"])
    lines = render_lines([record])
    assert lines[1] == "    Name     X" + " " * 105
    assert lines[3] == " SRV-APP01   x" + " " * 105


def test_format_table_wildcards_and_hide_headers() -> None:
    rows = [obj(Name="a", NameX="b", Other=1)]
    assert render_lines([format_table(rows, properties=["Name*"], hide_headers=True)]) == [
        "", "a    b    ", "", "",
    ]


def test_format_table_uses_view_widths_without_autosize() -> None:
    view = TableView("t", ("My.Type",), (Column("A", "A", width=3), Column("B", "B")))
    registry = default_views()
    registry.register(view)
    rows = [typed("My.Type", A="x", B="y")]
    plain = render_lines([format_table(rows, views=registry)], views=registry)
    assert plain[1].startswith("A   B") and len(plain[1]) == 119
    auto = render_lines([format_table(rows, autosize=True, views=registry)], views=registry)
    assert auto[1:4] == ["A B", "- -", "x y"]


def test_consecutive_format_tables_are_three_blank_lines_apart() -> None:
    first = format_table([obj(A=1)])
    lines = render_lines([first, first])
    assert lines == ["", "A", "-", "1", "", "", "", "A", "-", "1", "", ""]


def test_format_table_flushes_a_pending_out_default_table() -> None:
    lines = render_lines([obj(A=1), format_table([obj(B=2)]), obj(C=3)])
    assert lines == ["", "A", "-", "1", "", "", "", "B", "-", "2", "", "", "", "C", "-", "3",
                     "", ""]


def test_format_list() -> None:
    rows = [obj(Name="SRV-APP01", State=State.Running, Notes="line1\nline2")]
    assert render_lines([format_list(rows)]) == [
        "", "", "Name  : SRV-APP01", "State : Running", "Notes : line1", "        line2", "",
        "", "",
    ]
    assert render_lines([format_list(rows, properties=["N*"])])[2:4] == [
        "Name  : SRV-APP01", "Notes : line1",
    ]
    assert render_lines([format_list(rows, properties=["*"])])[2] == "Name  : SRV-APP01"


def test_format_list_wraps_long_values() -> None:
    words = " ".join(["word"] * 40)
    lines = render_lines([format_list([obj(A=words)])])
    assert lines[2].startswith("A : word") and len(lines[2]) <= 119
    assert lines[3].startswith("    word")


def test_format_list_on_a_view_type_uses_properties() -> None:
    snap = typed("Microsoft.HyperV.PowerShell.VMSnapshot", VMName="v", Name="c1")
    assert render_lines([format_list([snap])])[2:4] == ["VMName : v", "Name   : c1"]


# --- Out-String -------------------------------------------------------------------------------


def test_out_string() -> None:
    assert out_string(["abc"]) == "abc\n"
    text = out_string([obj(A=1)])
    assert text == "\nA\n-\n1\n\n\n"
    assert out_string([obj(A=1)], stream=True) == ["", "A", "-", "1", "", ""]


def test_out_string_width() -> None:
    wide = obj(A="a" * 30, B="b" * 30)
    lines = out_string([wide], width=40, stream=True)
    assert isinstance(lines, list)
    assert all(len(line) <= 40 for line in lines)
    assert lines[3] == "a" * 30 + " " + "bbbbbb..."


def test_out_default_streams_scalars_immediately() -> None:
    written: list[str] = []
    out = OutDefault(written.append)
    out.write("first")
    assert written == ["first\n"]
    out.write(obj(A=1))
    assert written == ["first\n"]  # the table waits for its group to end
    out.close()
    assert written[1:] == ["\n", "A\n", "-\n", "1\n", "\n", "\n"]


def test_collection_elements_show_their_name_property() -> None:
    class Drive:
        pass

    registry = AdapterRegistry()
    registry.register(Drive, Adapter(
        type_names=lambda _: ["Microsoft.HyperV.PowerShell.HardDiskDrive", "System.Object"],
        properties=lambda _: [("Path", "D:\\a.vhdx"), ("Name", "Hard Drive on SCSI 0")],
        lookup=lambda _, n: (n.casefold() == "name", "Hard Drive on SCSI 0")))
    rows = [obj(VM="SRV-APP01", HardDrives=[Drive(), Drive()])]
    assert render_lines(rows, adapters=registry)[3] == (
        "SRV-APP01 {Hard Drive on SCSI 0, Hard Drive on SCSI 0}"
    )


def test_format_list_strings_out_of_band_unless_force() -> None:
    assert render_lines([format_list(["abc"], properties=["*"])]) == ["abc"]
    assert render_lines([format_list(["abc"], properties=["*"], force=True)])[2] == "Length : 3"


def test_empty_format_table_does_not_end_the_pending_table() -> None:
    lines = render_lines([obj(A=1), format_table([]), obj(A=2)])
    assert lines == ["", "A", "-", "1", "2", "", ""]
