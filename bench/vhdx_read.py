"""4 KiB random reads through a chain of depth 32 vs depth 1.

Both disks hold the same bytes (256 MiB virtual, fully written). The deep
chain spreads them over a base and 31 AVHDX files (whole blocks, partial
blocks with sector bitmaps). Reads are 4 KiB aligned at random offsets; the
first pass ("cold") includes resolving each 2 MiB unit once, later passes use
the chain's cached resolution map ("warm"). Target: warm ratio <= 1.3.

    python bench/vhdx_read.py [--reads 20000]
"""

from __future__ import annotations

import argparse
import random

from vhdx_common import MiB, Timer, data_chunks, report, temp_folder, win_path

from hyperv_emu.emulator.vhdx import VhdxFile, create_differencing, create_dynamic, open_chain

SIZE = 256 * MiB


def build_flat(folder) -> None:  # type: ignore[no-untyped-def]
    create_dynamic(folder.create("flat.vhdx"), SIZE, name="flat.vhdx").close()
    chain = open_chain(folder, "flat.vhdx")
    pos = 0
    for chunk in data_chunks(SIZE):
        chain.write(pos, chunk)
        pos += len(chunk)
    chain.close()


def build_deep(folder, depth: int) -> str:  # type: ignore[no-untyped-def]
    """A base with the data and depth-1 children, each rewriting slices with the same bytes."""
    create_dynamic(folder.create("base.vhdx"), SIZE, name="base.vhdx").close()
    flat = open_chain(folder, "flat.vhdx", writable=False)
    chain = open_chain(folder, "base.vhdx")
    chain.write(0, flat.read(0, SIZE))
    chain.close()
    rng = random.Random(7)
    top = "base.vhdx"
    for level in range(1, depth):
        name = f"c{level:02d}.avhdx"
        parent = VhdxFile.open(folder(top, False), top)
        create_differencing(folder.create(name), parent, parent_win_path=win_path(top),
                            child_win_path=win_path(name), name=name).close()
        parent.close()
        chain = open_chain(folder, name)
        for _ in range(24):  # whole blocks and 4 KiB-granular partial blocks
            if rng.random() < 0.3:
                off = rng.randrange(SIZE // (2 * MiB)) * 2 * MiB
                n = 2 * MiB
            else:
                off = rng.randrange(SIZE // 4096) * 4096
                n = min(SIZE - off, rng.randrange(1, 64) * 4096)
            chain.write(off, flat.read(off, n))
        chain.close()
        top = name
    flat.close()
    return top


def time_reads(chain, offsets: list[int]) -> float:  # type: ignore[no-untyped-def]
    t = Timer()
    for off in offsets:
        chain.read(off, 4096)
    return t() / len(offsets)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reads", type=int, default=20000)
    parser.add_argument("--depth", type=int, default=32)
    args = parser.parse_args()
    rng = random.Random(1)
    offsets = [rng.randrange(SIZE // 4096) * 4096 for _ in range(args.reads)]
    with temp_folder("vhdx-bench-read-") as folder:
        build_flat(folder)
        top = build_deep(folder, args.depth)
        flat = open_chain(folder, "flat.vhdx", writable=False)
        deep = open_chain(folder, top, writable=False)
        assert deep.depth == args.depth
        for off in offsets[:500]:
            assert deep.read(off, 4096) == flat.read(off, 4096)
        flat.invalidate_cache()
        deep.invalidate_cache()
        cold_flat = time_reads(flat, offsets)
        cold_deep = time_reads(deep, offsets)
        warm = {"flat": [], "deep": []}
        for _ in range(3):
            warm["flat"].append(time_reads(flat, offsets))
            warm["deep"].append(time_reads(deep, offsets))
        w_flat, w_deep = min(warm["flat"]), min(warm["deep"])
        report("read4k.depth", args.depth)
        report("read4k.depth1_cold_us", cold_flat * 1e6)
        report(f"read4k.depth{args.depth}_cold_us", cold_deep * 1e6)
        report("read4k.depth1_us", w_flat * 1e6)
        report(f"read4k.depth{args.depth}_us", w_deep * 1e6)
        report("read4k.cold_ratio", cold_deep / cold_flat)
        report("read4k.ratio", w_deep / w_flat)
        flat.close()
        deep.close()


if __name__ == "__main__":
    main()
