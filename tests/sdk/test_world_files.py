"""World files: every scenario world loads; mistakes give a WorldFileError that names the key and
its line; `sdk.export_world` writes a world that loads back to an equivalent fleet (VMs, states,
types, checkpoint trees with parents, the current pointer, avhdx names, lengths and times)."""

from __future__ import annotations

import pathlib
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import WorldFileError

# --- the scenario worlds --------------------------------------------------------------------------


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_scenario_world_loads(folder: pathlib.Path, memory_url):
    text = (folder / "world.toml").read_text(encoding="utf-8-sig")
    client = sdk.load_world(memory_url, text, str(folder / "world.toml"))
    doc = T.parse_toml_file(folder / "world.toml")
    vms = client.get_vms()
    assert sorted(v.name for v in vms) == sorted(v["name"] for v in doc.get("vm", []))
    for spec in doc.get("vm", []):
        vm = client.vm(spec["name"])
        assert vm.state.name == spec.get("state", "Off")
        assert vm.checkpoint_type.name == spec.get("checkpoint_type", "Production")
        cps = spec.get("checkpoint", [])
        assert len(client.get_checkpoints(vm)) == len(cps)
        if cps:
            current = next((c for c in cps if c.get("current")), cps[-1])
            assert vm.parent_snapshot_name == current["name"]
        for drive, disk in zip(vm.hard_drives, spec.get("disks", [])):
            assert client.get_vhd(drive.path) is not None
            assert drive.path.rsplit("\\", 1)[0] == disk["path"].rsplit("\\", 1)[0]
    if "now" in doc:
        assert client.now() == doc["now"]
        assert client.clock_is_virtual


def test_world_defaults(memory_url):
    client = sdk.load_world(memory_url, 'now = 2026-02-20T08:00:00\n[[vm]]\nname = "Plain"\n')
    vm = client.vm("Plain")
    assert (vm.state.name, vm.checkpoint_type.name, vm.automatic_checkpoints_enabled) == ("Off", "Production", False)
    assert (vm.memory_startup, vm.generation, vm.hard_drives) == (1024**3, 2, ())
    settings = client.settings()
    assert (settings["culture"], settings["edition"], settings["width"], settings["timezone"]) == ("en-US", "5.1", 120, "UTC")


# --- mistakes name the key and its line -----------------------------------------------------------

GOOD_VM = 'name = "V"\nstate = "Running"\ndisks = [{ path = \'D:\\VMs\\V.vhdx\', size = "10GB" }]\n'
GOOD_CP = 'name = "c1"\ncreated = 2026-02-01T00:00:00\n'

