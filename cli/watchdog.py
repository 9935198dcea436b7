"""A hard deadline for `hvemu run --timeout N`: the run stops even inside one long operation.

The interpreter checks its time budget between steps (psshim.runtime.interpreter.tick), which
is enough for loops but not for one long step (a huge Sort-Object, a blocking read). The
watchdog interrupts the main thread when the deadline passes: `TimeBudgetInterrupt` (a
BaseException, so no `except Exception` of the interpreter turns it into an error record) is
raised at the next bytecode the main thread runs, unwinding the script (its `finally` blocks
run, as on a Ctrl+C) up to `hvemu run`, which reports it as the time budget's error record.

On POSIX a SIGALRM timer (signal.setitimer) delivers it, which also breaks a blocking system
call; elsewhere a timer thread calls `_thread.interrupt_main`, whose KeyboardInterrupt the
deadline recognises as its own. Only the main thread can be interrupted; in any other thread
the deadline does nothing (the cooperative budget still applies).
"""

from __future__ import annotations

import _thread
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TimeBudgetInterrupt(BaseException):
    """The run's hard deadline passed."""


class _Deadline:
    def __init__(self) -> None:
        self.armed = True
        self.fired = False

    def on_alarm(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            self.fired = True
            raise TimeBudgetInterrupt()

    def on_timer(self) -> None:
        if self.armed:
            self.armed = False
            self.fired = True
            _thread.interrupt_main()


@contextmanager
def hard_deadline(seconds: float | None) -> Iterator[None]:
    """Raise TimeBudgetInterrupt in the main thread once `seconds` have passed inside the block."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    deadline = _Deadline()
    if hasattr(signal, "setitimer"):
        previous = signal.signal(signal.SIGALRM, deadline.on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        try:
            yield
        finally:
            deadline.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    timer = threading.Timer(max(seconds, 0.0), deadline.on_timer)  # pragma: no cover - Windows
    timer.daemon = True
    timer.start()
    try:
        yield
    except KeyboardInterrupt:
        if deadline.fired:
            raise TimeBudgetInterrupt() from None
        raise
    finally:
        deadline.armed = False
        timer.cancel()
