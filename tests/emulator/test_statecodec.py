"""A row's JSON (`statecodec.dump_row`, written without generated code) is exactly what the
state's cattrs converter writes for the record without its child rows: for the states of every
scenario world, of a state document of an earlier release, and of a state after checkpoints,
merges, events, parked operations and a planned import."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from cattrs.gen import make_dict_unstructure_fn, override

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.emulator import persist, statecodec
from hyperv_emu.emulator.model import EmulatorState, Event, FileOp, ParkedOp, VMStateName
from hyperv_emu.emulator.statetrack import CHILD_MAPS, CHILDREN, child_fields
from hyperv_emu.emulator.world import load_text


def reference(obj: Any) -> str:
    """The row as cattrs' generated unstructure function writes it."""
    cls = type(obj)
    attrs.resolve_types(cls)
    fn = make_dict_unstructure_fn(cls, persist.make_converter(),
                                  **{name: override(omit=True) for name in child_fields(cls)})
    return json.dumps(fn(obj), separators=(",", ":"), ensure_ascii=False)


def rows(obj: Any) -> Iterator[Any]:
    yield obj
    for kind in CHILDREN.get(type(obj), ()):
        for item in getattr(obj, kind.field):
            yield from rows(item)


def maps(obj: Any) -> Iterator[tuple[str, Any]]:
    for kind in CHILDREN.get(type(obj), ()):
        for item in getattr(obj, kind.field):
            yield from maps(item)
    for mk in CHILD_MAPS.get(type(obj), ()):
        for value in getattr(obj, mk.field).values():
            yield mk.table, value


def assert_rows_as_cattrs_writes_them(state: EmulatorState) -> int:
    count = 0
    for obj in rows(state):
        assert statecodec.dump_row(obj) == reference(obj)
        count += 1
    for table, value in maps(state):
        assert statecodec.dump_map_value(table, value) == json.dumps(
            persist.make_converter().unstructure(value, dt.datetime), ensure_ascii=False)
    return count


@pytest.mark.parametrize("folder", T.scenario_dirs(), ids=lambda p: p.name)
def test_the_rows_of_each_scenario_world(folder: Any) -> None:
    state, ops = load_text((folder / "world.toml").read_text(encoding="utf-8-sig"))
    state.pending_ops = list(ops)
    assert assert_rows_as_cattrs_writes_them(state) > len(state.hosts)


def test_the_rows_of_a_state_of_an_earlier_release() -> None:
    data = (T.REPO_ROOT / "tests" / "emulator" / "data" / "state-v1.json").read_bytes()
    assert assert_rows_as_cattrs_writes_them(persist.loads(data, "state-v1.json")) > 3


def test_the_rows_of_a_state_after_operations() -> None:
    url = T.memory_url()
    world = T.base_world() + T.vm_table("A", state="Running") + T.vm_table("B")
    client = sdk.load_world(url, world)
    one = client.checkpoint_vm("A", "one")
    client.checkpoint_vm("A", "two")
    client.remove_checkpoint(one)  # a merge, events
    client.stop_vm("A", save=True)
    state = client.backend.emulator.read_state()  # type: ignore[attr-defined]
    op = FileOp(kind="delete", path="D:\\x\u00e9.vhdx", host=T.HOST)
    state.parked_ops.append(ParkedOp(op=op, error="gone", time=dt.datetime(2026, 2, 20, 8, 0, 1)))
    state.hosts[0].vms[0].state = VMStateName.SAVED
    state.hosts[0].events.append(Event(time=dt.datetime(2026, 2, 20, 8, 0, 2), level="Error", event_id=19100,
                                       message="caf\u00e9 \U0001f600", vm_name="A", vm_id="x"))
    assert assert_rows_as_cattrs_writes_them(state) >= 11
    T.drop_memory_root(url)
