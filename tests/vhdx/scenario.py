"""Chains with known contents, shared by the merge tests and the merge worker process."""

from __future__ import annotations

from hyperv_emu.emulator.vhdx import (
    Opener,
    VhdxFile,
    create_differencing,
    create_differencing_with_length,
    create_dynamic,
    open_chain,
)

from .helpers import pattern, win_path

MiB = 1 << 20

# (offset, length, kind): kind "data" writes a pattern, "zero" writes zeros.
BASE_WRITES = [(0, 5 * MiB, "data"), (9 * MiB + 512, 3000, "data"), (14 * MiB, 2 * MiB, "data")]
LEVEL_WRITES = [
    # c1: whole blocks, partial blocks, zeros hiding base data, a whole zero block
    [(2 * MiB, 2 * MiB, "data"), (6 * MiB + 4096, 8192, "data"), (0, 4096, "zero"),
     (14 * MiB, 2 * MiB, "zero"), (9 * MiB, 4096, "data")],
    # c2
    [(1 * MiB, 3 * MiB + 512, "data"), (11 * MiB, 100, "data"), (6 * MiB + 4096, 4096, "zero")],
    # c3
    [(5 * MiB, 4 * MiB, "data"), (15 * MiB + 4096, 512, "data")],
]


def build(disks: Opener, size: int = 16 * MiB, levels: int = 3, *, with_length: int = 0) -> dict[str, bytes]:
    """base.vhdx <- c1.avhdx <- ... ; returns the expected view of every file.

    ``with_length`` > 0 creates c1 with create_differencing_with_length.
    """
    views: dict[str, bytes] = {}
    expected = bytearray(size)
    create_dynamic(disks.create("base.vhdx"), size, name="base.vhdx").close()  # type: ignore[attr-defined]
    chain = open_chain(disks, "base.vhdx")
    apply(chain, expected, BASE_WRITES, 0)
    chain.close()
    views["base.vhdx"] = bytes(expected)
    top = "base.vhdx"
    for level in range(1, levels + 1):
        name = f"c{level}.avhdx"
        parent = VhdxFile.open(disks(top, False), top)
        if level == 1 and with_length:
            create_differencing_with_length(
                disks.create(name), parent, parent_win_path=win_path(top),  # type: ignore[attr-defined]
                child_win_path=win_path(name), length=with_length, name=name,
            ).close()
            present = min(size // (2 * MiB), max(0, with_length - 4 * MiB) // (2 * MiB))
            expected[: present * 2 * MiB] = bytes(present * 2 * MiB)
        else:
            create_differencing(
                disks.create(name), parent, parent_win_path=win_path(top),  # type: ignore[attr-defined]
                child_win_path=win_path(name), name=name,
            ).close()
        parent.close()
        chain = open_chain(disks, name)
        apply(chain, expected, LEVEL_WRITES[(level - 1) % len(LEVEL_WRITES)], level)
        chain.close()
        views[name] = bytes(expected)
        top = name
    return views


def apply(chain, expected: bytearray, writes, seed: int) -> None:  # type: ignore[no-untyped-def]
    for i, (off, n, kind) in enumerate(writes):
        off = min(off, chain.virtual_size - n)
        if kind == "zero":
            chain.write_zeros(off, n)
            expected[off : off + n] = bytes(n)
        else:
            data = pattern(seed * 100 + i, n)
            chain.write(off, data)
            expected[off : off + n] = data


def read_view(disks: Opener, name: str) -> bytes:
    chain = open_chain(disks, name, writable=False)
    try:
        return chain.read(0, chain.virtual_size)
    finally:
        chain.close()