MISTAKES = [
    # (world text, the key the message must name, its line)
    ("now = 2026-02-20T08:00:00\ncolour = 'blue'\n", "colour", 2),
    ("now = 2026-02-20T08:00:00\nwidth = 5\n", "width", 2),
    ("culture = 'xx-XX'\n", "culture", 1),
    ("clock = 'sundial'\n", "clock", 1),
    ("edition = '6'\n", "edition", 1),
    ("now = 'yesterday'\n", "now", 1),
    ("now = 2026-02-20T08:00:00\n\n[timing]\nmerge_speed = '1MB'\n", "merge_speed", 4),
    ("[timing]\ncheckpoint_seconds = -1\n", "checkpoint_seconds", 2),
    ("[timing]\ncheckpoint_seconds = 1\nmerge_rate = 'fast'\n", "merge_rate", 3),
    ("[timing]\nmerge_rate = 0\n", "merge_rate", 2),
    ("[env]\nTEMP = 3\n", "TEMP", 2),
    ("[[host]]\nname = 'h1'\nrole = 'x'\n", "role", 3),
    ("[[host]]\nname = 'bad host!'\n", "name", 2),
    ("[[vm]]\n" + GOOD_VM + "colour = 'red'\n", "colour", 5),
    ("[[vm]]\n" + GOOD_VM.replace('"Running"', '"Exploded"'), "state", 3),
    ("[[vm]]\n" + GOOD_VM + "memory = 'lots'\n", "memory", 5),
    ("[[vm]]\n" + GOOD_VM + "generation = 3\n", "generation", 5),
    ("[[vm]]\n" + GOOD_VM + "checkpoint_type = 'Sometimes'\n", "checkpoint_type", 5),
    ("[[vm]]\n" + GOOD_VM + "guest_vss = 'meh'\n", "guest_vss", 5),
    ("[[vm]]\n" + GOOD_VM + "pass_through_disks = -1\n", "pass_through_disks", 5),
    ("[[vm]]\n" + GOOD_VM + "id = 'not-a-guid'\n", "id", 5),
    ("[[vm]]\n" + GOOD_VM + "host = 'nowhere'\n", "host", 5),
    ("[[vm]]\n" + GOOD_VM + "path = 'relative\\\\path'\n", "path", 5),
    ("[[vm]]\n" + GOOD_VM + "automatic_checkpoints = 'yes'\n", "automatic_checkpoints", 5),
    ("[[vm]]\nname = 'V'\n\n[[vm]]\nname = 'v'\n", "name", 5),
    ("[[vm]]\nname = ''\n", "name", 2),
    ("[[vm]]\nname = 'V'\ndisks = [{ path = 'D:\\VMs\\V.vhdx', colour = 'x' }]\n", "disks", 3),
    ("[[vm]]\nname = 'V'\ndisks = [{ size = '1GB' }]\n", "disks", 3),
    ("[[vm]]\nname = 'V'\ndisks = [{ path = 'D:\\VMs\\V.txt' }]\n", "disks", 3),
    ("[[vm]]\nname = 'V'\ndisks = [{ path = 'D:\\VMs\\V.vhdx', size = 'huge' }]\n", "disks", 3),
    ("[[vm]]\nname = 'V'\ndisks = [{ path = '\\\\srv\\share\\V.vhdx' }]\n", "disks", 3),
    ("[[vm]]\nname = 'V'\ndisks = ['D:\\VMs\\V.vhdx']\n", "disks", 3),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "colour = 'x'\n", "colour",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\nname = 'c1'\n", "created", 6),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "kind = 'weird'\n", "kind",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "state = 'Running'\n", "state",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "parent = 'ghost'\n", "parent",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "written = 'plenty'\n", "written",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "avhdx_guids = ['nope']\n", "avhdx_guids",9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "name = 'x'\n", None, None),  # TOML: key twice
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\nname = '" + "n" * 101 + "'\ncreated = 2026-02-01T00:00:00\n", "name", 7),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "current = true\n\n[[vm.checkpoint]]\n"
     "name = 'c2'\ncreated = 2026-02-02T00:00:00\ncurrent = true\n", "current", 14),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "parent = 'c2'\n\n[[vm.checkpoint]]\n"
     "name = 'c2'\ncreated = 2026-02-02T00:00:00\nparent = 'c1'\n", "parent", 9),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "\n[[vm]]\nname = 'W'\n\n[[vm.checkpoint]]\n"
     "name = 'w1'\ncreated = 'soon'\n", "created", 15),
    ("[[vm]]\n" + GOOD_VM + "\n[[vm.checkpoint]]\n" + GOOD_CP + "id = '0f2a9c1e-6b3d-4e58-9a7c-1d2e3f405162'\n\n"
     "[[vm.checkpoint]]\nname = 'c2'\ncreated = 2026-02-02T00:00:00\nid = '0F2A9C1E-6B3D-4E58-9A7C-1D2E3F405162'\n",
     "id", 14),
]


@pytest.mark.parametrize(("text", "key", "line"), MISTAKES, ids=[f"{k}@{n}" if k else "toml" for _, k, n in MISTAKES])
def test_mistakes_name_the_key_and_line(memory_url, text, key, line):
    with pytest.raises(WorldFileError) as ei:
        sdk.load_world(memory_url, text, "fleet.toml")
    e = ei.value
    assert (e.error_id, e.category) == ("InvalidWorld", "InvalidData")
    assert e.message.startswith("fleet.toml")
    if key is None:
        assert "not valid TOML" in e.message and "line" in e.message
        return
    assert f"fleet.toml:{line}:" in e.message, e.message
    assert f"'{key}'" in e.message, e.message
    with pytest.raises(sdk.StateError):  # nothing was created
        sdk.connect(memory_url).get_vms()


def test_parent_can_make_a_root_listed_anywhere(memory_url):
    client = sdk.load_world(memory_url, "[[vm]]\n" + GOOD_VM + """
[[vm.checkpoint]]
name = "child"
created = 2026-02-02T00:00:00
parent = "root"
current = true

[[vm.checkpoint]]
name = "root"
created = 2026-02-01T00:00:00
parent = ""
""")
    assert [(c.name, c.parent_snapshot_name) for c in client.get_checkpoints("V")] == [("root", None), ("child", "root")]


# --- export and load back -------------------------------------------------------------------------

GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")


