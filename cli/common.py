"""What the `hvemu` command modules share: the command-line error, the exit codes, the handler
type, output, the state URL, the parser's building blocks (`_leaf`, `_group`) and the end of
start-up.

`cli.main` (the parser and the noun commands), `cli.run` (`hvemu run` and `hvemu shell`) and
`cli.state` (`hvemu state check|repair`) import this module; it imports only the standard library
at load time, so none of them imports another's definitions and `main` can import the others
for their commands.
"""

from __future__ import annotations

import argparse
import gc
import sys
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

PROG = "hvemu"
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
DEBUG_ENV = "HVEMU_DEBUG"

Handler = Callable[[argparse.Namespace], int]


class CLIError(Exception):
    """An error of the command line itself (a file that cannot be read, a wrong combination):
    printed as one `hvemu: error:` line, exit 1."""


# --- output, the state URL, building the parser -----------------------------------------------


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _state_url(args: argparse.Namespace) -> str:
    """`--state`, else `$HVEMU_STATE`, else `./.hvemu/state` (sdk.default_state_url)."""
    from hyperv_emu.sdk import default_state_url

    url: str | None = getattr(args, "state", None)
    return url or default_state_url()


def _emulator_url(args: argparse.Namespace) -> str:
    """The state URL for the commands that need an emulator state (init, world export)."""
    url = _state_url(args)
    return url[len("emulator:"):] if url.lower().startswith("emulator:") else url


def _leaf(sub: Any, name: str, common: argparse.ArgumentParser, handler: Handler, help_text: str,
          **kwargs: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, parents=[common], help=help_text,
                                                     description=help_text, **kwargs)
    parser.set_defaults(handler=handler, leaf_parser=parser)
    return parser


def _group(sub: Any, name: str, help_text: str) -> Any:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text)
    return parser.add_subparsers(dest=f"{name}_command", metavar="COMMAND", required=True)


def startup_finished(args: argparse.Namespace) -> None:
    """Called by a handler once its imports and set-up are done, before the long part of its
    work (a script run): garbage collection resumes. In a process of its own, the objects built so
    far (classes, tables, the state) live until exit, so they are frozen out of later collections."""
    if getattr(args, "owns_process", False):
        gc.freeze()
    gc.enable()


# --- tables and dates as PowerShell prints them -------------------------------------------------


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table as PowerShell's Format-Table draws it: headers, dashes under each header,
    columns left-aligned and one space apart, no trailing spaces (no trailing newline)."""
    body = [[cell.replace("\n", " ") for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return " ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * len(h) for h in headers]), *(line(r) for r in body)])


def format_datetime(value: dt.datetime, culture: str, edition: str = "5.1") -> str:
    """A date as PowerShell prints a DateTime in a table (the culture's `G` pattern: en-US
    `2/20/2026 8:00:00 AM`); ISO 8601 for a culture psshim has no data for."""
    from hyperv_emu.psshim.format.culture import get_culture
    from hyperv_emu.psshim.format.dotnet_format import format_datetime as dotnet_format_datetime

    try:
        return dotnet_format_datetime(value, "G", get_culture(culture, edition))
    except KeyError:
        return value.isoformat(sep=" ")
