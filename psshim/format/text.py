"""Line splitting, word wrapping and cell fitting as PowerShell's formatter does them.

`generate_lines` follows StringManipulationHelper.GenerateLinesWithWordWrap (ComplexWriter.cs):
a line that fits is kept as is; otherwise words are taken with their trailing delimiter (so a
broken line keeps its trailing space), a word wider than a whole line is split by characters.
Every character is one display cell (the emulator does not model double-width cells).
"""

from __future__ import annotations

from collections.abc import Iterator

_SOFT_HYPHEN = "\u00ad"
_HARD_HYPHEN = "\u2011"
_NBSP = "\u00a0"


def split_lines(text: str) -> list[str]:
    """Split on `\\n`, dropping every `\\r` first (SplitLines)."""
    return text.replace("\r", "").split("\n")


def _words(line: str) -> Iterator[tuple[str, str]]:
    word: list[str] = []
    for ch in line:
        if ch in (" ", "\t", _SOFT_HYPHEN):
            yield "".join(word), ch
            word = []
        elif ch in (_HARD_HYPHEN, _NBSP):
            yield "".join(word), ""
            word = []
        else:
            word.append(ch)
    yield "".join(word), ""


def generate_lines(text: str, first_width: int, following_width: int) -> list[str]:
    """Word-wrap `text` (each of its lines) to `first_width` columns for the first output line
    and `following_width` for the next ones."""
    if text == "":
        return [""]
    result: list[str] = []
    for line in split_lines(text):
        if len(line) <= first_width:
            result.append(line)
            continue
        spaces_left = first_width
        line_width = first_width
        first_line = True
        current: list[str] = []
        for word, delim in _words(line):
            to_add = word
            if delim == _SOFT_HYPHEN:
                if len(word) + 1 == spaces_left:
                    to_add += "-"
            elif delim:
                to_add += delim
            width = len(to_add)
            if line_width == 0:
                if first_line:
                    first_line = False
                    line_width = following_width
                if line_width == 0:
                    break
                spaces_left = line_width
            if width > line_width:
                for ch in to_add:
                    if 1 > spaces_left:
                        result.append("".join(current))
                        current = [ch]
                        if first_line:
                            first_line = False
                            line_width = following_width
                        spaces_left = line_width - 1
                    else:
                        current.append(ch)
                        spaces_left -= 1
            elif width > spaces_left:
                result.append("".join(current))
                current = [to_add]
                if first_line:
                    first_line = False
                    line_width = following_width
                spaces_left = line_width - width
            else:
                current.append(to_add)
                spaces_left -= width
        result.append("".join(current))
    return result


def truncate_at_newline(text: str, ellipsis: str | None = None) -> str:
    """A table cell shows only its first line; pwsh 7 marks the cut with an ellipsis."""
    for i, ch in enumerate(text):
        if ch in "\r\n":
            return text[:i] + (ellipsis or "")
    return text


def fit_cell(
    text: str, width: int, align: str, ellipsis: str, pad: bool, cut_ellipsis: str | None = None
) -> str:
    """One table cell (TableWriter.GenerateRowField): first line only, padded to `width`
    according to `align` ("left", "right", "center"), or cut with `ellipsis` (head kept when
    left-aligned, tail kept when right-aligned). `pad` False leaves a left-aligned value
    unpadded (pwsh 7's last column)."""
    s = truncate_at_newline(text, cut_ellipsis)
    length = len(s)
    if length < width:
        gap = width - length
        if align == "right":
            return " " * gap + s
        if align == "center":
            left = gap // 2
            return " " * left + s + (" " * (gap - left) if pad else "")
        return s + (" " * gap if pad else "")
    if length > width:
        keep = width - len(ellipsis)
        if keep > 0:
            if align == "right":
                return ellipsis + s[length - keep :]
            return s[:keep] + ellipsis
        if align == "right":
            return s[length - width :]
        return s[:width]
    return s