def fleet_facts(c: sdk.HyperVClient, *, exact_files: bool = True) -> dict:
    """What two equivalent fleets share. With exact_files=False, avhdx GUIDs that a world file
    cannot pin (files off the named branches) are masked."""

    def mask(path: str) -> str:
        return path if exact_files else GUID.sub("<GUID>", path)

    vms, folders = [], set()
    for vm in c.get_vms():
        cps = c.get_checkpoints(vm)
        vms.append({
            "name": vm.name, "id": vm.id, "state": vm.state, "type": vm.checkpoint_type,
            "auto": vm.automatic_checkpoints_enabled, "memory": vm.memory_startup, "generation": vm.generation,
            "version": vm.version, "path": vm.path, "notes": vm.notes, "processors": vm.processor_count,
            "computer": vm.computer_name, "current": vm.parent_snapshot_id,
            "drives": [mask(d.path) for d in vm.hard_drives],
            "checkpoints": [(x.id, x.name, x.parent_snapshot_id, x.creation_time, x.state, x.is_automatic_checkpoint,
                             tuple(mask(d.path) for d in x.hard_drives)) for x in cps],
        })
        folders |= {d.path.rsplit("\\", 1)[0] for d in vm.hard_drives}
    files = {}
    for folder in sorted(folders):
        for f in c.list_dir(folder):
            if f.name.lower().endswith((".vhdx", ".avhdx")):
                key = mask(f.path)
                # a base disk's LastWriteTime is the world's `now` (worlds have no key for it)
                when = f.last_write_time if exact_files and f.name.lower().endswith(".avhdx") else None
                files.setdefault(key, []).append((f.length, when))
    return {"now": c.now(), "settings": c.settings(), "vms": vms,
            "files": {k: sorted(v, key=repr) for k, v in files.items()}}


def round_trip(url: str, other_url: str) -> tuple[sdk.HyperVClient, str]:
    text = sdk.export_world(url)
    return sdk.load_world(other_url, text, "exported.toml"), text


@pytest.fixture
def other_url():
    url = T.memory_url()
    yield url
    T.drop_memory_root(url)


def branched(c: sdk.HyperVClient) -> bool:
    """A tree where some checkpoint has several children: the files off the named branches get
    new GUIDs when the world is loaded again (scenarios.md, avhdx_guids)."""
    parents = [(x.vm_id, x.parent_snapshot_id) for x in c.get_checkpoints()]
    return len(parents) != len(set(parents))


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_scenario_worlds_round_trip(folder: pathlib.Path, memory_url, other_url):
    client = sdk.load_world(memory_url, (folder / "world.toml").read_text(encoding="utf-8-sig"))
    copy, _ = round_trip(memory_url, other_url)
    exact = not branched(client)
    assert fleet_facts(copy, exact_files=exact) == fleet_facts(client, exact_files=exact)
    assert sdk.export_world(other_url) == sdk.export_world(memory_url)


def test_round_trip_after_work(memory_url, other_url):
    world = T.base_world(checkpoint_seconds=2, culture="fr-FR", extra=(
        T.vm_table("Linear", state="Running", disks=2) + T.vm_table("Saver", state="Saved", checkpoint_type="Production")
        + T.vm_table("Quiet", checkpoint_type="Disabled", extra="automatic_checkpoints = true\n")))
    client = sdk.load_world(memory_url, world)
    for n in ("one", "two", "three"):
        client.checkpoint_vm("Linear", n)
    client.write_file(f"{T.DISK_DIR}\\note.txt", b"not a disk")
    client.set_faults("Saver", guest_vss_failing=True)
    client.checkpoint_vm("Saver")  # falls back: Saved
    client.set_vm("Saver", notes="backup")
    client.set_vm("Quiet", processor_count=2, memory_startup=3 * T.GB)
    client.sleep(3600)
    copy, text = round_trip(memory_url, other_url)
    assert fleet_facts(copy) == fleet_facts(client)
    assert 'culture = "fr-FR"' in text


def test_round_trip_of_a_branched_tree(memory_url, other_url):
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("Tree", state="Running")))
    a = client.checkpoint_vm("Tree", "a")
    client.checkpoint_vm("Tree", "b")
    client.restore_checkpoint(a)
    client.checkpoint_vm("Tree", "c")
    copy, _ = round_trip(memory_url, other_url)
    assert fleet_facts(copy, exact_files=False) == fleet_facts(client, exact_files=False)
    # the files on the VM's branch keep their names
    assert [d.path for d in copy.vm("Tree").hard_drives] == [d.path for d in client.vm("Tree").hard_drives]


def test_round_trip_with_duplicate_names_in_a_tree(memory_url, other_url):
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("Dup", state="Running")))
    first = client.checkpoint_vm("Dup", "daily")
    client.checkpoint_vm("Dup", "daily")
    client.restore_checkpoint(first)
    client.checkpoint_vm("Dup", "daily")  # a second child of the first "daily"
    second_daily = client.get_checkpoints("Dup")[1]
    client.restore_checkpoint(second_daily)
    client.checkpoint_vm("Dup", "leaf")  # a child of the *second* "daily"
    copy, _ = round_trip(memory_url, other_url)
    assert fleet_facts(copy, exact_files=False) == fleet_facts(client, exact_files=False)


