"""Which rows of the state an operation changed, without serialising the state to find out.

The state (`emulator.model`) is stored one row per object (`emulator.statedb`): the kinds of
rows are `KINDS` (a list field of a parent record whose items are rows of their own: the hosts
of the state, the VMs of a host, the checkpoints of a VM, ...) and `MAPS` (a dict field whose
entries are rows: a host's `file_times`). Everything else a row holds (scalars, embedded
records such as a VM's drives, embedded lists and dicts) is part of its row's JSON; the
top-level scalars of `EmulatorState` (clock, settings, id counter, ...) are the `meta` row.

A `Tracker` follows a loaded state:

- every record it holds carries a link to it (`MutableFieldwise._hv_link`), so an assignment to
  a field (`fieldwise.tracked_setattr`) marks the record's row dirty;
- every list and dict is replaced by a `TrackedList` / `TrackedDict`: an in-place change of an
  embedded one marks its row dirty; a change of a row list records the list (with a copy of
  what it held before) for an identity diff at commit: items that came are inserted (with
  their children), items that went are deleted (with theirs), moved ones get a new position;
- a changed map records the keys that changed.

`statedb.flush` turns this into SQL. New records are linked when their row is inserted, so a
record made and changed within one operation is simply written whole.

Adding a row collection (say `EmulatorState.tasks: list[TaskRecord]`): declare the record with
the tracking hook (see `emulator.model`), add `Kind("tasks", TaskRecord, "", "tasks", key)` to
`KINDS` (parent "" is the state; parents come before their children) and bump
`statedb.LAYOUT_VERSION` with a step that creates the table. A new scalar field of
`EmulatorState` needs nothing: it is part of the meta row.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Callable, Iterable
from typing import Any, SupportsIndex

import attrs

from hyperv_emu.emulator.fieldwise import MutableFieldwise
from hyperv_emu.emulator.model import (
    CheckpointRecord,
    DiskFile,
    EmulatorState,
    Event,
    FileOp,
    HostRecord,
    MergeTask,
    ParkedOp,
    SwitchRecord,
    VirtualMachineRecord,
)


@attrs.frozen
class Kind:
    """Rows of `cls` held in the list `field` of their parent (a row of the table `parent`, or
    the state itself when `parent` is ""). `key` is the indexed lookup column (an id or path)."""

    table: str
    cls: type
    parent: str
    field: str
    key: Callable[[Any], str]


@attrs.frozen
class MapKind:
    """Rows of the dict `field` of a `parent` row: one per key, the value as JSON."""

    table: str
    parent: str
    field: str


KINDS: tuple[Kind, ...] = (
    Kind("hosts", HostRecord, "", "hosts", lambda h: h.name.casefold()),
    Kind("vms", VirtualMachineRecord, "hosts", "vms", lambda v: v.id.casefold()),
    Kind("checkpoints", CheckpointRecord, "vms", "checkpoints", lambda c: c.id.casefold()),
    Kind("disk_files", DiskFile, "hosts", "disk_files", lambda f: f.path.casefold()),
    Kind("merges", MergeTask, "hosts", "merges", lambda m: m.id.casefold()),
    Kind("events", Event, "hosts", "events", lambda e: e.vm_id.casefold()),
    Kind("switches", SwitchRecord, "hosts", "switches", lambda s: s.name.casefold()),
    Kind("journal", FileOp, "", "pending_ops", lambda o: o.path.casefold()),
    Kind("parked_ops", ParkedOp, "", "parked_ops", lambda p: p.op.path.casefold()),
)
MAPS: tuple[MapKind, ...] = (MapKind("file_times", "hosts", "file_times"),)
STATE_TABLE = ""  # the parent name of the state's own collections

KIND_OF_CLASS: dict[type, Kind] = {k.cls: k for k in KINDS}
# the row collections (list fields) and maps (dict fields) of each class that has any
CHILDREN: dict[type, tuple[Kind, ...]] = {}
CHILD_MAPS: dict[type, tuple[MapKind, ...]] = {}
_PARENT_CLASS = {"": EmulatorState, **{k.table: k.cls for k in KINDS}}
for _k in KINDS:
    CHILDREN.setdefault(_PARENT_CLASS[_k.parent], ())
    CHILDREN[_PARENT_CLASS[_k.parent]] += (_k,)
for _m in MAPS:
    CHILD_MAPS.setdefault(_PARENT_CLASS[_m.parent], ())
    CHILD_MAPS[_PARENT_CLASS[_m.parent]] += (_m,)


def child_fields(cls: type) -> frozenset[str]:
    """The fields of `cls` stored as rows of their own (not in its row's JSON)."""
    return frozenset(k.field for k in CHILDREN.get(cls, ())) | frozenset(m.field for m in CHILD_MAPS.get(cls, ()))


_EMBEDDED: dict[type, tuple[str, ...]] = {}


def embedded_fields(cls: type) -> tuple[str, ...]:
    """The fields of a record class that may hold a list, a dict or a record (part of its row)."""
    found = _EMBEDDED.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        skip = child_fields(cls)
        found = tuple(f.name for f in attrs.fields(cls) if f.name not in skip and _may_hold_container(f.type))
        _EMBEDDED[cls] = found
    return found


def _may_hold_container(t: Any) -> bool:
    origin = typing.get_origin(t)
    if origin in (list, dict):
        return True
    if origin is not None:
        return any(_may_hold_container(a) for a in typing.get_args(t))
    return isinstance(t, type) and attrs.has(t)


class RowInfo:
    """A stored row: its record, kind, parent row id (0: the state) and position."""

    __slots__ = ("obj", "kind", "parent", "pos")

    def __init__(self, obj: Any, kind: Kind, parent: int, pos: int) -> None:
        self.obj = obj
        self.kind = kind
        self.parent = parent
        self.pos = pos


class Tracker:
    """The change tracking of one loaded state (see the module docstring)."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.rows: dict[int, RowInfo] = {}  # row id -> row
        self.rid_of: dict[int, int] = {}  # id(record) -> row id
        self.dirty: dict[int, Any] = {}  # id(row record) -> row record (the state: the meta row)
        self.lists: dict[int, tuple[TrackedList, list[Any]]] = {}  # changed row lists, with their old items
        self.appended: set[int] = set()  # those of `lists` only appended to since (their old items unchanged)
        self.maps: dict[int, tuple[TrackedDict, set[str] | None]] = {}  # changed maps: keys (None: all)
        self.next_rid = 1
        object.__setattr__(state, "_hv_link", (self, state))
        self.embed_fields(state, state)
        for kind in CHILDREN.get(EmulatorState, ()):
            self.wrap_rows(state, kind)
        for mk in CHILD_MAPS.get(EmulatorState, ()):
            self.wrap_map(state, mk)

    # --- what a change reports ---------------------------------------------------------------

    def is_dirty(self) -> bool:
        return bool(self.dirty or self.lists or self.maps)

    def clear(self) -> None:
        self.dirty.clear()
        self.lists.clear()
        self.appended.clear()
        self.maps.clear()

    def on_set(self, instance: Any, row: Any, name: str, value: Any) -> Any:
        if instance is row:
            cls = type(instance)
            for kind in CHILDREN.get(cls, ()):
                if kind.field == name:
                    old = getattr(instance, name)
                    before = self.lists.pop(id(old), (None, list(old)))[1] if isinstance(old, TrackedList) else []
                    self.appended.discard(id(old))
                    new = TrackedList(value, self, row, kind)
                    self.lists[id(new)] = (new, before)
                    return new
            for mk in CHILD_MAPS.get(cls, ()):
                if mk.field == name:
                    self.maps.pop(id(getattr(instance, name)), None)
                    new_map = TrackedDict(value, self, row, mk)
                    self.maps[id(new_map)] = (new_map, None)
                    return new_map
        self.dirty[id(row)] = row
        return self.embed(value, row)

    def list_changing(self, lst: TrackedList, appending: bool = False) -> None:
        """`lst` is about to change; `appending`: by items added at its end, nothing else."""
        lst.lookup = None
        if lst.kind is None:
            self.dirty[id(lst.owner)] = lst.owner
        elif id(lst) not in self.lists:
            self.lists[id(lst)] = (lst, list(lst))
            if appending:
                self.appended.add(id(lst))
        elif not appending:
            self.appended.discard(id(lst))

    def map_changing(self, d: TrackedDict, key: str | None) -> None:
        if d.kind is None:
            self.dirty[id(d.owner)] = d.owner
            return
        entry = self.maps.get(id(d))
        if entry is None:
            self.maps[id(d)] = (d, None if key is None else {key})
        elif entry[1] is not None:
            if key is None:
                self.maps[id(d)] = (d, None)
            else:
                entry[1].add(key)

    # --- linking records -----------------------------------------------------------------------

    def embed(self, value: Any, row: Any) -> Any:
        """`value` as a part of `row`: lists and dicts tracked, records linked (recursively)."""
        if isinstance(value, MutableFieldwise):
            object.__setattr__(value, "_hv_link", (self, row))
            self.embed_fields(value, row)
            return value
        if isinstance(value, list):
            if type(value) is TrackedList and value.owner is row and value.kind is None:
                return value
            return TrackedList([self.embed(v, row) for v in value], self, row, None)
        if isinstance(value, dict):
            if type(value) is TrackedDict and value.owner is row and value.kind is None:
                return value
            return TrackedDict({k: self.embed(v, row) for k, v in value.items()}, self, row, None)
        return value

    def embed_fields(self, record: Any, row: Any) -> None:
        for name in embedded_fields(type(record)):
            value = getattr(record, name)
            new = self.embed(value, row)
            if new is not value:
                object.__setattr__(record, name, new)

    def adopt(self, obj: Any, kind: Kind, parent: int, pos: int, rid: int) -> None:
        """Take `obj` on as the stored row `rid`: link it, track its lists; its child rows are
        adopted separately (loaded or inserted)."""
        self.rows[rid] = RowInfo(obj, kind, parent, pos)
        self.rid_of[id(obj)] = rid
        if rid >= self.next_rid:
            self.next_rid = rid + 1
        object.__setattr__(obj, "_hv_link", (self, obj))
        self.embed_fields(obj, obj)
        cls = type(obj)
        for child in CHILDREN.get(cls, ()):
            self.wrap_rows(obj, child)
        for mk in CHILD_MAPS.get(cls, ()):
            self.wrap_map(obj, mk)

    def forget(self, rid: int) -> None:
        info = self.rows.pop(rid, None)
        if info is not None:
            self.rid_of.pop(id(info.obj), None)
            self.dirty.pop(id(info.obj), None)

    def wrap_rows(self, owner: Any, kind: Kind) -> TrackedList:
        """The row list `kind.field` of `owner` as a TrackedList (its items not yet adopted)."""
        value = getattr(owner, kind.field)
        if type(value) is TrackedList and value.owner is owner and value.kind is kind:
            return value
        new = TrackedList(value, self, owner, kind)
        object.__setattr__(owner, kind.field, new)
        return new

    def wrap_map(self, owner: Any, mk: MapKind) -> TrackedDict:
        value = getattr(owner, mk.field)
        if type(value) is TrackedDict and value.owner is owner and value.kind is mk:
            return value
        new = TrackedDict(value, self, owner, mk)
        object.__setattr__(owner, mk.field, new)
        return new


def find(items: list[Any], key: str, key_of: Callable[[Any], str]) -> Any | None:
    """The first item of `items` whose `key_of` is `key`, or None. On a TrackedList a dict built
    on first use answers (dropped when the list changes; a hit is checked, a miss scans, so an
    item whose key changed in place is still found)."""
    if type(items) is TrackedList:
        index = items.lookup.get(key_of) if items.lookup is not None else None
        if index is None:
            index = {}
            for item in reversed(items):
                index[key_of(item)] = item
            if items.lookup is None:
                items.lookup = {}
            items.lookup[key_of] = index
        hit = index.get(key)
        if hit is not None and key_of(hit) == key:
            return hit
    for item in items:
        if key_of(item) == key:
            return item
    return None


class TrackedList(list[Any]):
    """A list of the state that tells its tracker before it changes. `kind` None: part of the
    row `owner`; else the row list `kind` of `owner`. `lookup`: the indexes `find` built."""

    __slots__ = ("tracker", "owner", "kind", "lookup")

    def __init__(self, items: Iterable[Any], tracker: Tracker, owner: Any, kind: Kind | None) -> None:
        super().__init__(items)
        self.tracker = tracker
        self.owner = owner
        self.kind = kind
        self.lookup: dict[Callable[[Any], str], dict[str, Any]] | None = None

    # A copy (copy, deepcopy, pickle) is a plain list, outside the tracking: copying the tracker
    # with it would copy the whole state, and the copy's changes are not the state's.
    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return [copy.deepcopy(v, memo) for v in self]

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (list, (list(self),))

    def _embedded_new(self) -> None:
        if self.kind is None:
            for i, v in enumerate(self):
                new = self.tracker.embed(v, self.owner)
                if new is not v:
                    list.__setitem__(self, i, new)

    def append(self, item: Any) -> None:
        lookup = self.lookup
        self.tracker.list_changing(self, appending=True)
        super().append(item)
        self._embedded_new()
        if lookup is not None:  # an index stays valid: add the new item (first one wins)
            for key_of, index in lookup.items():
                index.setdefault(key_of(self[-1]), self[-1])
            self.lookup = lookup

    def extend(self, items: Iterable[Any]) -> None:
        self.tracker.list_changing(self, appending=True)
        super().extend(items)
        self._embedded_new()

    def insert(self, index: SupportsIndex, item: Any) -> None:
        self.tracker.list_changing(self)
        super().insert(index, item)
        self._embedded_new()

    def remove(self, item: Any) -> None:
        self.tracker.list_changing(self)
        super().remove(item)

    def pop(self, index: SupportsIndex = -1) -> Any:
        self.tracker.list_changing(self)
        return super().pop(index)

    def clear(self) -> None:
        self.tracker.list_changing(self)
        super().clear()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        self.tracker.list_changing(self)
        super().sort(*args, **kwargs)

    def reverse(self) -> None:
        self.tracker.list_changing(self)
        super().reverse()

    def __setitem__(self, index: Any, value: Any) -> None:
        self.tracker.list_changing(self)
        super().__setitem__(index, value)
        self._embedded_new()

    def __delitem__(self, index: Any) -> None:
        self.tracker.list_changing(self)
        super().__delitem__(index)

    def __iadd__(self, items: Iterable[Any]) -> TrackedList:  # type: ignore[override,misc]
        self.extend(items)
        return self

    def __imul__(self, n: SupportsIndex) -> TrackedList:
        self.tracker.list_changing(self)
        super().__imul__(n)
        return self


class TrackedDict(dict[str, Any]):
    """A dict of the state that tells its tracker before it changes (`kind` as TrackedList's)."""

    __slots__ = ("tracker", "owner", "kind")

    def __init__(self, items: Any, tracker: Tracker, owner: Any, kind: MapKind | None) -> None:
        super().__init__(items)
        self.tracker = tracker
        self.owner = owner
        self.kind = kind

    # a plain dict when copied (see TrackedList)
    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}

    def __reduce_ex__(self, protocol: SupportsIndex) -> Any:
        return (dict, (dict(self),))

    def __setitem__(self, key: str, value: Any) -> None:
        self.tracker.map_changing(self, key)
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.tracker.map_changing(self, key)
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.tracker.map_changing(self, key)
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.tracker.map_changing(self, None)
        return super().popitem()

    def clear(self) -> None:
        self.tracker.map_changing(self, None)
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.tracker.map_changing(self, None)
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.tracker.map_changing(self, key)
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> TrackedDict:  # type: ignore[override,misc]
        self.update(other)
        return self
