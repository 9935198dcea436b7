"""Helpers for the emulator's disk tests (tests/emulator/test_disks_*.py): an oracle of each VM's
disk bytes, the files behind a VM's chains, and the independent readers of tests/vhdx/readers.py
(qemu-img for base disks, pyvhdi with the LibvhdiView workaround and dissect.hypervisor for chains).

Importable from every test folder (tests/conftest.py puts this folder on sys.path).
"""

from __future__ import annotations

import os
import pathlib
import random
from collections.abc import Iterable

from vhdx.readers import (
    QEMU_IMG,
    dissect_read,
    pyvhdi_read,
    qemu,
    qemu_check,
    qemu_compare,
)

from hyperv_emu import sdk

MiB = 1 << 20
PAGE = MiB
_ZERO_PAGE = bytes(PAGE)


class Disk:
    """What a guest should read from one virtual disk: 1 MiB pages of immutable bytes (absent =
    zeros), so that copying a disk for a checkpoint is a cheap dict copy."""

    def __init__(self, size: int, pages: dict[int, bytes] | None = None) -> None:
        self.size = size
        self.pages: dict[int, bytes] = dict(pages or {})

    def copy(self) -> Disk:
        return Disk(self.size, self.pages)

    def write(self, offset: int, data: bytes) -> None:
        assert 0 <= offset and offset + len(data) <= self.size
        pos = 0
        while pos < len(data):
            index, inner = divmod(offset + pos, PAGE)
            n = min(PAGE - inner, len(data) - pos)
            page = bytearray(self.pages.get(index, _ZERO_PAGE))
            page[inner:inner + n] = data[pos:pos + n]
            self.pages[index] = bytes(page)
            pos += n

    def read(self, offset: int = 0, length: int | None = None) -> bytes:
        length = self.size - offset if length is None else length
        parts = []
        pos = offset
        while pos < offset + length:
            index, inner = divmod(pos, PAGE)
            n = min(PAGE - inner, offset + length - pos)
            page = self.pages.get(index, _ZERO_PAGE)
            parts.append(page if (inner, n) == (0, PAGE) else page[inner:inner + n])
            pos += n
        return b"".join(parts)


def random_bytes(rng: random.Random, n: int, zero: bool = False) -> bytes:
    return bytes(n) if zero else rng.randbytes(n)


def storage_path(client: sdk.HyperVClient, win_path: str) -> str:
    """The local file behind a host path (the emulated backend's `storage_path`)."""
    return str(client.backend.storage_path(client.computer_name, win_path))  # type: ignore[attr-defined]


def chain_paths(client: sdk.HyperVClient, top: str) -> list[str]:
    """The Windows paths of the chain whose newest file is `top`, newest first (Get-VHD's
    ParentPath, followed down to the base)."""
    out = [top]
    parent = client.get_vhd(top).parent_path
    while parent:
        out.append(parent)
        parent = client.get_vhd(parent).parent_path
    return out


def check_chain(client: sdk.HyperVClient, top: str, expected: bytes, *, dissect: bool = True) -> None:
    """The chain from `top` reads `expected` through pyvhdi (parents attached with set_parent,
    LibvhdiView's workaround for libvhdi's absent-bitmap bug) and dissect.hypervisor (parents
    found through relative_path)."""
    files = [storage_path(client, p) for p in chain_paths(client, top)]
    # a lone base disk needs no workaround: libvhdi reads the file itself
    assert pyvhdi_read(files, len(expected), patched=len(files) > 1) == expected, f"pyvhdi reads another disk through {top}"
    if dissect:
        assert dissect_read(files[0], len(expected)) == expected, f"dissect reads another disk through {top}"


def check_base(client: sdk.HyperVClient, path: str, expected: bytes | None, tmp_dir: pathlib.Path) -> None:
    """A base disk passes `qemu-img check` and qemu-img reads `expected` from it (when given;
    otherwise what pyvhdi reads, two independent readers agreeing)."""
    local = storage_path(client, path)
    qemu_check(local)
    if expected is None:
        expected = pyvhdi_read([local], client.get_vhd(path).size)
    qemu_compare(local, expected, tmp_dir)


def disk_files(folder: str | os.PathLike[str]) -> list[pathlib.Path]:
    return sorted(p for p in pathlib.Path(folder).rglob("*") if p.suffix.lower() in (".vhdx", ".avhdx"))


def allocated(path: str | os.PathLike[str]) -> int:
    return os.stat(path).st_blocks * 512


def bases(paths: Iterable[str]) -> list[str]:
    return [p for p in paths if p.lower().endswith(".vhdx")]


__all__ = [
    "QEMU_IMG", "Disk", "MiB", "allocated", "bases", "chain_paths", "check_base", "check_chain", "disk_files",
    "qemu", "random_bytes", "storage_path",
]
