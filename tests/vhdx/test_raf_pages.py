"""SparseMemoryFile of any page size reads back what a plain bytearray holds after the same
writes and truncations (its pages keep no trailing zeros and no all-zero page is stored)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.emulator.vhdx.raf import SparseMemoryFile

_SPAN = 3 * 4096 + 100
_DATA = st.one_of(st.binary(min_size=1, max_size=600),
                  st.integers(1, 5000).map(bytes),  # zeros
                  st.tuples(st.integers(0, 4200), st.binary(min_size=1, max_size=8)).map(lambda t: bytes(t[0]) + t[1]))
_STEP = st.one_of(st.tuples(st.just("write"), st.integers(0, _SPAN), _DATA),
                  st.tuples(st.just("truncate"), st.integers(0, _SPAN + 5000), st.just(b"")))


@settings(max_examples=T.examples(60))
@given(page=st.sampled_from([512, 4096, 65536]), steps=st.lists(_STEP, max_size=25),
       reads=st.lists(st.tuples(st.integers(0, _SPAN + 6000), st.integers(0, 9000)), max_size=8))
def test_pages_read_back_as_a_plain_buffer(page: int, steps: list[tuple[str, int, bytes]],
                                           reads: list[tuple[int, int]]) -> None:
    f = SparseMemoryFile(page_size=page)
    model = bytearray()
    for kind, offset, data in steps:
        if kind == "write":
            f.write_at(offset, data)
            if len(model) < offset + len(data):
                model += bytes(offset + len(data) - len(model))
            model[offset: offset + len(data)] = data
        else:
            f.truncate(offset)
            del model[offset:]
            model += bytes(offset - len(model))
    assert f.size() == len(model)
    assert f.getvalue() == bytes(model)
    for offset, length in reads:
        assert f.read_at(offset, length) == bytes(model[offset: offset + length])
    pages = getattr(f, "_pages")
    assert all(p and p[-1] for p in pages.values())  # no stored trailing zeros, no empty page
    assert f.stored_bytes() == len(pages) * page
    copy = f.clone()
    assert copy.getvalue() == bytes(model)


def _apply(f: SparseMemoryFile, model: bytearray, step: tuple[str, int, bytes]) -> None:
    kind, offset, data = step
    if kind == "write":
        f.write_at(offset, data)
        if len(model) < offset + len(data):
            model += bytes(offset + len(data) - len(model))
        model[offset: offset + len(data)] = data
    else:
        f.truncate(offset)
        del model[offset:]
        model += bytes(offset - len(model))


@settings(max_examples=T.examples(60))
@given(page=st.sampled_from([512, 4096]), before=st.lists(_STEP, max_size=12),
       after=st.lists(st.tuples(st.sampled_from([0, 1, 2]), _STEP), max_size=25))
def test_a_clone_shares_pages_and_copies_them_on_write(page: int, before: list[tuple[str, int, bytes]],
                                                       after: list[tuple[int, tuple[str, int, bytes]]]) -> None:
    """Copy-on-write clones: each of an original and two clones (one a clone of the clone)
    reads back its own writes and truncations only, whatever the others do after the clone."""
    first = SparseMemoryFile(page_size=page)
    model = bytearray()
    for step in before:
        _apply(first, model, step)
    second = first.clone()
    assert second.shared_pages() == first.shared_pages() == len(getattr(first, "_pages"))
    third = second.clone()
    files = [first, second, third]
    models = [bytearray(model), bytearray(model), bytearray(model)]
    for which, step in after:
        _apply(files[which], models[which], step)
    for f, m in zip(files, models):
        assert f.getvalue() == bytes(m)
        pages = getattr(f, "_pages")
        assert all(p and p[-1] for p in pages.values())
        assert set(getattr(f, "_shared")) <= set(pages)


def test_a_clone_copies_only_the_pages_written() -> None:
    f = SparseMemoryFile(page_size=4096)
    for i in range(10):
        f.write_at(i * 4096, b"x" * 4096)
    copy = f.clone()
    copy.write_at(5 * 4096 + 1, b"y")
    assert copy.shared_pages() == 9 and f.read_at(5 * 4096 + 1, 1) == b"x"
    assert getattr(copy, "_pages")[0] is getattr(f, "_pages")[0]
