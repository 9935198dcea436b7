"""How an uncaught error record prints: Windows PowerShell 5.1's NormalView, pwsh 7's ConciseView.

5.1 NormalView (the ErrorRecord view of PowerShellCore.format.ps1xml, rendered by ComplexWriter):

    <prefix> : <message>                       (word-wrapped at the console width - 1)
    At <path>:<line> char:<col>                (`At line:1 char:N` without a script file)
    + <source line, cut around the error with "..." when longer than 69 characters>
    + <spaces>~~~~
        + CategoryInfo          : <Category>: (<target>:<type>) [<activity>], <reason>
        + FullyQualifiedErrorId : <id>
    <a line holding one space>

The position lines follow PositionUtilities.VerboseMessage (Position.cs): tabs expanded to four
spaces, a line over 69 characters keeps up to 12 characters before the error and 8 after it,
shifting spare room to the left first, with `... ` / ` ...` marking the cuts. The CategoryInfo
and FullyQualifiedErrorId lines are cut into chunks of `width - 6` characters, each indented by
four spaces, concatenated on one line (the view's `-split "(.{$width})"`), then wrapped with the
rest. A parse error has no prefix and no position of its own: its message is every error of the
failed parse, each as `At ...`, `+ line`, `+ ~~~`, message, back to back (5.1; pwsh 7 separates
them with a blank line).

pwsh 7 ConciseView: `<Cmd>: <message>` without script position; from a script file
`<Cmd>: <path>:<line>` / `Line |` / `   7 |  <source>` / `     |  ~~~~` / `     | <message>`,
the message wrapped at the window width on whitespace.
"""

from __future__ import annotations

import re

from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.format.text import generate_lines, split_lines
from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, ScriptPosition

_MAX_LINE = 69
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _source_lines(source: str) -> list[str]:
    if source.startswith("\ufeff"):
        source = source[1:]
    return _LINE_BREAK.split(source)


def position_lines(position: ScriptPosition) -> tuple[str, str] | None:
    """The `+ <source>` and `+ ~~~` lines (without the `+ `), or None for an empty line."""
    extent = position.extent
    lines = _source_lines(position.source)
    index = extent.start_line - 1
    source_line = lines[index].rstrip() if 0 <= index < len(lines) else extent.text.rstrip()
    if not source_line:
        return None
    before = max(extent.start_column - 1, 0)
    if extent.start_line == extent.end_line:
        length = extent.end_column - extent.start_column
    else:
        length = len(source_line) - extent.start_column + 1
    length = max(length, 0)
    if "\t" in source_line:
        head = source_line[:before].replace("\t", "    ")
        error = source_line[before : before + length].replace("\t", "    ")
        tail = source_line[before + length :].replace("\t", "    ")
        source_line = head + error + tail
        before = len(head)
        length = len(error)
    prefix_dots = False
    suffix_dots = False
    line_length = len(source_line)
    if line_length > _MAX_LINE:
        total_prefix = before
        prefix = min(total_prefix, 12)
        total_suffix = line_length - length - before
        suffix = min(total_suffix, 8)
        candidate = prefix + length + suffix
        if candidate >= _MAX_LINE:
            if prefix + length >= _MAX_LINE:
                length = _MAX_LINE - prefix
            suffix_dots = True
        else:
            prefix_available = total_prefix - prefix
            if prefix_available > 0:
                prefix += min(prefix_available, _MAX_LINE - candidate)
                candidate = prefix + length + suffix
            if candidate < _MAX_LINE and total_suffix > 0:
                suffix += min(total_suffix, _MAX_LINE - candidate)
            suffix_dots = suffix < total_suffix
        prefix_dots = prefix < total_prefix
        start = max(before - prefix, 0)
        source_line = source_line[start : start + _MAX_LINE]
        before = min(before, prefix)
        length = min(length, _MAX_LINE - before)
    text = ("... " if prefix_dots else "") + source_line + (" ..." if suffix_dots else "")
    underline = " " * (before + (4 if prefix_dots else 0)) + "~" * (length if length > 0 else 1)
    return text, underline


def position_message(position: ScriptPosition) -> str:
    """InvocationInfo.PositionMessage: `At <file>:<line> char:<col>` + the `+` lines."""
    file_name = position.script_path if position.script_path else "line"
    extent = position.extent
    head = f"At {file_name}:{extent.start_line} char:{extent.start_column}"
    pair = position_lines(position)
    if pair is None:
        return head + "\n+ "
    return f"{head}\n+ {pair[0]}\n+ {pair[1]}"


def _ellipsize(text: str, edition: str) -> str:
    if len(text) <= 40:
        return text
    half = 19 if edition == "7" else 15
    return text[:half] + "..." + text[-half:]


