"""The host a run writes its text to.

`Host(write_out, write_err)`: standard output gets Out-Default's text, Write-Host, and the
`WARNING: `/`VERBOSE: `/`DEBUG: `/`What if: ` lines (the 5.1 console host writes them to
standard output when redirected); standard error gets rendered error records. Windows line
ends (`[Environment]::NewLine`) are written as `\\n`.

Two optional callbacks let an application show more on a terminal: `write_stream(kind, text)`
gets the warning, verbose, debug and information lines (kind `warning`, ...; default: standard
output, as above), so a console can colour them; `progress(record)` gets each Write-Progress
record (`records.ProgressRecord`; default: dropped, as a redirected console host drops them).

`answers` (`psshim.runtime.prompts.Answers`) is where Read-Host, -Confirm and the other
prompts read from; without it every prompt fails as under `powershell.exe -NonInteractive`.
`tees` receive a copy of everything written, stream lines included (Start-Transcript);
`finish()`, called when the "process" ends (a `hvemu run`, a Session run, a Start-Process
child), runs the `closers` (a transcript still open writes its footer, as powershell.exe does
when it exits).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.records import ProgressRecord


class Host:
    def __init__(self, write_out: Callable[[str], None] | None = None,
                 write_err: Callable[[str], None] | None = None, *,
                 write_stream: Callable[[str, str], None] | None = None,
                 progress: Callable[[ProgressRecord], None] | None = None, answers: Any = None) -> None:
        self._out = write_out or (lambda s: sys.stdout.write(s))
        self._err = write_err or (lambda s: sys.stderr.write(s))
        self._stream = write_stream
        self._progress = progress
        self.answers = answers
        self.tees: list[Callable[[str], None]] = []
        self.closers: list[Callable[[], None]] = []

    def write_out(self, text: str) -> None:
        text = text.replace("\r\n", "\n")
        self._out(text)
        for tee in self.tees:
            tee(text)

    def write_err(self, text: str) -> None:
        text = text.replace("\r\n", "\n")
        self._err(text)
        for tee in self.tees:
            tee(text)

    def finish(self) -> None:
        closers, self.closers = self.closers, []
        for close in reversed(closers):
            close()

    def write_stream(self, kind: str, text: str) -> None:
        """A line of the warning, verbose, debug or information stream (its prefix included)."""
        if self._stream is None:
            self.write_out(text)
        else:
            text = text.replace("\r\n", "\n")
            self._stream(kind, text)
            for tee in self.tees:
                tee(text)

    def write_progress(self, record: ProgressRecord) -> None:
        if self._progress is not None:
            self._progress(record)

    # names used in docs/psshim-internals.md
    def write_output_text(self, text: str) -> None:
        self.write_out(text)

    def write_error_text(self, text: str) -> None:
        self.write_err(text)


class CapturingHost(Host):
    """A host that keeps what was written (tests, `Out-String`-like captures)."""

    def __init__(self, *, answers: Any = None) -> None:
        self.out: list[str] = []
        self.err: list[str] = []
        super().__init__(self.out.append, self.err.append, answers=answers)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)
