"""The acceptance scenarios replayed through the SDK, independently of psshim.

For each tests/scenarios/*/ (the repository's copy of ../shared/scenarios): load world.toml with
`sdk.load_world`, perform the script's Hyper-V actions as SDK calls (one replay function per scenario, below), then check every fact of
expected-after.toml (clock, VM state/status/type/parent/disks, checkpoint list with parents,
creation times and states, files and their lengths), the warnings against the `WARNING:` lines of
expected.txt, and the errors against expected-stderr(-contains).txt. Non-terminating errors are
collected and the replay goes on, as the scripts do.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import pathlib
from collections.abc import Callable

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.sdk import HyperVClient, HyperVError

Replay = Callable[[HyperVClient, list[HyperVError]], None]
REPLAYS: dict[str, Replay] = {}


def replay(number: str) -> Callable[[Replay], Replay]:
    def register(fn: Replay) -> Replay:
        REPLAYS[number] = fn
        return fn

    return register


def attempt(errors: list[HyperVError], fn: Callable[[], object]) -> object:
    """A cmdlet call whose error is non-terminating: recorded, and the script goes on."""
    try:
        return fn()
    except HyperVError as exc:
        errors.append(exc)
        return None


def today(client: HyperVClient) -> str:
    return f"{client.now():%Y-%m-%d}"


# --- the scripts as SDK calls -------------------------------------------------------------------


def _set_types(c: HyperVClient, errors: list[HyperVError]) -> None:
    c.set_vm("SRV-APP01", checkpoint_type="Production")
    c.set_vm("SRV-TEST01", checkpoint_type="Standard")
    c.set_vm("SRV-SQL01", checkpoint_type="Disabled")
    rows = [(v.name, v.checkpoint_type.name) for v in c.get_vms()]
    assert rows == [("SRV-APP01", "Production"), ("SRV-SQL01", "Disabled"), ("SRV-TEST01", "Standard")]


replay("01")(_set_types)
replay("02")(_set_types)


def _create_named(c: HyperVClient, errors: list[HyperVError]) -> None:
    attempt(errors, lambda: c.checkpoint_vm("SRV-APP01", "Avant mise a jour KB5034567"))
    for name in ["SRV-APP01", "SRV-APP02", "SRV-WEB01"]:
        attempt(errors, lambda: c.checkpoint_vm(name, f"Pre-patch {today(c)}"))


for _n in ("03", "20", "21"):
    replay(_n)(_create_named)


@replay("04")
def _create_and_list(c: HyperVClient, errors: list[HyperVError]) -> None:
    _create_named(c, errors)
    listed = c.get_checkpoints(["SRV-APP01", "SRV-APP02", "SRV-WEB01"])
    assert [(x.vm_name, x.name, x.snapshot_type.name) for x in listed] == [
        ("SRV-APP01", "Avant mise a jour KB5034567", "Standard"),
        ("SRV-APP01", "Pre-patch 2026-02-20", "Standard"),
        ("SRV-APP02", "Pre-patch 2026-02-20", "Standard"),
        ("SRV-WEB01", "Pre-patch 2026-02-20", "Standard"),
    ]


@replay("05")
def _avhdx_files(c: HyperVClient, errors: list[HyperVError]) -> None:
    rows = [(f.name, f.length, f.last_write_time) for f in c.list_dir(T.DISK_DIR)
            if fnmatch.fnmatch(f.name.lower(), "*.avhdx")]
    assert rows == [
        ("SRV-APP01_1F0E9D8C-7B6A-4543-9210-FEDCBA987654.avhdx", 2 * T.GB, T.dt_("2026-02-20T10:15:32")),
        ("SRV-APP01_7A2B3C4D-5E6F-4890-AB12-CD34EF56A178.avhdx", T.GB, T.dt_("2026-02-20T08:00:00")),
        ("SRV-APP02_0B1C2D3E-4F5A-4B6C-9D7E-8F9012345678.avhdx", 512 * T.MB, T.dt_("2026-02-20T08:05:10")),
    ]
    # SRV-WEB01's file lives on E:, not in the folder listed
    assert c.file_info("E:\\Hyper-V\\Virtual Hard Disks\\SRV-WEB01_C3D4E5F6-0718-4293-A4B5-C6D7E8F90A1B.avhdx").length == 256 * T.MB


@replay("06")
def _list_and_restore(c: HyperVClient, errors: list[HyperVError]) -> None:
    rows = [(x.name, x.creation_time, x.parent_snapshot_name) for x in c.get_checkpoints("SRV-APP01")]
    assert rows == [("Avant mise a jour KB5034567", T.dt_("2026-02-15T09:30:00"), None),
                    ("Pre-patch 2026-02-20", T.dt_("2026-02-20T08:00:00"), "Avant mise a jour KB5034567")]
    cp = c.get_checkpoints("SRV-APP01", name="Avant mise a jour KB5034567")
    c.restore_checkpoint(cp[0])
    assert c.vm("SRV-APP01").state.name == "Off"  # a production checkpoint
    c.start_vm("SRV-APP01")


@replay("07")
def _tree(c: HyperVClient, errors: list[HyperVError]) -> None:
    rows = [(x.name, x.creation_time, x.parent_snapshot_name or "") for x in c.get_checkpoints("SRV-APP01")]
    assert rows == [("Avant installation IIS", T.dt_("2026-02-02T09:00:00"), ""),
                    ("Apres configuration IIS", T.dt_("2026-02-03T17:30:00"), "Avant installation IIS"),
                    ("Avant patch Tuesday", T.dt_("2026-02-10T18:00:00"), "Apres configuration IIS")]


@replay("08")
def _remove_merging(c: HyperVClient, errors: list[HyperVError]) -> None:
    c.remove_checkpoints("SRV-APP01", name="Avant mise a jour KB5034567")
    for cp in c.get_checkpoints("SRV-APP01"):
        c.remove_checkpoint(cp)
    vm = c.vm("SRV-APP01")
    assert (vm.name, vm.status) == ("SRV-APP01", "Merging disks")


@replay("09")
def _remove_all_wait(c: HyperVClient, errors: list[HyperVError]) -> None:
    for cp in c.get_checkpoints("SRV-APP01"):
        c.remove_checkpoint(cp)
    while c.vm("SRV-APP01").status == "Merging disks":
        c.sleep(5)


@replay("10")
def _audit(c: HyperVClient, errors: list[HyperVError]) -> None:
    threshold = c.now() - dt.timedelta(days=7)
    rows = []
    for vm in c.get_vms():
        found = attempt(errors, lambda: c.get_checkpoints(vm)) or []
        rows += [(x.vm_name, x.name, x.creation_time, (c.now() - x.creation_time).days)
                 for x in found if x.creation_time < threshold]  # type: ignore[attr-defined]
    assert rows == [
        ("SRV-APP01", "Avant mise a jour KB5034567", T.dt_("2026-02-05T09:30:00"), 15),
        ("SRV-TEST", "Installation .NET", T.dt_("2026-01-10T11:00:00"), 41),
        ("SRV-WEB01", "Test config IIS", T.dt_("2026-01-28T14:22:00"), 23),
    ]


@replay("11")
def _thomas(c: HyperVClient, errors: list[HyperVError]) -> None:
    c.checkpoint_vm("SRV-APP01", "Avant KB5034567")
    assert [(x.name, x.creation_time) for x in c.get_checkpoints("SRV-APP01")] == [
        ("Avant KB5034567", T.dt_("2026-02-20T08:45:00"))]
    cp = c.get_checkpoints("SRV-APP01", name="Avant KB5034567")[0]
    c.restore_checkpoint(cp)
    c.start_vm("SRV-APP01")
    c.remove_checkpoints("SRV-APP01", name="Avant KB5034567")


@replay("12")
def _group_checkpoint(c: HyperVClient, errors: list[HyperVError]) -> None:
    h = c.host("xHost16")
    vms = ["SSTest1", "V-2012R2-Test1", "v-2012R2-TW01"]
    for name in vms:
        c.stop_vm(name, save=True)
    assert [(v.name, v.state.name, v.computer_name) for v in h.get_vms(vms)] == [
        (n, "Saved", "XHOST16") for n in vms]
    for name in vms:
        h.checkpoint_vm(name)
    assert [(x.vm_name, x.name, x.computer_name) for x in h.get_checkpoints(vms)] == [
        ("SSTest1", "SSTest1 - (9/21/2014 - 7:30:00 PM)", "XHOST16"),
        ("V-2012R2-Test1", "V-2012R2-Test1 - (9/21/2014 - 7:30:03 PM)", "XHOST16"),
        ("v-2012R2-TW01", "v-2012R2-TW01 - (9/21/2014 - 7:30:06 PM)", "XHOST16"),
    ]
    assert all(x.state.name == "Saved" for x in h.get_checkpoints(vms))
    for name in vms:
        h.start_vm(name)
    assert [v.state.name for v in h.get_vms(vms)] == ["Running"] * 3
    for name in vms:
        h.remove_checkpoints(name, include_children=True)
    assert h.get_checkpoints(vms) == []


@replay("13")
def _parse_error(c: HyperVClient, errors: list[HyperVError]) -> None:
    """The script does not parse: nothing runs."""


@replay("14")
def _en_dashes(c: HyperVClient, errors: list[HyperVError]) -> None:
    assert len(c.get_checkpoints("vHost17")) == 3
    assert c.remove_checkpoints("vHost17", name="vHost17 \u2013 (9/21/2014 \u2013 7:37:31 PM)") == []


@replay("15")
def _remove_middle(c: HyperVClient, errors: list[HyperVError]) -> None:
    assert len(c.get_checkpoints("vHost17")) == 3
    removed = c.remove_checkpoints("vHost17", name="vHost17 - (9/21/2014 - 7:37:31 PM)")
    assert len(removed) == 1


@replay("16")
def _wildcard(c: HyperVClient, errors: list[HyperVError]) -> None:
    vm = c.get_vms("TestVM")[0]
    assert len(vm.remove_checkpoints("Experiment*")) == 2


@replay("17")
def _daily(c: HyperVClient, errors: list[HyperVError]) -> None:
    c.checkpoint_vm("SRV-APP01", f"Daily {today(c)}")
    threshold = c.now() - dt.timedelta(days=7)
    for cp in [x for x in c.get_checkpoints("SRV-APP01") if x.creation_time < threshold]:
        c.remove_checkpoint(cp)


@replay("18")
def _empty_names(c: HyperVClient, errors: list[HyperVError]) -> None:
    # PowerShell refuses -Name "" while binding (the module's ValidateNotNullOrEmpty); the SDK
    # raises the same validation error on every backend.
    attempt(errors, lambda: c.checkpoint_vm(""))
    attempt(errors, lambda: c.checkpoint_vm("", ""))


@replay("19")
def _restore_standard(c: HyperVClient, errors: list[HyperVError]) -> None:
    cp = c.get_checkpoints("SRV-TEST01", name="Avant test script")[0]
    c.restore_checkpoint(cp)
    c.start_vm("SRV-TEST01")


@replay("22")
def _restore_missing(c: HyperVClient, errors: list[HyperVError]) -> None:
    found = attempt(errors, lambda: c.get_checkpoints("SRV-APP01", name="Avant mise a jour KB5034567"))
    assert found is None  # Restore-VMCheckpoint then fails binding $null: nothing to call
    c.start_vm("SRV-APP01")


@replay("23")
def _too_long(c: HyperVClient, errors: list[HyperVError]) -> None:
    attempt(errors, lambda: c.checkpoint_vm(
        "SRV-APP01", "Avant mise a jour KB5034567 - correctif cumulatif de fevrier 2026 pour Windows Server "
                     "2022 (ticket CHG0042117)"))
    assert [(x.name, x.creation_time) for x in c.get_checkpoints("SRV-APP01")] == [
        ("SRV-APP01 - (2/20/2026 - 8:00:00 AM)", T.dt_("2026-02-20T08:00:00"))]


@replay("24")
def _vss_fallback(c: HyperVClient, errors: list[HyperVError]) -> None:
    c.checkpoint_vm("SRV-APP01", "Avant mise a jour KB5034567")
    assert [(x.name, x.state.name) for x in c.get_checkpoints("SRV-APP01")] == [("Avant mise a jour KB5034567", "Saved")]
    assert [e.vm_name for e in c.events()] == ["SRV-APP01"]


@replay("25")
def _production_only(c: HyperVClient, errors: list[HyperVError]) -> None:
    attempt(errors, lambda: c.checkpoint_vm("SRV-SQL02", "Avant mise a jour KB5034567"))
    assert c.get_checkpoints("SRV-SQL02") == []


@replay("26")
def _pass_through(c: HyperVClient, errors: list[HyperVError]) -> None:
    attempt(errors, lambda: c.checkpoint_vm("SRV-SQL01", "Avant maintenance"))


# Errors each replay must see: (exception type, error_id) in order.
EXPECTED_ERRORS: dict[str, list[tuple[type[HyperVError], str]]] = {
    "18": [(sdk.InvalidNameError, "ParameterArgumentValidationError")] * 2,
    "20": [(sdk.CheckpointFailedError, "OperationFailed")],
    "21": [(sdk.VMNotFoundError, "ObjectNotFound")],
    "22": [(sdk.CheckpointNotFoundError, "ObjectNotFound")],
    "23": [(sdk.InvalidNameError, "InvalidParameter")],
    "25": [(sdk.CheckpointFailedError, "OperationFailed")],
    "26": [(sdk.CheckpointFailedError, "OperationFailed")],
}


# --- checking expected-after.toml ---------------------------------------------------------------


def check_after(c: HyperVClient, after: dict) -> None:
    if "now" in after:
        assert c.now() == after["now"], "clock"
    for v in after.get("vm", []):
        vm = c.vm(v["name"])
        where = f"VM {v['name']}"
        if "state" in v:
            assert vm.state.name == v["state"], where
        if "status" in v:
            assert vm.status == v["status"], where
        if "checkpoint_type" in v:
            assert vm.checkpoint_type.name == v["checkpoint_type"], where
        if "parent_checkpoint" in v:
            assert (vm.parent_snapshot_name or "") == v["parent_checkpoint"], where
        if "disks" in v:
            assert [d.path for d in vm.hard_drives] == v["disks"], where
        if "checkpoints" in v:
            got = T.checkpoint_facts(c, vm)
            assert len(got) == len(v["checkpoints"]), (where, got)
            for g, e in zip(got, v["checkpoints"]):
                assert (g["name"], g["parent"]) == (e["name"], e["parent"]), where
                if "created" in e:
                    assert g["created"] == e["created"], (where, e["name"])
                if "state" in e:
                    assert g["state"] == e["state"], (where, e["name"])
    for f in after.get("file", []):
        info = c.file_info(f["path"])
        if "exists" in f:
            assert (info is not None) == f["exists"], f["path"]
        if "length" in f:
            assert info is not None and info.length == f["length"], f["path"]


def expected_warnings(folder: pathlib.Path) -> list[str]:
    text = (folder / "expected.txt").read_text(encoding="utf-8-sig")
    return [line[len("WARNING: "):].rstrip() for line in text.splitlines() if line.startswith("WARNING: ")]


def check_errors(number: str, folder: pathlib.Path, errors: list[HyperVError]) -> None:
    assert [(type(e), e.error_id) for e in errors] == EXPECTED_ERRORS.get(number, []), [str(e) for e in errors]
    contains = folder / "expected-stderr-contains.txt"
    if contains.exists():
        text = "\n".join(e.message for e in errors)
        for line in contains.read_text(encoding="utf-8-sig").splitlines():
            line = line.rstrip().removeprefix("Checkpoint-VM :").strip()
            if line:
                assert line in text, line
    full = folder / "expected-stderr.txt"
    if full.exists():
        stderr = full.read_text(encoding="utf-8-sig")
        for e in errors:
            if not isinstance(e, sdk.VMNotFoundError) or e.target:  # 18's binding errors are PowerShell's own
                assert e.message in stderr.replace("\n", " "), e.message


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_scenario_replay(folder: pathlib.Path, memory_url: str) -> None:
    number = folder.name[:2]
    if number not in REPLAYS:
        pytest.skip(f"no SDK replay written for {folder.name}")
    warned: list[str] = []
    client = sdk.load_world(memory_url, (folder / "world.toml").read_text(encoding="utf-8-sig"),
                            str(folder / "world.toml")).with_warnings(warned.append)
    errors: list[HyperVError] = []
    REPLAYS[number](client, errors)
    assert warned == expected_warnings(folder)
    check_errors(number, folder, errors)
    after = folder / "expected-after.toml"
    if after.exists():
        check_after(client, T.parse_toml_file(after))


def test_every_scenario_has_a_replay() -> None:
    dirs = T.scenario_dirs()
    assert sorted(p.name[:2] for p in dirs) == sorted(REPLAYS)
