"""`psshim.format.error_view`: 5.1 NormalView and pwsh 7 ConciseView."""

from __future__ import annotations

from hyperv_emu.psshim.ast import Extent
from hyperv_emu.psshim.format.error_view import (
    category_text,
    position_lines,
    position_message,
    render_error,
)
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, InvocationInfo, ScriptPosition

S51 = FormatSettings()
S7 = FormatSettings(edition="7")


def pos(source: str, line: int, column: int, length: int, path: str | None = "C:\\s.ps1"
        ) -> ScriptPosition:
    text = source.splitlines()[line - 1][column - 1 : column - 1 + length]
    return ScriptPosition(path, Extent(0, length, line, column, line, column + length, text), source)


def throw_record(source: str, message: str, path: str | None = "C:\\s.ps1") -> ErrorRecord:
    column = source.index("throw") + 1
    return ErrorRecord(
        message=message,
        fully_qualified_error_id=message,
        category_info=CategoryInfo("OperationStopped", "", message, "String", "RuntimeException"),
        invocation=InvocationInfo(None, pos(source, 1, column, len(source) - column + 1, path)),
    )


def test_throw_from_a_script() -> None:
    src = 'throw "Disk not found"'
    assert render_error(throw_record(src, "Disk not found"), S51) == (
        "Disk not found\n"
        "At C:\\s.ps1:1 char:1\n"
        '+ throw "Disk not found"\n'
        "+ ~~~~~~~~~~~~~~~~~~~~~~\n"
        "    + CategoryInfo          : OperationStopped: (Disk not found:String) [], "
        "RuntimeException\n"
        "    + FullyQualifiedErrorId : Disk not found\n"
        " \n"
    )


def test_command_line_position() -> None:
    src = "Get-Foo"
    record = ErrorRecord(
        message="The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script "
        "file, or operable program. Check the spelling of the name, or if a path was included, "
        "verify that the path is correct and try again.",
        fully_qualified_error_id="CommandNotFoundException",
        category_info=CategoryInfo("ObjectNotFound", "", "Get-Foo", "String",
                                   "CommandNotFoundException"),
        invocation=InvocationInfo("Get-Foo", pos(src, 1, 1, 7, path=None)),
        prefix="Get-Foo",
    )
    lines = render_error(record, S51).split("\n")
    assert lines[0] == ("Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, "
                        "function, script file, or operable program. ")
    assert lines[1] == ("Check the spelling of the name, or if a path was included, verify that "
                        "the path is correct and try again.")
    assert lines[2] == "At line:1 char:1"
    assert lines[3:5] == ["+ Get-Foo", "+ ~~~~~~~"]
    assert all(len(line) <= 119 for line in lines)


def test_position_cut_prefix_and_suffix() -> None:
    # spare room goes to the left first: 41 characters before fit, so only the tail is cut
    src = "x" * 40 + " Do-Thing -Arg 1 " + "y" * 40
    text, underline = position_lines(pos(src, 1, 42, 8)) or ("", "")
    assert text == src[:69] + " ..."
    assert underline == " " * 41 + "~" * 8
    # a longer head is cut too, keeping as much context before the error as fits
    src = "x" * 80 + " Do-Thing -Arg 1 " + "y" * 40
    text, underline = position_lines(pos(src, 1, 82, 8)) or ("", "")
    assert text.startswith("... ") and text.endswith(" ...")
    assert len(text) == 69 + 8
    assert underline.index("~") == text.index("Do-Thing")
    assert underline.count("~") == 8


def test_position_short_line_not_cut() -> None:
    assert position_lines(pos("  a b", 1, 3, 1)) == ("  a b", "  ~")


def test_position_zero_width_gets_one_tilde_and_tabs_expand() -> None:
    src = "\tfoo(\n"
    assert position_lines(pos(src, 1, 6, 0)) == ("    foo(", "        ~")


def test_position_multiline_extent_runs_to_end_of_line() -> None:
    src = "Get-Item `\n  -Path x\n"
    extent = Extent(0, 20, 1, 1, 2, 10, "")
    text, underline = position_lines(ScriptPosition(None, extent, src)) or ("", "")
    assert text == "Get-Item `"
    assert underline == "~~~~~~~~~~"


def test_position_message_empty_line() -> None:
    extent = Extent(0, 0, 2, 1, 2, 1, "")
    assert position_message(ScriptPosition("C:\\a.ps1", extent, "x\n\n")) == (
        "At C:\\a.ps1:2 char:1\n+ "
    )