def test_round_trip_settles_running_merges(memory_url, other_url):
    world = (T.SCENARIOS / "09-remove-all-wait-for-merge" / "world.toml").read_text()
    client = sdk.load_world(memory_url, world)
    client.remove_checkpoints("SRV-APP01")
    assert client.vm("SRV-APP01").status == "Merging disks"
    copy, _ = round_trip(memory_url, other_url)
    client.sleep(3600)
    copy.sleep(3600)
    assert fleet_facts(copy) == fleet_facts(client)


def test_round_trip_of_a_vm_hanging_from_no_checkpoint(memory_url, other_url):
    client = sdk.load_world(memory_url, T.base_world(extra=T.vm_table("Loose", state="Running")))
    root = client.checkpoint_vm("Loose", "root")
    client.checkpoint_vm("Loose", "child")
    client.restore_checkpoint(root)
    client.remove_checkpoint(root)
    assert client.vm("Loose").parent_snapshot_id is None and len(client.get_checkpoints("Loose")) == 1
    copy, _ = round_trip(memory_url, other_url)
    assert copy.vm("Loose").parent_snapshot_id is None


def test_round_trip_with_disk_paths_too_long_for_an_inline_table(memory_url, other_url):
    folder = "D:\\Hyper-V\\Virtual Hard Disks\\" + "a-long-folder-name\\" * 5
    client = sdk.load_world(memory_url, T.base_world(extra=f"""
[[vm]]
name = "Long"
disks = [{{ path = '{folder}Long.vhdx', size = "60GB" }}, {{ path = '{folder}Long-1.vhdx', size = "1GB" }}]
"""))
    client.checkpoint_vm("Long", "x")
    copy, text = round_trip(memory_url, other_url)
    assert "[[vm.disks]]" in text  # tomli-w writes long inline tables as an array of tables
    assert fleet_facts(copy) == fleet_facts(client)

# --- any name round-trips (the export is written by tomli-w) ---------------------------------------

# Names are UTF-16 text on Windows: any character but a lone surrogate (which the emulator refuses
# with a typed error). Mixed in on purpose: characters outside the BMP, private-use planes
# (not printable, so a hand-written escaper that writes `\uXXXX` would cut them), quotes,
# backslashes, control characters, a BOM, line and paragraph separators.
_ANY_CHAR = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
    st.sampled_from("\"'\\\n\r\t\x00\x01\x1b\x7f\ufeff\u2028\u2029\U000F0000\U0010FFFD\U0001F600"),
)
_VM_FORBIDDEN = set('\\/:*?"<>|')


def _vm_name_ok(name: str) -> bool:
    """What New-VM accepts (emulator/host.py): no control characters, none of \\ / : * ? " < > |."""
    return bool(name.strip()) and not any(ord(ch) < 32 or ch in _VM_FORBIDDEN for ch in name)


VM_NAMES = st.text(_ANY_CHAR, min_size=1, max_size=20).filter(_vm_name_ok)
CHECKPOINT_NAMES = st.text(_ANY_CHAR, min_size=1, max_size=20)
NOTES = st.text(_ANY_CHAR, max_size=40)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(vm_name=VM_NAMES, checkpoint_names=st.lists(CHECKPOINT_NAMES, min_size=1, max_size=3), notes=NOTES)
@example(vm_name="\U000F0000 private", checkpoint_names=["\U0010FFFD", "a\U000E0001b"], notes="\U000F0041\r\n")
@example(vm_name="it's \U0001F600", checkpoint_names=['"quoted" \\ back\\', "\x00\x1b[0m\x7f"], notes="\t\n\u2028")
def test_any_names_round_trip(vm_name: str, checkpoint_names: list[str], notes: str) -> None:
    url, other = T.memory_url(), T.memory_url()
    try:
        client = sdk.load_world(url, T.base_world())
        vm = client.new_vm(vm_name)
        for name in checkpoint_names:
            client.checkpoint_vm(vm, name)
        if notes:
            client.set_vm(vm, notes=notes)
        copy, text = round_trip(url, other)
        assert [v.name for v in copy.get_vms()] == [vm_name]
        assert copy.vm(vm_name).notes == notes
        assert [c.name for c in copy.get_checkpoints(vm_name)] == checkpoint_names
        assert fleet_facts(copy) == fleet_facts(client)
        assert sdk.export_world(other) == text
    finally:
        T.drop_memory_root(url)
        T.drop_memory_root(other)
