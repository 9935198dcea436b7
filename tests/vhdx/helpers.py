"""Shared helpers: local openers, Windows paths for test files, data patterns."""

from __future__ import annotations

import os
import random
from pathlib import Path

from hyperv_emu.emulator.vhdx import LocalFile, RandomAccessFile, SparseMemoryFile

WIN_DIR = "D:\\Hyper-V\\Virtual Hard Disks"
MiB = 1 << 20


def win_path(name: str) -> str:
    return f"{WIN_DIR}\\{name}"


class LocalOpener:
    """``opener(name, writable)`` over a local folder; names are file names."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def __call__(self, name: str, writable: bool) -> RandomAccessFile:
        return LocalFile(self.folder / name, "r+" if writable else "r")

    def create(self, name: str) -> LocalFile:
        return LocalFile(self.folder / name, "w")

    def path(self, name: str) -> Path:
        return self.folder / name

    def delete(self, name: str) -> None:
        try:
            os.unlink(self.folder / name)
        except FileNotFoundError:
            pass


class MemoryOpener:
    """``opener(name, writable)`` over a dict of SparseMemoryFiles (a crash keeps them)."""

    def __init__(self, files: dict[str, SparseMemoryFile] | None = None) -> None:
        self.files: dict[str, SparseMemoryFile] = files if files is not None else {}

    def __call__(self, name: str, writable: bool) -> RandomAccessFile:
        if name not in self.files:
            raise FileNotFoundError(name)
        return _Unclosable(self.files[name])

    def create(self, name: str) -> RandomAccessFile:
        self.files[name] = SparseMemoryFile()
        return _Unclosable(self.files[name])

    def delete(self, name: str) -> None:
        self.files.pop(name, None)

    def clone(self) -> MemoryOpener:
        return MemoryOpener({k: v.clone() for k, v in self.files.items()})


class _Unclosable:
    """Shares a SparseMemoryFile; close() only detaches this handle."""

    def __init__(self, inner: SparseMemoryFile) -> None:
        self.inner = inner

    def read_at(self, offset: int, length: int) -> bytes:
        return self.inner.read_at(offset, length)

    def write_at(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        self.inner.write_at(offset, data)

    def size(self) -> int:
        return self.inner.size()

    def truncate(self, length: int) -> None:
        self.inner.truncate(length)

    def flush(self) -> None:
        self.inner.flush()

    def close(self) -> None:
        return None


def pattern(seed: int, length: int) -> bytes:
    """Deterministic pseudo-random bytes (fast for large lengths: shifted windows of 1 MiB)."""
    rng = random.Random(seed)
    if length <= MiB:
        return rng.randbytes(length)
    base = rng.randbytes(MiB + 65536)
    parts = []
    for i in range(-(-length // MiB)):
        shift = (i * 4099) % 65536
        parts.append(base[shift : shift + MiB])
    return b"".join(parts)[:length]
