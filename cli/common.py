"""What the `hvemu` command modules share: the command-line error, the exit codes, the handler
type and the end of start-up.

`cli.main` (the parser and the noun commands) and `cli.run` (`hvemu run` and `hvemu shell`)
both import this module; it imports only the standard library, so neither imports the other's
definitions and `main` can import `run` for its commands.
"""

from __future__ import annotations

import argparse
import gc
from collections.abc import Callable

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


def startup_finished(args: argparse.Namespace) -> None:
    """Called by a handler once its imports and set-up are done, before the long part of its
    work (a script run): garbage collection resumes. In a process of its own, the objects built so
    far (classes, tables, the state) live until exit, so they are frozen out of later collections."""
    if getattr(args, "owns_process", False):
        gc.freeze()
    gc.enable()
