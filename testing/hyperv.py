"""`HyperV`: the pytest plugin's `hyperv` fixture, a fresh emulated Hyper-V for one test.

    def test_nightly(hyperv: HyperV) -> None:
        hyperv.load_world("fleet.toml")                 # or @pytest.mark.hyperv_world("fleet.toml")
        result = hyperv.run("nightly.ps1", "-VMName", "SRV-APP01")
        assert result.exit_code == 0 and result.stderr == ""
        assert hyperv.vm("SRV-APP01").checkpoints()[0].name.startswith("Daily")
        hyperv.advance(minutes=5)                       # the virtual clock: due merges finish
        hyperv.advance(days=14)                         # ... and scheduled tasks run at their times
        hyperv.task_runs("Daily Checkpoint")            # each run: due, started, result, output

It is usable without pytest too (`HyperV.memory()`), e.g. in a notebook. The SDK and psshim are
imported when a `HyperV` is made, not when this module is, so the plugin stays cheap to load.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hyperv_emu.psshim.session import RunResult, Session
    from hyperv_emu.sdk import VM, HyperVClient
    from hyperv_emu.sdk.tasks import ScheduledTaskInfo, TaskRun

EMPTY_WORLD = "now = 2026-01-01T08:00:00\n"


def _answers(stdin: str | None) -> object:
    from hyperv_emu.psshim.runtime.prompts import Answers

    return Answers.non_interactive() if stdin is None else Answers.from_text(stdin)


def as_file(value: str | os.PathLike[str], suffix: str) -> bool:
    """A path-like, or a one-line string ending in `suffix`, names a file; other text is content."""
    if isinstance(value, os.PathLike):
        return True
    return "\n" not in value and value.strip().lower().endswith(suffix)


class HyperV:
    """A fresh emulated Hyper-V (an emulator state at `url`) with a PowerShell session on it.

    Relative paths given to `load_world` and `run` are taken from `base_dir` (the fixture passes
    the test file's folder)."""

    def __init__(self, url: str, base_dir: str | os.PathLike[str] | None = None,
                 world: str | os.PathLike[str] = EMPTY_WORLD) -> None:
        self._url = url
        self.base_dir = pathlib.Path(base_dir) if base_dir is not None else pathlib.Path.cwd()
        self._session: Session | None = None
        self.load_world(world)

    @classmethod
    def attach(cls, url: str, base_dir: str | os.PathLike[str] | None = None) -> HyperV:
        """A HyperV on the state already at `url` (e.g. a `sdk.clone_state` copy of a session
        world): nothing is loaded; `close()` deletes it if it is in memory."""
        from hyperv_emu.psshim.session import Session

        hv = cls.__new__(cls)
        hv._url = url
        hv.base_dir = pathlib.Path(base_dir) if base_dir is not None else pathlib.Path.cwd()
        hv._session = Session.connect(url)
        return hv

    @classmethod
    def memory(cls, world: str | os.PathLike[str] = EMPTY_WORLD,
               base_dir: str | os.PathLike[str] | None = None) -> HyperV:
        """A HyperV on a new in-memory state (`memory://hyperv/<random>`); `close()` deletes it."""
        return cls(f"memory://hyperv/{uuid.uuid4().hex}", base_dir, world)

    @property
    def url(self) -> str:
        """The emulator state's URL (`memory://…`, or a folder): `sdk.connect(url)` reaches it."""
        return self._url

    def _resolve(self, path: str | os.PathLike[str]) -> pathlib.Path:
        full = pathlib.Path(path)
        return full if full.is_absolute() else self.base_dir / full

    def load_world(self, world: str | os.PathLike[str]) -> HyperV:
        """Replace the state with a world: a `.toml` path (relative to `base_dir`) or TOML text."""
        from hyperv_emu.psshim.session import Session

        if as_file(world, ".toml"):
            self._session = Session.from_world(self._resolve(world), self._url, force=True)
        else:
            self._session = Session.from_world_text(str(world), self._url, force=True)
        return self

    @property
    def session(self) -> Session:
        """The psshim session the scripts run in."""
        if self._session is None:
            raise RuntimeError("this HyperV is closed")
        return self._session

    @property
    def client(self) -> HyperVClient:
        """The SDK client on the state."""
        return self.session.client

    def vm(self, name: str) -> VM:
        """The VM with this name, as the SDK sees it now (raises `VMNotFoundError`)."""
        return self.client.vm(name)

    def run(self, script: str | os.PathLike[str], *args: str, stdin: str | None = None) -> RunResult:
        """Run a `.ps1` file (a path, relative to `base_dir`) or script text, as
        `powershell.exe -File` would, binding `args` to its param() block. `stdin`: the answers
        to the script's prompts (Read-Host, -Confirm, ...), one per line, as `hvemu run` reads
        them from standard input; without it every prompt fails as under -NonInteractive."""
        self.session.answers = _answers(stdin)
        if as_file(script, ".ps1"):
            return self.session.run_file(self._resolve(script), *args)
        return self.session.run(str(script), *args)

    def run_command(self, text: str, stdin: str | None = None) -> RunResult:
        """One command line, as typed at a prompt (errors say `At line:1 char:N`)."""
        self.session.answers = _answers(stdin)
        return self.session.run_command(text)

    def now(self) -> dt.datetime:
        """The host's (virtual) clock."""
        return self.client.now()

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> dt.datetime:
        """Move the virtual clock forward; returns the new time. Everything due on the way
        happens at its own instant, in order: merges finish, the world's timeline events
        happen, scheduled tasks run their scripts (see docs/time.md)."""
        total = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds).total_seconds()
        if total < 0:
            raise ValueError(f"the virtual clock only moves forward (asked to move it by {total} seconds)")
        self.client.sleep(total)
        return self.now()

    def task_runs(self, name: str, path: str | None = None) -> list[TaskRun]:
        """The runs of the scheduled task `name` (a full name `\\Folder\\Name` also works),
        oldest first: when each was due and ran, its exit code (`result`) and its output."""
        return self.client.tasks.runs(name, path)

    def task_info(self, name: str, path: str | None = None) -> ScheduledTaskInfo:
        """Get-ScheduledTaskInfo of a task: last run time and result, next run time."""
        return self.client.tasks.info(name, path)

    def export_world(self) -> str:
        """The state as a world file's text (`hvemu world export`)."""
        from hyperv_emu import sdk

        return sdk.export_world(self._url)

    def keep(self, folder: str | os.PathLike[str]) -> pathlib.Path:
        """Write the state out to `folder`: `world.toml` (the world now) and `state/` (a copy of
        the whole emulator state, disks included: `hvemu tree --state <folder>/state`)."""
        from hyperv_emu.testing.keep_state import keep_state

        return keep_state(self._url, pathlib.Path(folder))

    def close(self) -> None:
        """Delete an in-memory state (a state in a folder is left to its owner)."""
        if self._session is not None:
            self._session.discard()
            self._session = None

    def __enter__(self) -> HyperV:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
