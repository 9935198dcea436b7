"""Random writes, checkpoints and checkpoint removals against an in-memory oracle.

The model is a linear chain ``files[0]`` (base) .. ``files[-1]`` (the VM's
disk, the only one written). A checkpoint adds a child of the top; removing
checkpoint ``i`` merges ``files[i+1]`` into ``files[i]`` and re-links
``files[i+2]``, as Hyper-V does. After every operation our reader must match
the oracle; at the end every file's view is compared with our reader, the top
chain with pyvhdi (through the LibvhdiView workaround, see readers.py) and
dissect.hypervisor, and the base with qemu-img check/compare.
"""

from __future__ import annotations

import os
import random
import tempfile

import hvemu_testlib as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hyperv_emu.emulator.vhdx import (
    DiskRef,
    MergeJob,
    RafJournal,
    SparseMemoryFile,
    VhdxFile,
    create_differencing,
    create_dynamic,
    open_chain,
)

from .checker import assert_valid
from .helpers import LocalOpener, win_path
from .readers import QEMU_IMG, dissect_read, pyvhdi_read, qemu_check, qemu_compare

MiB = 1 << 20
MAX_DEPTH = 5
EXAMPLES = int(os.environ.get("VHDX_HYPOTHESIS_EXAMPLES") or T.examples(4))


def extent(size: int) -> st.SearchStrategy[tuple[int, int]]:
    def build(draw: st.DrawFn) -> tuple[int, int]:
        kind = draw(st.sampled_from(["small", "sector", "blocks"]))
        if kind == "small":
            length = draw(st.integers(1, 9000))
            offset = draw(st.integers(0, size - length))
        elif kind == "sector":
            length = draw(st.integers(1, 64)) * 512
            offset = draw(st.integers(0, (size - length) // 512)) * 512
        else:
            length = draw(st.integers(1, 6 * MiB))
            offset = draw(st.integers(0, size - length))
        return offset, length

    return st.composite(build)()


def operations(size: int) -> st.SearchStrategy[list[tuple[str, int, int, int]]]:
    op = st.one_of(
        st.tuples(st.just("write"), extent(size), st.integers(0, 2**31)).map(lambda t: ("write", t[1][0], t[1][1], t[2])),
        st.tuples(st.just("zero"), extent(size)).map(lambda t: ("zero", t[1][0], t[1][1], 0)),
        st.just(("checkpoint", 0, 0, 0)),
        st.tuples(st.just("remove"), st.integers(0, 10), st.sampled_from([MiB, 3 * MiB, 256 * MiB])).map(
            lambda t: ("remove", t[1], t[2], 0)
        ),
    )
    return st.lists(op, min_size=4, max_size=12)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(size=st.sampled_from([64 * MiB, 64 * MiB + 3 * MiB + 512, 128 * MiB]), data=st.data())
def test_random_chains_match_the_oracle(size: int, data: st.DataObject) -> None:
    ops = data.draw(operations(size))
    with tempfile.TemporaryDirectory(dir=os.environ.get("VHDX_TEST_TMP")) as tmp:
        disks = LocalOpener(tmp)
        create_dynamic(disks.create("base.vhdx"), size, name="base.vhdx").close()
        names = ["base.vhdx"]
        views = [bytearray(size)]
        counter = 0
        journal = RafJournal(SparseMemoryFile())
        for kind, a, b, seed in ops:
            if kind in ("write", "zero"):
                chain = open_chain(disks, names[-1])
                if kind == "write":
                    payload = random.Random(seed).randbytes(b)
                    chain.write(a, payload)
                    views[-1][a : a + b] = payload
                else:
                    chain.write_zeros(a, b)
                    views[-1][a : a + b] = bytes(b)
                lo, hi = max(0, a - 70000), min(size, a + b + 70000)
                assert chain.read(lo, hi - lo) == views[-1][lo:hi]
                chain.close()
            elif kind == "checkpoint" and len(names) < MAX_DEPTH:
                counter += 1
                name = f"disk_{counter:02d}.avhdx"
                parent = VhdxFile.open(disks(names[-1], False), names[-1])
                create_differencing(disks.create(name), parent, parent_win_path=win_path(names[-1]),
                                    child_win_path=win_path(name), name=name).close()
                parent.close()
                names.append(name)
                views.append(bytearray(views[-1]))
            elif kind == "remove" and len(names) > 1:
                i = a % (len(names) - 1)
                child, parent_name = names[i + 1], names[i]
                deps = [DiskRef(names[i + 2], win_path(names[i + 2]))] if i + 2 < len(names) else []
                job = MergeJob.start(child=DiskRef(child, win_path(child)),
                                     parent=DiskRef(parent_name, win_path(parent_name)),
                                     dependants=deps, journal=journal, opener=disks)
                while not job.step(b):
                    pass
                job.finish(disks.delete)
                views[i] = views[i + 1]
                del views[i + 1]
                del names[i + 1]
            if kind in ("checkpoint", "remove"):
                top = open_chain(disks, names[-1], writable=False)
                assert top.read(0, size) == views[-1]
                top.close()
        assert sorted(n for n in os.listdir(tmp)) == sorted(names)
        for name, view in zip(names, views):
            assert_valid(disks.path(name))
            chain = open_chain(disks, name, writable=False)
            assert chain.read(0, size) == view, name
            chain.close()
        paths = [disks.path(n) for n in reversed(names)]
        assert pyvhdi_read(paths, size) == views[-1]
        assert dissect_read(paths[0], size) == views[-1]
        if QEMU_IMG:
            qemu_check(disks.path("base.vhdx"))
            qemu_compare(disks.path("base.vhdx"), bytes(views[0]), tmp)
