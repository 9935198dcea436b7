"""Shared helpers for the vhdx_*.py benchmarks (not a test; run on demand)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hyperv_emu.emulator.vhdx import LocalFile, RandomAccessFile

MiB = 1 << 20
GiB = 1 << 30
WIN_DIR = "D:\\Hyper-V\\Virtual Hard Disks"


def win_path(name: str) -> str:
    return f"{WIN_DIR}\\{name}"


class Folder:
    """An opener over a temporary folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, name: str, writable: bool) -> RandomAccessFile:
        return LocalFile(self.path / name, "r+" if writable else "r")

    def create(self, name: str) -> LocalFile:
        return LocalFile(self.path / name, "w")

    def delete(self, name: str) -> None:
        try:
            os.unlink(self.path / name)
        except FileNotFoundError:
            pass


@contextmanager
def temp_folder(prefix: str) -> Iterator[Folder]:
    base = os.environ.get("VHDX_BENCH_TMP", "/tmp")
    with tempfile.TemporaryDirectory(prefix=prefix, dir=base) as tmp:
        yield Folder(Path(tmp))


def data_chunks(total: int, chunk: int = 8 * MiB, seed: int = 1) -> Iterator[bytes]:
    """Incompressible, never-zero chunks (a random buffer with a per-chunk stamp)."""
    base = bytearray(os.urandom(chunk))
    for i in range(-(-total // chunk)):
        base[:16] = (i + 1 + seed * 1_000_003).to_bytes(16, "little")
        yield bytes(base[: min(chunk, total - i * chunk)])


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def __call__(self) -> float:
        return time.perf_counter() - self.start


def report(name: str, value: object) -> None:
    if isinstance(value, float):
        print(f"{name}: {value:.4g}", flush=True)
    else:
        print(f"{name}: {value}", flush=True)
