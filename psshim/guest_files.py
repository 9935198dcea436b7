"""The file system of an emulated guest (PowerShell Direct): in memory, for one run.

A guest starts with the folders of a fresh Windows installation (`C:\\Windows\\System32`,
`C:\\Users\\Administrator` with its Temp folder, `C:\\Program Files`, `C:\\ProgramData`) and no
files. It offers what the file cmdlets and `[System.IO.File]` use of a file view (the methods of
`host_services.SdkFileView`): Windows paths, compared without regard to case.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Callable

import attrs

from hyperv_emu.psshim.host_services import decode_text
from hyperv_emu.sdk.fieldwise import MutableFieldwise
from hyperv_emu.sdk.types import FileInfo

FRESH_FOLDERS = ("C:\\", "C:\\Windows", "C:\\Windows\\System32", "C:\\Users", "C:\\Users\\Administrator",
                 "C:\\Users\\Administrator\\AppData", "C:\\Users\\Administrator\\AppData\\Local",
                 "C:\\Users\\Administrator\\AppData\\Local\\Temp", "C:\\Program Files", "C:\\ProgramData")


def _norm(path: str) -> str:
    p = path.replace("/", "\\")
    if len(p) == 2 and p[1] == ":":
        p += "\\"
    if len(p) > 3:
        p = p.rstrip("\\")
    return p.casefold()


@attrs.define(eq=False, repr=False)
class _Entry(MutableFieldwise):
    path: str
    data: bytes | None  # None: a folder
    written: dt.datetime


class GuestFileView:
    """An in-memory Windows file system; `now` stamps LastWriteTime."""

    def __init__(self, now: Callable[[], dt.datetime], default_encoding: str = "cp1252") -> None:
        self.now = now
        self.default_encoding = default_encoding
        self.entries: dict[str, _Entry] = {}
        for folder in FRESH_FOLDERS:
            self.make_dir(folder)

    def _parent(self, path: str) -> str:
        p = path.replace("/", "\\").rstrip("\\")
        head, _, _ = p.rpartition("\\")
        return head + "\\" if len(head) == 2 else head

    def info(self, path: str) -> FileInfo | None:
        entry = self.entries.get(_norm(path))
        if entry is None:
            return None
        name = entry.path.rstrip("\\").rpartition("\\")[2] or entry.path
        return FileInfo(path=entry.path, name=name, is_dir=entry.data is None,
                        length=0 if entry.data is None else len(entry.data), last_write_time=entry.written)

    def exists(self, path: str) -> bool:
        return _norm(path) in self.entries

    def is_dir(self, path: str) -> bool:
        entry = self.entries.get(_norm(path))
        return entry is not None and entry.data is None

    def list_info(self, path: str) -> builtins.list[FileInfo]:
        """The folder's entries as Windows lists them: folders first, each group by name."""
        base = _norm(path)
        prefix = base if base.endswith("\\") else base + "\\"
        out = []
        for key in sorted(self.entries):
            if key.startswith(prefix) and key != base and "\\" not in key[len(prefix):]:
                info = self.info(key)
                if info is not None:
                    out.append(info)
        return sorted(out, key=lambda f: (not f.is_dir, f.name.casefold()))

    def list(self, path: str) -> builtins.list[str]:
        return [f.name for f in self.list_info(path)]

    def read_bytes(self, path: str) -> bytes:
        entry = self.entries.get(_norm(path))
        if entry is None or entry.data is None:
            raise FileNotFoundError(path)
        return entry.data

    def read_text(self, path: str) -> str:
        return decode_text(self.read_bytes(path), self.default_encoding)

    def write_bytes(self, path: str, data: bytes, append: bool = False) -> None:
        if not self.is_dir(self._parent(path)):
            raise FileNotFoundError(path)
        key = _norm(path)
        old = self.entries.get(key)
        if old is not None and old.data is None:
            raise IsADirectoryError(path)
        if append and old is not None and old.data is not None:
            data = old.data + data
        self.entries[key] = _Entry(path.replace("/", "\\"), bytes(data), self.now())

    def write_text(self, path: str, text: str, append: bool = False) -> None:
        self.write_bytes(path, text.encode(self.default_encoding, "replace"), append)

    def make_dir(self, path: str) -> None:
        key = _norm(path)
        if key in self.entries:
            return
        parent = self._parent(path)
        if parent and _norm(parent) != key and not self.exists(parent):
            self.make_dir(parent)
        self.entries[key] = _Entry(path.replace("/", "\\"), None, self.now())

    def delete(self, path: str) -> None:
        key = _norm(path)
        for other in [k for k in self.entries if k == key or k.startswith(key.rstrip("\\") + "\\")]:
            del self.entries[other]
