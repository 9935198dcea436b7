"""Peak memory (ru_maxrss of a subprocess) while merging a 4 GiB AVHDX into its base.

The child holds 4 GiB of incompressible data (every 2 MiB block present). A
fresh Python process only merges (step slices, journal, child deletion) and
exits, printing its own getrusage(RUSAGE_SELF).ru_maxrss. The same process
is also measured doing nothing but the imports, for reference.
Target: <= 150 MB. Needs ~8 GiB free in $VHDX_BENCH_TMP (default /tmp).

    python bench/vhdx_merge_memory.py [--data-gib 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from vhdx_common import ROOT, GiB, Timer, data_chunks, report, temp_folder, win_path

from hyperv_emu.emulator.vhdx import VhdxFile, create_differencing, create_dynamic, open_chain

MERGE = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from hyperv_emu.emulator.vhdx import DiskRef, LocalFile, LocalFileJournal, merge_into_parent
folder = Path({folder!r})
def opener(name, writable):
    return LocalFile(folder / name, "r+" if writable else "r")
def delete(name):
    (folder / name).unlink()
if {merge!r}:
    merge_into_parent(DiskRef("c1.avhdx", {child_win!r}), DiskRef("base.vhdx", {base_win!r}), [],
                      LocalFileJournal(folder / "merge.journal"), opener, delete_child=delete)
import resource
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def child_maxrss_mb(code: str) -> float:
    """ru_maxrss the child reports for itself (getrusage(RUSAGE_SELF) at its end), in MB."""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return int(out.strip().splitlines()[-1]) * 1024 / 1e6  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-gib", type=float, default=4.0)
    args = parser.parse_args()
    data = int(args.data_gib * GiB)
    with temp_folder("vhdx-bench-mem-") as folder:
        create_dynamic(folder.create("base.vhdx"), max(data, 4 * GiB), name="base.vhdx").close()
        parent = VhdxFile.open(folder("base.vhdx", False), "base.vhdx")
        create_differencing(folder.create("c1.avhdx"), parent, parent_win_path=win_path("base.vhdx"),
                            child_win_path=win_path("c1.avhdx"), name="c1.avhdx").close()
        parent.close()
        chain = open_chain(folder, "c1.avhdx")
        pos = 0
        for chunk in data_chunks(data):
            chain.write(pos, chunk)
            pos += len(chunk)
        chain.close()
        child_size = os.path.getsize(folder.path / "c1.avhdx")
        fields = {"root": str(ROOT), "folder": str(folder.path), "child_win": win_path("c1.avhdx"),
                      "base_win": win_path("base.vhdx")}
        idle = child_maxrss_mb(MERGE.format(merge=False, **fields))
        t = Timer()
        peak = child_maxrss_mb(MERGE.format(merge=True, **fields))
        elapsed = t()
        assert not (folder.path / "c1.avhdx").exists()
        report("merge_memory.child_file_bytes", child_size)
        report("merge_memory.imports_only_maxrss_mb", idle)
        report("merge_memory.peak_maxrss_mb", peak)
        report("merge_memory.seconds", elapsed)


if __name__ == "__main__":
    main()
