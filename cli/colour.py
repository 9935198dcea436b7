"""Colour on a terminal: error records, warnings and the checkpoint tree, as PowerShell's console
host colours them.

Windows PowerShell's console host writes each stream in the colours of `$Host.PrivateData`:
errors `Red` on `Black`, warnings, verbose and debug lines `Yellow` on `Black`, progress
`Yellow` on `DarkCyan`. `ConsoleColor.Red` and `Yellow` are the bright colours (12 and 14), SGR
91 and 93 on an ANSI terminal; `Black` is SGR 40.

When: only on a terminal. `NO_COLOR` (set and not empty, https://no-color.org) turns colour off;
else `FORCE_COLOR` (set, not empty, not `0`) turns it on even when redirected (tests use it);
else a stream gets colour when it is a terminal whose `TERM` is not `dumb`. Redirected output is
never touched, so a script's captured output stays byte-identical.

Plain SGR codes, no library: three fixed colours and a reset are four short strings, and every
terminal hvemu runs on (POSIX terminals, Windows Terminal, conhost since Windows 10) reads them;
a colour library would add an import to every run for nothing more.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TextIO

RESET = "\x1b[0m"
ERROR = "\x1b[91;40m"      # ErrorForegroundColor Red, ErrorBackgroundColor Black
WARNING = "\x1b[93;40m"    # WarningForegroundColor Yellow, WarningBackgroundColor Black
TREE_LINES = "\x1b[90m"    # the tree's branches, dimmed (DarkGray)
TREE_NOW = "\x1b[92m"      # "Now": Hyper-V Manager marks the running state in green


def wanted(stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Whether text written to `stream` gets colour (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR")
    if force:
        return force != "0"
    if env.get("TERM") == "dumb":
        return False
    isatty: Callable[[], bool] | None = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def paint(text: str, sgr: str) -> str:
    """Each line of `text` in the colour `sgr`, reset before its line end (so a background
    colour does not run on to the end of the terminal's line); line ends are kept as they are."""
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body):]
        out.append(f"{sgr}{body}{RESET}{end}" if body else line)
    return "".join(out)


def painter(stream: TextIO, sgr: str) -> Callable[[str], str]:
    """A function that colours text for `stream`: `paint` on a colour terminal, else identity."""
    if wanted(stream):
        return lambda text: paint(text, sgr)
    return lambda text: text


def tree_style(kind: str, text: str) -> str:
    """The tree's colours (a `style` for `cli.tree.render_text`)."""
    if kind == "branch":
        return f"{TREE_LINES}{text}{RESET}"
    if kind == "now":
        return f"{TREE_NOW}{text}{RESET}"
    return text