def test_category_text_ellipsizes_long_targets() -> None:
    info = CategoryInfo("ObjectNotFound", "Get-Item", "C:\\" + "a" * 60, "String",
                        "ItemNotFoundException")
    assert category_text(info) == (
        "ObjectNotFound: (C:\\aaaaaaaaaaaa...aaaaaaaaaaaaaaa:String) [Get-Item], "
        "ItemNotFoundException"
    )
    assert category_text(CategoryInfo("")) == "NotSpecified: (:) [], "


def test_long_fully_qualified_error_id_is_chunked() -> None:
    fqid = "A" * 100 + "," + "B" * 30
    record = ErrorRecord(message="m", fully_qualified_error_id=fqid,
                         category_info=CategoryInfo("NotSpecified", reason="X"))
    text = render_error(record, S51)
    joined = "    + FullyQualifiedErrorId : " + fqid
    chunk = ("+ FullyQualifiedErrorId : " + fqid)
    expected_line = "    " + chunk[:114] + "    " + chunk[114:]
    assert expected_line not in text  # it is wider than the console, so it wraps
    assert joined not in text
    flat = text.replace("\n", "")
    assert expected_line in flat


def test_write_error_from_script_prefix_and_trailing_blank_line() -> None:
    src = 'Write-Error "bad thing"'
    record = ErrorRecord(
        message="bad thing",
        fully_qualified_error_id="Microsoft.PowerShell.Commands.WriteErrorException",
        category_info=CategoryInfo("NotSpecified", "", "", "", "WriteErrorException"),
        invocation=InvocationInfo("Write-Error", pos(src, 1, 1, len(src))),
        prefix="C:\\s.ps1",
    )
    text = render_error(record, S51)
    assert text.startswith("C:\\s.ps1 : bad thing\nAt C:\\s.ps1:1 char:1\n")
    assert text.endswith("WriteErrorException\n \n")


def test_concise_view_from_a_script() -> None:
    src = "Checkpoint-VM -Name nope"
    record = ErrorRecord(
        message='Hyper-V was unable to find a virtual machine with name "nope".',
        fully_qualified_error_id="ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.CheckpointVM",
        category_info=CategoryInfo("ObjectNotFound", "Checkpoint-VM", "", "",
                                   "VirtualizationException"),
        invocation=InvocationInfo("Checkpoint-VM", pos(src, 1, 1, len(src), "/s.ps1")),
        prefix="Checkpoint-VM",
    )
    assert render_error(record, S7) == (
        "Checkpoint-VM: /s.ps1:1\n"
        "Line |\n"
        "   1 |  Checkpoint-VM -Name nope\n"
        "     |  ~~~~~~~~~~~~~~~~~~~~~~~~\n"
        '     | Hyper-V was unable to find a virtual machine with name "nope".\n'
    )


def test_concise_view_interactive_and_throw() -> None:
    src = "Get-Foo"
    record = ErrorRecord(
        message="boom", fully_qualified_error_id="x",
        category_info=CategoryInfo("NotSpecified", "Get-Foo"),
        invocation=InvocationInfo("Get-Foo", pos(src, 1, 1, 7, path=None)),
        prefix="Get-Foo",
    )
    assert render_error(record, S7) == "Get-Foo: boom\n"
    thrown = throw_record('throw "oops"', "oops")
    assert render_error(thrown, S7).startswith("Exception: C:\\s.ps1:1\n")


def test_concise_view_wraps_long_messages() -> None:
    src = "Do-It"
    message = " ".join(["word"] * 60)
    record = ErrorRecord(
        message=message, fully_qualified_error_id="x",
        category_info=CategoryInfo("NotSpecified", "Do-It"),
        invocation=InvocationInfo("Do-It", pos(src, 1, 1, 5, "/s.ps1")),
    )
    lines = render_error(record, S7).rstrip("\n").split("\n")
    assert all(len(line) <= 120 for line in lines)
    assert all(line.startswith("     | ") for line in lines[4:])
    assert " ".join(line[7:] for line in lines[4:]).split() == message.split()


def test_parse_errors_7_separated_by_blank_line_in_normal_view() -> None:
    src = "a b c d"
    record = ErrorRecord(
        message="first", fully_qualified_error_id="E1",
        category_info=CategoryInfo("ParserError", reason="ParseException"),
        invocation=InvocationInfo(None, pos(src, 1, 3, 1)),
        is_parse_error=True,
        extra_positions=(("second", pos(src, 1, 5, 1)),),
    )
    text51 = render_error(record, S51)
    assert "~\nfirst\nAt C:\\s.ps1:1 char:5\n" in text51
    assert text51.endswith("    + FullyQualifiedErrorId : E1\n \n")
    assert render_error(record, S7).startswith("ParserError: C:\\s.ps1:1\n")
