"""Hostile names: VM names, checkpoint names and Windows paths such as `..\\..\\x`, `/`,
`C:\\..\\..\\..\\etc\\passwd`, NUL, 10,000 characters, any Unicode, `CON`, UNC paths.

Each is either accepted as data (checkpoint names are data, never file names) or refused with a
typed SDK error; the state stays usable (no journaled operation that cannot be replayed); and
no file is created or touched outside the state root: the folder tree around the state is the
same before and after, and every file inside it lies under the state's own layout.
"""

from __future__ import annotations

import os
import pathlib
import re

import fsspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import errors as sdk_errors
from hyperv_emu.emulator.storage import STATE_DB

HOSTILE_STRINGS = [
    "..\\..\\x", "../../x", "/", "\\", "C:\\..\\..\\..\\etc\\passwd", "/etc/passwd", "\x00", "a\x00b",
    "x" * 10_000, "CON", "con.txt", "NUL", "COM1", "\\\\server\\share\\x", "//server/share/x", "\\\\?\\C:\\x",
    "\\\\.\\PhysicalDrive0", "..", ".", " ", "", "\t", "\n", "evil.vmcx", "evil.avhdx", "a:b", "a*b", "a?b", "[x]",
    "\u202eevil", "e\u0301", "\U0001f600" * 50, "\u4e2d\u6587" * 60, "\ud800", "\udfff\ud800", "~", "$env:TEMP",
    "%SystemRoot%", "C:", "C:x", "Z:\\", "C:\\" + "a\\" * 2000, "C:\\" + "\u00e9" * 200,
]

HOSTILE_PATHS = HOSTILE_STRINGS + [
    "C:\\Windows\\..\\..\\..\\..\\tmp\\pwned", "C:/../../../tmp/pwned", "C:\\a\\CON\\b", "C:\\a\\aux.txt",
    "C:\\trailing. . .", "C:\\ \\x", "C:\\" + "y" * 300, "C:\\" + "\\".join(["d" * 200] * 40),
    "C:\\a|b", "C:\\a<b>", 'C:\\a"b', "c:\\lower\\case", "E:\\Exports\\..\\..\\..\\..",
]


def _typed_or_ok(fn):
    """Run one call: a typed SDK error is a fine refusal; anything else fails the test."""
    try:
        return True, fn()
    except sdk.HyperVError as exc:
        assert exc.message and exc.error_id and exc.category
        return False, exc


class Sandbox:
    """A state root with neighbours: a canary folder beside it and a working folder, whose trees
    must not change."""

    def __init__(self, base: pathlib.Path, backend: str, url: str) -> None:
        self.base = base
        self.backend = backend
        self.url = url
        (base / "outside").mkdir(parents=True, exist_ok=True)
        (base / "outside" / "canary.txt").write_text("canary")
        (base / "cwd").mkdir(exist_ok=True)
        self.client = sdk.load_world(url, T.base_world(extra=T.vm_table("Target", state="Running")))
        self.vm = self.client.vm("Target")
        self.cp = self.client.checkpoint_vm(self.vm, "anchor")
        self.before = self.outside_tree()
        self.memory_before = self.memory_outside() if backend == "memory" else set()

    def outside_tree(self) -> dict:
        return {k: v for k, v in T.tree(self.base).items() if not k.startswith("state")}

    def stored_files(self) -> list[str]:
        if self.backend == "local":
            root = self.base / "state"
            return [str(p.relative_to(root)).replace(os.sep, "/") for p in root.rglob("*") if p.is_file()]
        fs, root = self._memory()
        return [k[len(root) + 1:] for k in list(fs.store) if k.startswith(root + "/")]

    def _memory(self):
        fs, path = fsspec.core.url_to_fs(self.url)
        return fs, "/" + path.strip("/")

    def memory_outside(self) -> set[str]:
        """Memory-store entries outside the state root (nothing may appear there)."""
        fs, root = self._memory()
        return {k for k in list(fs.store) + list(fs.pseudo_dirs)
                if k != root and not k.startswith(root + "/") and root.startswith(k.rstrip("/") + "/") is False}

    def check(self) -> None:
        assert self.outside_tree() == self.before
        if self.backend == "memory":
            assert self.memory_outside() <= self.memory_before
        for rel in self.stored_files():
            assert rel in (STATE_DB, STATE_DB + "-wal", STATE_DB + "-shm", "hvemu.lock") or rel.startswith("hosts/hv-host01/"), rel
            assert ".." not in rel.split("/"), rel
        assert self.client.get_vms("Target")  # still usable: nothing left half-journaled
        state = self.client.backend.emulator.read_state()
        assert state.pending_ops == []


