"""PowerShell wildcard patterns (`*`, `?`, `[a-z]`, backtick escapes), case-insensitive."""

from __future__ import annotations

import functools
import re


def has_wildcards(text: str) -> bool:
    """Whether PowerShell would treat `text` as a pattern (an unescaped `*`, `?` or `[`)."""
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "`":
            escaped = True
        elif ch in "*?[":
            return True
    return False


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "`" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        elif ch == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                out.append(f"[{body}]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def matches(pattern: str, text: str) -> bool:
    """`text -like pattern`, case-insensitively (whole string)."""
    try:
        return _compile(pattern).fullmatch(text) is not None
    except re.error:
        return pattern.casefold() == text.casefold()
