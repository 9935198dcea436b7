"""A store inside `batch()` answers as it does outside one (emulator.storebatch): the same
case-insensitive NTFS lookups, the same confinement, the same listings, while folders are
listed once and files written under `unsynced()` are synced together at the batch's end."""

from __future__ import annotations

import contextlib
import os
import pathlib

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.emulator import storebatch
from hyperv_emu.emulator.errors import AccessDenied
from hyperv_emu.emulator.storage import FileStore, open_store
from hyperv_emu.emulator.storebatch import Listing, Listings

ROOT = "hosts/hv/D"


def test_listing_prefers_the_exact_name_and_else_the_first_case_insensitive_match() -> None:
    listing = Listing(["Disk.vhdx", "DISK.vhdx", "other"])
    assert listing.match("DISK.vhdx") == "DISK.vhdx"
    assert listing.match("disk.VHDX") == "Disk.vhdx"
    assert listing.match("missing") is None
    listing.remove("Disk.vhdx")
    assert listing.match("disk.vhdx") == "DISK.vhdx"


def test_listings_follow_creations_of_nested_folders_after_an_ancestor_was_read() -> None:
    tree: dict[str, list[str]] = {"hosts/hv/D": ["VMs"], "hosts/hv/D/VMs": []}
    listings = Listings(lambda rel: list(tree[rel]) if rel in tree else None)
    assert listings.lookup("hosts/hv/D/vms/New/x.vmcx") == "hosts/hv/D/VMs/New/x.vmcx"
    tree["hosts/hv/D/VMs/New"] = ["x.vmcx"]  # created on storage, then reported
    tree["hosts/hv/D/VMs"] = ["New"]
    listings.added("hosts/hv/D/VMs/New/x.vmcx", False)
    assert listings.lookup("hosts/hv/D/VMS/new/X.VMCX") == "hosts/hv/D/VMs/New/x.vmcx"
    assert listings.is_dir("hosts/hv/D/VMs/New")
    listings.removed("hosts/hv/D/VMs/New/x.vmcx")
    assert not listings.exists("hosts/hv/D/VMs/New/x.vmcx")


def _stores(tmp_path: pathlib.Path) -> list[FileStore]:
    return [open_store(str(tmp_path / "state")), open_store(T.memory_url())]


# One step of a random script against a store: (kind, path). Names differ only in case often.
_NAMES = st.sampled_from(["a", "A", "b", "Vm", "VM", "vm.vhdx", "VM.VHDX"])
_PATHS = st.lists(_NAMES, min_size=1, max_size=3).map(lambda parts: ROOT + "/" + "/".join(parts))
_STEPS = st.lists(st.tuples(st.sampled_from(["write", "sparse", "random", "mkdir", "delete", "copy"]), _PATHS),
                  max_size=12)


def _run(store: FileStore, steps: list[tuple[str, str]], queries: list[str]) -> list[object]:
    """Carry out the steps, then answer each query; an error is an answer too."""
    out: list[object] = []
    for kind, path in steps:
        try:
            if kind == "write":
                store.write_atomic(path, b"x" * 10)
            elif kind == "sparse":
                store.create_sparse(path, 4096)
            elif kind == "random":
                handle = store.create_random(path)
                handle.write_at(10, b"r")
                handle.close()
            elif kind == "mkdir":
                store.makedirs(path)
            elif kind == "delete":
                store.delete(path)
            elif store.exists(ROOT + "/a") and not store.is_dir(ROOT + "/a"):
                store.copy_sparse(ROOT + "/a", path, 100)
            out.append("ok")
        except (OSError, AccessDenied) as exc:
            out.append(type(exc).__name__)
    for q in queries:
        entry = (store.exists(q), store.is_dir(q), store.display_path(q).rsplit("/", 2)[-2:])
        out.append(entry)
        if entry[1]:
            out.append(sorted((e.name, e.is_dir) for e in store.listdir(q)))
    return out


