"""Checkpoint creation time on a disk holding 2 GiB of data vs on an empty disk.

Creating a checkpoint = open the VM's disk (validating headers, regions,
metadata and the whole BAT) + create the differencing disk. Target: ratio <= 1.2.

    python bench/vhdx_checkpoint.py [--data-gib 2] [--repeat 40]
"""

from __future__ import annotations

import argparse
import statistics

from vhdx_common import GiB, MiB, Timer, data_chunks, report, temp_folder, win_path

from hyperv_emu.emulator.vhdx import VhdxFile, create_differencing, create_dynamic, open_chain


def checkpoint_time(folder, base: str, i: int) -> float:  # type: ignore[no-untyped-def]
    name = f"{base}_{i}.avhdx"
    t = Timer()
    parent = VhdxFile.open(folder(base, False), base)
    child = create_differencing(folder.create(name), parent, parent_win_path=win_path(base),
                                child_win_path=win_path(name), name=name)
    child.close()
    parent.close()
    elapsed = t()
    folder.delete(name)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-gib", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    size = 127 * GiB
    data = int(args.data_gib * GiB)
    with temp_folder("vhdx-bench-ckpt-") as folder:
        create_dynamic(folder.create("empty.vhdx"), size, name="empty.vhdx").close()
        create_dynamic(folder.create("full.vhdx"), size, name="full.vhdx").close()
        chain = open_chain(folder, "full.vhdx")
        pos = 0
        for chunk in data_chunks(data):
            chain.write(pos, chunk)
            pos += len(chunk)
        chain.close()
        report("checkpoint.data_bytes", data)
        empty, full = [], []
        for i in range(args.repeat):  # interleaved, so load changes hit both alike
            empty.append(checkpoint_time(folder, "empty.vhdx", i))
            full.append(checkpoint_time(folder, "full.vhdx", i))
        e, f = statistics.median(empty), statistics.median(full)
        report("checkpoint.empty_ms", e * 1000)
        report("checkpoint.with_data_ms", f * 1000)
        report("checkpoint.ratio", f / e)
        report("checkpoint.child_file_bytes", 4 * MiB)


if __name__ == "__main__":
    main()