@pytest.fixture(params=["local", "memory"])
def sandbox(request, tmp_path, monkeypatch):
    base = T.local_state_dir(request, tmp_path).parent / "sandbox"
    base.mkdir()
    if request.param == "local":
        url = str(base / "state")
    else:
        url = T.memory_url()
        request.addfinalizer(lambda: T.drop_memory_root(url))
    box = Sandbox(base, request.param, url)
    monkeypatch.chdir(base / "cwd")
    yield box
    box.check()


@pytest.fixture(params=["local", "memory"])
def box_factory(request, tmp_path):
    """For hypothesis: one sandbox per test (examples share it)."""
    base = T.local_state_dir(request, tmp_path).parent / "sandbox"
    base.mkdir()
    url = str(base / "state") if request.param == "local" else T.memory_url()
    if request.param == "memory":
        request.addfinalizer(lambda: T.drop_memory_root(url))
    return Sandbox(base, request.param, url)


# --- VM names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_STRINGS, ids=lambda s: repr(s)[:40])
def test_hostile_vm_name(sandbox, name):
    c = sandbox.client
    ok, vm = _typed_or_ok(lambda: c.new_vm(name, new_vhd_path="D:\\VMs\\hostile.vhdx"))
    if not ok:
        assert isinstance(vm, (sdk.InvalidNameError, sdk.AlreadyExistsError)), vm
        return
    assert c.get_vm_by_id(vm.id).name == name  # data, kept exactly
    cp = c.checkpoint_vm(vm, "cp")
    assert cp.vm_name == name
    _typed_or_ok(lambda: c.export_checkpoint(cp, "E:\\Exports"))
    c.remove_checkpoint(cp)
    c.remove_vm(vm)


# --- checkpoint names: data, never file names -----------------------------------------------------