@settings(max_examples=T.examples(40))
@given(steps=_STEPS, queries=st.lists(_PATHS, max_size=6))
# a folder stays when its last file goes (fsspec's memory store once dropped its implicit folders)
@example(steps=[("write", "hosts/hv/D/a/Vm/a"), ("delete", "hosts/hv/D/a/Vm/a")], queries=["hosts/hv/D/a"])
def test_a_batch_answers_as_file_by_file_access_does(steps: list[tuple[str, str]], queries: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for plain, batched in zip(_stores(pathlib.Path(tmp) / "p"), _stores(pathlib.Path(tmp) / "b")):
            plain.makedirs(ROOT)
            batched.makedirs(ROOT)
            expected = _run(plain, steps, queries)
            with batched.batch(), batched.unsynced():
                got = _run(batched, steps, queries)
            assert got == expected
            # and after the batch, from storage itself
            assert _run(batched, [], queries) == _run(plain, [], queries)


def test_many_files_written_unsynced_cost_one_file_system_sync(tmp_path: pathlib.Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "state"))
    syncs: list[str] = []
    fsyncs: list[int] = []
    monkeypatch.setattr(storebatch, "sync_file_system", lambda path: syncs.append(path) or True)
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))
    with store.batch():
        with store.unsynced():
            for i in range(storebatch.FSYNC_EACH_LIMIT + 5):
                store.write_atomic(f"{ROOT}/VMs/f{i}.vmcx", b"config")
                handle = store.open_random(f"{ROOT}/VMs/f{i}.vmcx")
                handle.write_at(0, b"C")
                handle.flush()
                handle.close()
        assert syncs == [] and fsyncs == []  # nothing synced before the batch ends
    assert syncs == [os.path.abspath(tmp_path / "state")]
    assert fsyncs == []
    assert (tmp_path / "state" / ROOT / "VMs" / "f3.vmcx").read_bytes() == b"Config"


def test_a_few_unsynced_files_are_fsynced_each_with_their_folder(tmp_path: pathlib.Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "state"))
    synced: list[str] = []
    monkeypatch.setattr(storebatch, "fsync_path", synced.append)
    with store.unsynced():
        store.write_atomic(f"{ROOT}/a.vmcx", b"1")
        store.create_sparse(f"{ROOT}/b.vmrs", 1 << 20)
    base = os.path.abspath(tmp_path / "state" / ROOT)
    # (all at once, from threads: in no particular order)
    assert sorted(synced) == [base, f"{base}/a.vmcx", f"{base}/b.vmrs"]


def test_outside_unsynced_each_write_is_fsynced_at_once(tmp_path: pathlib.Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "state"))
    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsyncs.append(fd) or real_fsync(fd))
    with store.batch():
        store.write_atomic(f"{ROOT}/a.vmcx", b"1")
        assert len(fsyncs) == 1
        handle = store.open_random(f"{ROOT}/a.vmcx")
        handle.flush()
        handle.close()
        assert len(fsyncs) == 2