def category_text(info: CategoryInfo, edition: str = "5.1") -> str:
    """ErrorCategoryInfo.GetMessage(): `ObjectNotFound: (SRV-WEB01:String) [Get-VM], Reason`."""
    category = info.category or "NotSpecified"
    return (
        f"{category}: ({_ellipsize(info.target_name, edition)}:"
        f"{_ellipsize(info.target_type, edition)}) [{_ellipsize(info.activity, edition)}], "
        f"{info.reason}"
    )


def _chunked(text: str, width: int) -> str:
    """`foreach ($line in @($s -split "(.{$width})")) { if ($line) { "    " + $line } }`."""
    if width <= 0:
        return "    " + text
    out = []
    for line in text.split("\n"):
        pieces = [line[i : i + width] for i in range(0, len(line), width)] or [""]
        out.append("".join("    " + p for p in pieces if p))
    return "\n".join(out)


def _parse_error_message(record: ErrorRecord, edition: str) -> str:
    items: list[tuple[str, ScriptPosition | None]] = [
        (record.message, record.invocation.position if record.invocation else None)
    ]
    items.extend(record.extra_positions)
    parts = []
    for message, position in items:
        parts.append(f"{position_message(position)}\n{message}" if position else message)
    return ("\n\n" if edition == "7" else "\n").join(parts)


def render_normal_view(record: ErrorRecord, settings: FormatSettings) -> str:
    """Windows PowerShell 5.1's NormalView, word-wrapped at `settings.columns`."""
    edition = settings.edition
    if record.is_parse_error:
        message = _parse_error_message(record, edition)
        posmsg = ""
    else:
        message = record.message
        position = record.invocation.position if record.invocation else None
        posmsg = "\n" + position_message(position) if position is not None else ""
    width = settings.width - 4 - 2
    posmsg += "\n" + _chunked("+ CategoryInfo          : " + category_text(record.category_info,
                                                                              edition), width)
    posmsg += "\n" + _chunked("+ FullyQualifiedErrorId : " + record.fully_qualified_error_id, width)
    prefix = f"{record.prefix} : " if record.prefix and not record.is_parse_error else ""
    text = prefix + message + posmsg + "\n "
    lines: list[str] = []
    columns = settings.columns
    for line in split_lines(text):
        lines.extend(generate_lines(line, columns, columns))
    return "".join(line + "\n" for line in lines)


def _truncated(text: str, length: int) -> str:
    """Get-TruncatedString: cut to `length`, then back to the last whitespace."""
    if len(text) <= length:
        return text
    head = text[:length]
    parts = re.split(r"\s", head)
    return " ".join(parts[:-1]) if len(parts) > 1 else head


def render_concise_view(record: ErrorRecord, settings: FormatSettings) -> str:
    """pwsh 7's ConciseView (no colours: output is redirected)."""
    position = record.invocation.position if record.invocation else None
    activity = record.category_info.activity
    if record.is_parse_error:
        reason = "ParserError"
    elif activity:
        reason = activity
    elif record.prefix:
        reason = record.prefix
    else:
        reason = "Exception"
    message = record.message
    show_position = position is not None and (
        position.script_path is not None or position.extent.start_line > 1 or record.is_parse_error
    )
    if not show_position or position is None:
        return f"{reason}: {message}\n"
    pair = position_lines(position)
    number = str(position.extent.start_line)
    header_ws = " " * (len(number) - 4) if len(number) > 4 else ""
    line_ws = " " * (4 - len(number)) if len(number) < 4 else ""
    location = f"{position.script_path}:{number}\n" if position.script_path else "\n"
    out = f"{reason}: {location}{header_ws}Line |\n"
    source, underline = pair if pair is not None else ("", "~")
    out += f"{line_ws}{number} |  {source}\n"
    prefix = f"{header_ws}     | "
    out += f"{prefix} {underline}\n"
    flat = message.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    window = settings.width
    text = prefix + flat
    if len(text) > window:
        pieces = []
        first = _truncated(text, window)
        pieces.append(first)
        remaining = text[len(first) :].strip()
        while len(remaining) + len(prefix) > window:
            sub = _truncated(prefix + remaining, window)
            if len(sub) - len(prefix) <= 0:
                break
            pieces.append(sub)
            remaining = remaining[len(sub) - len(prefix) :].strip()
        pieces.append(prefix + remaining.strip())
        text = "\n".join(pieces)
    return out + text + "\n"


def render_error(record: ErrorRecord, settings: FormatSettings) -> str:
    """The text an uncaught error record prints (standard error), every line ending in "\\n";
    5.1's ends with a line holding a single space (the blank line between records)."""
    if settings.edition == "7":
        return render_concise_view(record, settings)
    return render_normal_view(record, settings)
