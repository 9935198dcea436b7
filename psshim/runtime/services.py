"""What a run needs from the outside world: the `Services` the cmdlets reach through their
command context, and small implementations for tests and simple hosts.

- `Clock`: `now()` (naive local time of the emulated host), `sleep(seconds)`, `is_virtual`.
  Under a virtual clock Start-Sleep moves time instead of waiting.
- `FileView`: the emulated host's Windows file system as the cmdlets see it (`read_text`,
  `exists`, `list`; optionally `is_dir` and `write_text(path, text, append)`).
- `Services`: `clock`, `environment` (the script's `$env:`), `files`, and an opaque `hyperv`
  (the SDK client the Hyper-V cmdlets use). Optional: `new_guid()` for deterministic GUIDs.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any, Mapping, Protocol, runtime_checkable

import attrs

from hyperv_emu.sdk.fieldwise import MutableFieldwise


@runtime_checkable
class Clock(Protocol):
    def now(self) -> dt.datetime: ...

    def sleep(self, seconds: float) -> None: ...

    @property
    def is_virtual(self) -> bool: ...


@runtime_checkable
class FileView(Protocol):
    def read_text(self, path: str) -> str: ...

    def exists(self, path: str) -> bool: ...

    def is_dir(self, path: str) -> bool: ...

    def list(self, path: str) -> list[str]: ...


class Services(Protocol):
    clock: Clock
    environment: Mapping[str, str]
    files: FileView
    hyperv: Any


class VirtualClock:
    """A clock that moves only when told to (Start-Sleep, or the emulator's work)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(2026, 2, 20, 8, 0, 0)

    def now(self) -> dt.datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)

    def advance(self, seconds: float) -> None:
        self.sleep(seconds)

    @property
    def is_virtual(self) -> bool:
        return True


class RealClock:
    """Wall time, starting from `start` if given (the world's `now` under `clock = "real"`)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._origin = time.monotonic()
        self._start = start

    def now(self) -> dt.datetime:
        if self._start is None:
            return dt.datetime.now().replace(microsecond=dt.datetime.now().microsecond)
        return self._start + dt.timedelta(seconds=time.monotonic() - self._origin)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    @property
    def is_virtual(self) -> bool:
        return False


def _norm(path: str) -> str:
    p = path.replace("/", "\\").rstrip("\\")
    return p.casefold()


class MemoryFileView:
    """An in-memory Windows file system: {path: text}; folders exist implicitly."""

    def __init__(self, files: Mapping[str, str] | None = None) -> None:
        self.files: dict[str, tuple[str, str]] = {}
        for k, v in (files or {}).items():
            self.write_text(k, v)

    def write_text(self, path: str, text: str, append: bool = False) -> None:
        key = _norm(path)
        if append and key in self.files:
            text = self.files[key][1] + text
        self.files[key] = (path.replace("/", "\\"), text)

    def read_text(self, path: str) -> str:
        key = _norm(path)
        if key not in self.files:
            raise FileNotFoundError(path)
        return self.files[key][1]

    def is_dir(self, path: str) -> bool:
        prefix = _norm(path) + "\\"
        return any(k.startswith(prefix) for k in self.files)

    def exists(self, path: str) -> bool:
        return _norm(path) in self.files or self.is_dir(path)

    def list(self, path: str) -> list[str]:
        prefix = _norm(path) + "\\"
        names: dict[str, str] = {}
        for key, (orig, _) in self.files.items():
            if key.startswith(prefix):
                rest = orig.replace("/", "\\")[len(prefix):]
                first = rest.split("\\", 1)[0]
                names.setdefault(first.casefold(), first)
        return sorted(names.values(), key=str.casefold)


@attrs.define(eq=False, repr=False)
class SimpleServices(MutableFieldwise):
    """A Services implementation for tests and for running scripts without Hyper-V."""

    clock: Any = attrs.field(factory=VirtualClock)
    environment: dict[str, str] = attrs.field(factory=lambda: {"COMPUTERNAME": "HV-HOST01",
                                                               "USERNAME": "Administrator",
                                                               "TEMP": "C:\\Temp"})
    files: Any = attrs.field(factory=MemoryFileView)
    hyperv: Any = None
    guid_seed: int | None = None
    _guid_counter: int = 0

    def new_guid(self) -> uuid.UUID:
        if self.guid_seed is None:
            return uuid.uuid4()
        self._guid_counter += 1
        return uuid.UUID(int=(self.guid_seed << 64) + self._guid_counter, version=4)