def test_a_link_out_of_the_root_is_refused_inside_a_batch(tmp_path: pathlib.Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    store = open_store(str(tmp_path / "state"))
    store.makedirs(ROOT)
    os.symlink(outside, tmp_path / "state" / ROOT / "Escape")
    with store.batch(), store.unsynced():
        assert store.exists(f"{ROOT}/VMs") is False  # a folder listing is cached first
        with pytest.raises(AccessDenied):
            store.write_atomic(f"{ROOT}/escape/x.vmcx", b"x")
        with pytest.raises(AccessDenied):
            store.create_sparse(f"{ROOT}/Escape/y.vmrs", 10)
    assert list(outside.iterdir()) == []


def test_a_memory_batch_does_not_scan_the_store_per_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(T.memory_url())
    store.makedirs(ROOT)
    fs = getattr(store, "fs")
    calls: list[str] = []
    for name in ("ls", "exists", "isdir", "info", "makedirs"):
        original = getattr(fs, name)

        def spy(*args: object, _name: str = name, _original: object = original, **kwargs: object) -> object:
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(fs, name, spy)
    with store.batch():
        for i in range(50):
            store.create_sparse(f"{ROOT}/VMs/vm{i}/Virtual Machines/x.vmrs", 1 << 30)
            store.write_atomic(f"{ROOT}/VMs/vm{i}/Virtual Machines/x.vmcx", b"{}")
            assert store.exists(f"{ROOT}/vms/VM{i}/virtual machines/X.VMCX")
    assert calls == []
    with contextlib.ExitStack():
        assert store.read_bytes(f"{ROOT}/VMS/vm7/Virtual Machines/x.vmcx") == b"{}"
        assert store.is_dir(f"{ROOT}/VMs/vm7")


def test_memory_files_keep_4_kib_pages() -> None:
    store = open_store(T.memory_url())
    store.create_sparse(f"{ROOT}/disk.vhdx", 1 << 30)
    handle = store.open_random(f"{ROOT}/disk.vhdx")
    handle.write_at(5000, b"x")
    handle.write_at(1 << 29, b"y" * 10)
    data = getattr(getattr(store, "fs").store[getattr(store, "_p")(f"{ROOT}/disk.vhdx")], "data")
    assert data.stored_bytes() == 2 * 4096
    assert handle.read_at(4999, 3) == b"\0x\0"
    assert handle.read_at((1 << 29) - 4090, 4100) == bytes(4090) + b"y" * 10


def test_a_batch_resolves_folders_as_realpath_does(tmp_path: pathlib.Path) -> None:
    """Batch.real_folder resolves each folder from its parent: the same answers as
    os.path.realpath, links (to folders inside and outside) included."""
    root = tmp_path / "r"
    (root / "a" / "b").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (root / "a" / "out").symlink_to(tmp_path / "outside")
    (root / "a" / "up").symlink_to(root / "a" / "b")
    batch = storebatch.Batch(lambda rel: None)
    batch.known_real(str(root), os.path.realpath(root))
    for folder in ("a", "a/b", "a/out", "a/out/x", "a/up", "a/up/y", "missing/z"):
        path = os.path.join(str(root), folder)
        assert batch.real_folder(path) == os.path.realpath(path), folder


def test_the_syncer_fsyncs_every_path_and_reuses_its_threads(tmp_path: pathlib.Path,
                                                             monkeypatch) -> None:
    synced: list[str] = []
    monkeypatch.setattr(storebatch, "fsync_path", synced.append)
    syncer = storebatch.Syncer()
    targets = [str(tmp_path / f"f{i}") for i in range(5)]
    syncer.fsync_all(targets)
    first = syncer._executor()
    syncer.fsync_all(targets[:2])
    assert syncer._executor() is first
    assert sorted(synced) == sorted(targets + targets[:2])


@pytest.mark.parametrize("kind", ["folder", "memory"])
def test_what_a_writer_remembers_of_a_file_lasts_until_the_file_may_change(tmp_path: pathlib.Path,
                                                                         kind: str) -> None:
    store = open_store(str(tmp_path / "state")) if kind == "folder" else open_store(T.memory_url())
    changes = {
        "opened for writing": lambda rel: store.open_random(rel, True).close(),
        "rewritten": lambda rel: store.write_atomic(rel, b"new"),
        "made again": lambda rel: store.create_random(rel).close(),
        "emptied": lambda rel: store.create_sparse(rel, 10),
        "deleted": store.delete,
    }
    with store.batch():
        for i, (change, do) in enumerate(changes.items()):
            rel = f"{ROOT}/Disks/f{i}.vhdx"
            store.create_random(rel).close()
            store.remember(rel, change)
            assert store.recall(rel.upper().replace("HOSTS/HV/D", ROOT)) == change  # the file, however spelt
            store.open_random(rel, False).close()  # reading changes nothing
            assert store.exists(rel) and store.recall(rel) == change
            do(rel)
            assert store.recall(rel) is None, change
        store.create_random(f"{ROOT}/Disks/kept.vhdx").close()
        store.remember(f"{ROOT}/Disks/kept.vhdx", "kept")
    assert store.recall(f"{ROOT}/Disks/kept.vhdx") is None  # nothing outside a batch
    store.remember(f"{ROOT}/Disks/kept.vhdx", "outside")
    assert store.recall(f"{ROOT}/Disks/kept.vhdx") is None


def test_a_path_found_existing_keeps_its_resolution_while_names_are_added(tmp_path: pathlib.Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(str(tmp_path / "state"))
    store.write_atomic(f"{ROOT}/VMs/Parent.vhdx", b"p")
    resolved: list[str] = []  # each resolution of an existing path checks it is no link
    islink = os.path.islink
    with store.batch():
        assert store.exists(f"{ROOT}/vms/PARENT.vhdx")
        monkeypatch.setattr(os.path, "islink", lambda p: resolved.append(p) or islink(p))
        for i in range(20):
            store.write_atomic(f"{ROOT}/VMs/child{i}.avhdx", b"c")
            assert store.exists(f"{ROOT}/vms/PARENT.vhdx")  # no new resolution of it
            assert store.display_path(f"{ROOT}/vms/PARENT.vhdx").endswith("/VMs/Parent.vhdx")
        # a new name that another spelling will now find: the lookups see it at once
        assert not store.exists(f"{ROOT}/VMs/CHILD99.AVHDX")
        store.write_atomic(f"{ROOT}/VMs/child99.avhdx", b"c")
        assert store.exists(f"{ROOT}/VMs/CHILD99.AVHDX")
        assert store.display_path(f"{ROOT}/VMs/CHILD99.AVHDX").endswith("/VMs/child99.avhdx")
        store.delete(f"{ROOT}/VMs/parent.vhdx")
        assert not store.exists(f"{ROOT}/vms/PARENT.vhdx")
    assert [p for p in resolved if p.endswith("Parent.vhdx")] == [str(tmp_path / "state" / ROOT / "VMs" / "Parent.vhdx")]
