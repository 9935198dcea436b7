"""Real-clock merges: a background worker thread per state location in this process.

Under `clock = "real"` a merge is real work that takes real time. `ensure_worker(url, open_runner)`
(called by every transaction that leaves a real-clock merge unfinished) makes sure a daemon thread
is working through the state's merges: each slice (about `SLICE_BYTES` of the child's data) runs in
its own transaction, under the state's lock, so other operations and other processes interleave
with it; the slice that completes a job also carries out the merge's effects (records and
files). The job's progress is in its journal (`emulator.vdisk`), not in the thread: a process
that exits or is killed in the middle leaves a job that the next process to open the state
resumes. At interpreter exit the worker finishes the slice it is in and stops.

The worker knows nothing of the engine: `emulator.engine` hands it a `SliceRunner` factory, so
this module sits below the engine and the disk rules.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable

SLICE_BYTES = 32 << 20
PAUSE_SECONDS = 0.06  # between slices, longer than filelock's 50 ms poll: other processes get in

# Runs one slice of about the given number of bytes of the state's first unfinished merge, in a
# transaction of its own; False when there was no merge left.
SliceRunner = Callable[[int], bool]


class _Worker:
    def __init__(self, url: str, open_runner: Callable[[], SliceRunner]) -> None:
        self.url = url
        self.open_runner = open_runner
        self.kicked = False
        self.thread: threading.Thread | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            run_slice = self.open_runner()
        except Exception:  # noqa: BLE001 - the location cannot be opened: nothing to do
            with _GUARD:
                self.thread = None
            return
        while not self.stop.is_set():
            with _GUARD:
                self.kicked = False
            try:
                busy = run_slice(SLICE_BYTES)
            except Exception:  # noqa: BLE001 - a removed state, a corrupt file: stop; the
                busy = False  # next transaction that needs the merge starts a worker again
            if not busy:
                with _GUARD:
                    if not self.kicked or self.stop.is_set():
                        self.thread = None
                        return
            time.sleep(PAUSE_SECONDS)
        with _GUARD:
            self.thread = None


_WORKERS: dict[str, _Worker] = {}
_GUARD = threading.Lock()


def ensure_worker(url: str, open_runner: Callable[[], SliceRunner]) -> None:
    """Make sure a worker is carrying out the real-clock merges of the state at `url`; a new
    worker's thread calls `open_runner` once for the step it repeats."""
    with _GUARD:
        worker = _WORKERS.get(url)
        if worker is None:
            worker = _WORKERS[url] = _Worker(url, open_runner)
        worker.kicked = True
        if worker.thread is None and not worker.stop.is_set():
            worker.thread = threading.Thread(target=worker.run, name=f"hvemu-merge {url}", daemon=True)
            worker.thread.start()


def wait_idle(url: str, timeout: float) -> bool:
    """Wait until no worker runs for `url` (tests, benchmarks); True if it went idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _GUARD:
            worker = _WORKERS.get(url)
            thread = worker.thread if worker is not None else None
        if thread is None:
            return True
        thread.join(min(0.05, max(0.0, deadline - time.monotonic())))
    return False


@atexit.register
def _shutdown() -> None:
    """Let every worker finish its current slice, then stop (the job resumes in a later process)."""
    with _GUARD:
        workers = list(_WORKERS.values())
        for w in workers:
            w.stop.set()
    for w in workers:
        thread = w.thread
        if thread is not None:
            thread.join(timeout=30)
