"""Progress bars on a terminal: a script's Write-Progress records in `hvemu run`, and hvemu's own
long operations (`hvemu guest write` of a large file, `hvemu clock --advance` over merges,
`hvemu init` of a big world: the SDK's `progress` callback, `FileOpsBar`). Nothing at all, not even a blank line,
when standard error is not a terminal: redirected output stays byte-identical.

The bars are tqdm's. Why tqdm: one small, maintained, dependency-free package that already does
what a terminal bar needs (redraw rate, terminal width, nested bars one line each, clearing a bar
when it is done); rich would bring a whole rendering stack for the same bars. It is imported only
when a bar is drawn, so a run without a terminal, or without progress, never loads it.

A Write-Progress record is drawn as the console host draws its pieces, on one line:
`Activity: Status  40%|████      | CurrentOperation, 12 seconds remaining`; one bar per
activity id, nested activities (-ParentId) under their parent; -Completed removes the bar, as
the console host removes the activity from its progress pane.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.records import ProgressRecord


def enabled(stream: Any = None) -> bool:
    """Whether bars are drawn on `stream` (standard error by default): a terminal, not `dumb`."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


class Bar(Protocol):
    def update(self, n: float = 1) -> Any: ...


class _NoBar:
    def update(self, n: float = 1) -> None:
        pass


@contextlib.contextmanager
def bar(total: int | None, description: str, *, unit: str = "B", stream: Any = None) -> Iterator[Bar]:
    """A bar for one of hvemu's operations (`update(n)` as the work goes), or a bar that draws
    nothing when `stream` (standard error) is not a terminal. Bytes are shown as KiB, MiB, ...."""
    stream = sys.stderr if stream is None else stream
    if not enabled(stream):
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=description, unit=unit, unit_scale=unit == "B", unit_divisor=1024,
              file=stream, leave=False, dynamic_ncols=True) as shown:
        yield shown


class FileOpsBar:
    """The SDK's `progress(description, done, total)` callback drawn as a bar named `title`
    (`Merging disks`, `Creating disk files`): a bar per batch of operations, the operation under
    way beside it, gone when the batch is done. Draws nothing when `stream` is not a terminal."""

    def __init__(self, title: str, stream: Any = None) -> None:
        self.title = title
        self.stream = sys.stderr if stream is None else stream
        self.shown: Any = None
        self.on = enabled(self.stream)

    def __call__(self, description: str, done: int, total: int) -> None:
        if not self.on:
            return
        if self.shown is None:
            from tqdm import tqdm

            self.shown = tqdm(total=total, desc=self.title, unit="file", file=self.stream, leave=False,
                              dynamic_ncols=True, mininterval=0.05)
        self.shown.n = done
        self.shown.set_postfix_str(description.rsplit("\\", 1)[-1], refresh=False)
        self.shown.refresh()
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.shown is not None:
            self.shown.close()
            self.shown = None


def _brace(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def record_format(record: ProgressRecord) -> str:
    """A tqdm `bar_format` that shows the record's activity, status, bar and details."""
    head = _brace(f"{record.activity}: {record.status_description}")
    details = []
    if record.current_operation:
        details.append(record.current_operation)
    if record.seconds_remaining >= 0:
        details.append(f"{record.seconds_remaining} seconds remaining")
    tail = _brace(", ".join(details))
    if record.percent_complete < 0:
        return head + (f" {tail}" if tail else "")
    return head + " {percentage:3.0f}%|{bar}|" + (f" {tail}" if tail else "")


class ProgressView:
    """The host's `progress` callback for `hvemu run`: each activity id is one tqdm bar."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.bars: dict[int, Any] = {}
        self.parents: dict[int, int] = {}

    def __call__(self, record: ProgressRecord) -> None:
        if record.completed:
            self._remove(record.activity_id)
            return
        shown = self.bars.get(record.activity_id)
        if shown is None:
            from tqdm import tqdm

            shown = tqdm(total=100, initial=max(0, min(100, record.percent_complete)), file=self.stream,
                         leave=False, dynamic_ncols=True, position=len(self.bars), mininterval=0.05,
                         bar_format=record_format(record))
            self.bars[record.activity_id] = shown
            self.parents[record.activity_id] = record.parent_activity_id
            return
        shown.bar_format = record_format(record)
        shown.n = max(0, min(100, record.percent_complete))
        shown.refresh()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Around a write of the script's text: the bars step aside (cleared, then drawn again
        below it), so text and bars do not mix on one line."""
        if not self.bars:
            yield
            return
        from tqdm import tqdm

        with tqdm.external_write_mode(file=self.stream):
            yield

    def _remove(self, activity_id: int) -> None:
        for child, parent in list(self.parents.items()):
            if parent == activity_id and child != activity_id:
                self._remove(child)
        shown = self.bars.pop(activity_id, None)
        self.parents.pop(activity_id, None)
        if shown is not None:
            shown.close()

    def close(self) -> None:
        """Remove every bar still shown (a script that ended without -Completed)."""
        for activity_id in list(self.bars):
            self._remove(activity_id)