@pytest.mark.parametrize("name", HOSTILE_STRINGS, ids=lambda s: repr(s)[:40])
def test_hostile_checkpoint_name(sandbox, name):
    c = sandbox.client
    files_before = set(sandbox.stored_files())
    count = len(c.get_checkpoints(sandbox.vm))
    ok, cp = _typed_or_ok(lambda: c.checkpoint_vm(sandbox.vm, name))
    if not ok:
        assert isinstance(cp, sdk.InvalidNameError), cp
        created = len(c.get_checkpoints(sandbox.vm)) - count
        # empty/invalid: nothing created; too long: created under its default name
        assert created == (1 if len(name) > 100 else 0)
        return
    assert c.get_checkpoint(cp.id).name == name
    assert [x.id for x in c.get_checkpoints(sandbox.vm) if x.name == name][-1] == cp.id
    new_files = set(sandbox.stored_files()) - files_before
    guid = cp.id.upper()
    for rel in new_files:  # every new file is named by GUIDs, never by the checkpoint's name
        assert re.search(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", rel), rel
    assert any(guid in rel for rel in new_files)
    renamed = c.rename_checkpoint(cp, "plain")
    assert renamed.name == "plain"
    assert c.rename_checkpoint(renamed, name).name == name
    c.remove_checkpoint(cp)


# --- Windows paths --------------------------------------------------------------------------------

PATH_CALLS = {
    "write_file": lambda c, box, p: c.write_file(p, b"data"),
    "read_file": lambda c, box, p: c.read_file(p),
    "make_dir": lambda c, box, p: c.make_dir(p),
    "delete_file": lambda c, box, p: c.delete_file(p),
    "list_dir": lambda c, box, p: c.list_dir(p),
    "file_info": lambda c, box, p: c.file_info(p),
    "get_vhd": lambda c, box, p: c.get_vhd(p),
    "new_vm path": lambda c, box, p: c.new_vm("P1", path=p),
    "new_vm new_vhd_path": lambda c, box, p: c.new_vm("P2", new_vhd_path=p, new_vhd_size=T.GB),
    "new_vm vhd_path": lambda c, box, p: c.new_vm("P3", vhd_path=p),
    "snapshot_file_location": lambda c, box, p: c.set_vm(c.new_vm("P4"), snapshot_file_location=p),
    "export": lambda c, box, p: c.export_checkpoint(box.cp, p),
    "import": lambda c, box, p: c.import_vm(p, generate_new_id=True),
}


@pytest.mark.parametrize("call", list(PATH_CALLS))
def test_hostile_paths(sandbox, call):
    c = sandbox.client
    for p in HOSTILE_PATHS:
        _typed_or_ok(lambda: PATH_CALLS[call](c, sandbox, p))
        for n in ("P1", "P2", "P3", "P4"):
            for vm in c.get_vms(n + "*"):
                c.remove_vm(vm)
        sandbox.check()


def test_dot_dot_stays_inside_the_drive(sandbox):
    c = sandbox.client
    c.write_file("C:\\..\\..\\..\\etc\\passwd", b"not the real one")
    assert c.read_file("C:\\etc\\passwd") == b"not the real one"
    assert c.file_info("C:\\Windows\\..\\etc\\passwd").path == "C:\\etc\\passwd"


def test_bytes_round_trip(sandbox):
    data = bytes(range(256)) * 3
    sandbox.client.write_file("C:\\Temp\\blob.bin", data)
    assert sandbox.client.read_file("C:\\Temp\\blob.bin") == data


def test_a_file_in_the_way_is_refused_not_journaled(sandbox):
    c = sandbox.client
    c.write_file("C:\\Data\\file", b"x")
    for call in (lambda: c.make_dir("C:\\Data\\file"), lambda: c.write_file("C:\\Data\\file\\below", b"y"),
                 lambda: c.new_vm("under", new_vhd_path="C:\\Data\\file\\disk.vhdx"),
                 lambda: c.write_file("C:\\Data", b"z"), lambda: c.delete_file("C:\\Data")):
        with pytest.raises(sdk.HyperVError) as ei:
            call()
        assert ei.value.error_id == "InvalidPath"
        sandbox.check()
    # a drive's root (C:\ holds Windows): .NET's File.WriteAllBytes("C:\") is access denied
    with pytest.raises(sdk_errors.AccessDeniedError, match=r"Access to the path 'C:\\' is denied\."):
        c.write_file("C:\\", b"z")
    sandbox.check()
    assert c.read_file("C:\\Data\\file") == b"x"
    assert c.get_vms("under*") == []


def test_a_snapshot_folder_that_became_a_file(sandbox):
    c = sandbox.client
    vm = c.new_vm("Blocked", new_vhd_path="D:\\VMs\\blocked.vhdx")
    vm = c.set_vm(vm, snapshot_file_location="E:\\Blocked")
    c.write_file("E:\\Blocked\\Snapshots", b"in the way")
    with pytest.raises(sdk.HyperVError) as ei:
        c.checkpoint_vm(vm, "x")
    assert ei.value.error_id == "InvalidPath"
    assert c.get_checkpoints(vm) == []  # nothing half-made
    sandbox.check()


def test_paths_are_case_insensitive_like_ntfs(sandbox):
    c = sandbox.client
    c.write_file("C:\\Case\\File.txt", b"x")
    assert c.file_info("c:\\case\\file.TXT") is not None
    assert c.read_file("C:\\CASE\\FILE.TXT") == b"x"
    c.write_file("c:\\case\\file.txt", b"y")          # the same file, not a second one
    c.write_file("c:\\case\\Other.txt", b"z")          # a new file keeps the case given...
    assert [f.name for f in c.list_dir("C:\\Case")] == ["File.txt", "Other.txt"]   # ...in the folder as stored
    assert c.read_file("C:\\Case\\File.txt") == b"y"


# --- any Unicode (hypothesis) ---------------------------------------------------------------------


@settings(max_examples=T.examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vm_name=st.text(max_size=120), cp_name=st.text(max_size=120), tail=st.text(max_size=60))
def test_any_unicode(box_factory, vm_name, cp_name, tail):
    box = box_factory
    c = box.client
    ok, vm = _typed_or_ok(lambda: c.new_vm(vm_name))
    if ok:
        assert c.get_vm_by_id(vm.id).name == vm_name
        c.remove_vm(vm)
    ok, cp = _typed_or_ok(lambda: c.checkpoint_vm(box.vm, cp_name))
    if ok:
        assert c.get_checkpoint(cp.id).name == cp_name
        c.remove_checkpoint(cp)
    else:
        for extra in c.get_checkpoints(box.vm):
            if extra.id != box.cp.id:
                c.remove_checkpoint(extra)
    path = "C:\\Fuzz\\" + tail
    ok, _ = _typed_or_ok(lambda: c.write_file(path, b"fuzz"))
    if ok:
        info = c.file_info(path)
        assert info is not None and not info.is_dir
        assert c.read_file(path) == b"fuzz"
        c.delete_file(path)
    box.check()


@pytest.mark.parametrize("name", ["[", "a[b", "back`tick", "]", "[ab]"])
def test_client_vm_takes_the_name_itself_not_a_pattern(name: str) -> None:
    """`HyperVClient.vm(name)` is "the one VM with this name": Hyper-V allows `[`, `]` or a backtick in a VM
    name, and the lookup must not read them as wildcards (nor fail on an unclosed `[`)."""
    url = T.memory_url()
    try:
        client = sdk.load_world(url, T.base_world())
        client.new_vm(name)
        client.new_vm(name + "-other")
        assert client.vm(name).name == name
        with pytest.raises(sdk.VMNotFoundError, match=re.escape(f'name "{name}z"')):
            client.vm(name + "z")
    finally:
        T.drop_memory_root(url)
