"""The host a run writes its text to.

`Host(write_out, write_err)`: standard output gets Out-Default's text, Write-Host, and the
`WARNING: `/`VERBOSE: `/`DEBUG: `/`What if: ` lines (the 5.1 console host writes them to
standard output when redirected); standard error gets rendered error records. Windows line
ends (`[Environment]::NewLine`) are written as `\\n`.
"""

from __future__ import annotations

import sys
from typing import Callable


class Host:
    def __init__(self, write_out: Callable[[str], None] | None = None,
                 write_err: Callable[[str], None] | None = None) -> None:
        self._out = write_out or (lambda s: sys.stdout.write(s))
        self._err = write_err or (lambda s: sys.stderr.write(s))

    def write_out(self, text: str) -> None:
        self._out(text.replace("\r\n", "\n"))

    def write_err(self, text: str) -> None:
        self._err(text.replace("\r\n", "\n"))

    # names used in docs/psshim-internals.md
    def write_output_text(self, text: str) -> None:
        self.write_out(text)

    def write_error_text(self, text: str) -> None:
        self.write_err(text)


class CapturingHost(Host):
    """A host that keeps what was written (tests, `Out-String`-like captures)."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        super().__init__(self.out.append, self.err.append)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)
