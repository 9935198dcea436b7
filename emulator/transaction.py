"""A transaction's working set: the state being changed, its clock, ids and hosts, and the file
operations queued to follow it; and `host_rel`, where a host's Windows path lives in storage.

`emulator.engine` opens, commits and replays transactions; the rule modules (disks, vdisk,
checkpoints, ...) work on a `Transaction` and import it from here, below the engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import time
import uuid

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import HostNotFound, InvalidArgument, StateError
from hyperv_emu.emulator.model import ClockMode, EmulatorState, FileOp, HostRecord
from hyperv_emu.emulator.storage import HOSTS_DIR, FileStore


@attrs.define
class Transaction:
    """The state being changed, plus the file operations that must follow it."""

    state: EmulatorState
    store: FileStore
    ops: list[FileOp] = attrs.field(factory=list)
    changed: bool = False

    # --- clock -------------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        clock = self.state.clock
        if clock.mode is ClockMode.REAL:
            return clock.now + dt.timedelta(seconds=max(0.0, time.time() - clock.wall_anchor))
        return clock.now

    def target(self, seconds: float) -> dt.datetime:
        """The time `seconds` from now (InvalidArgument when the clock cannot get there)."""
        if not math.isfinite(seconds) or seconds > (dt.datetime.max - self.now()).total_seconds():
            raise InvalidArgument(f"Cannot move the clock on by {seconds!r} seconds: the clock stops at "
                                  f"{dt.datetime.max.isoformat()} and it is {self.now().isoformat()}.",
                                  target=repr(seconds))
        return self.now() + dt.timedelta(seconds=max(0.0, seconds))

    def advance(self, seconds: float) -> None:
        """Move the virtual clock (a no-op on the real clock, where time moves by itself).
        The clock is a .NET DateTime: it cannot pass 9999-12-31T23:59:59.9999999."""
        self.target(seconds)
        if seconds <= 0:
            return
        if self.state.clock.mode is ClockMode.VIRTUAL:
            self.state.clock.now = self.state.clock.now + dt.timedelta(seconds=seconds)
            self.changed = True

    # --- ids ---------------------------------------------------------------------------------

    def new_id(self) -> str:
        """A new GUID (lower case); deterministic when the world asks for it."""
        settings = self.state.settings
        if settings.deterministic_ids:
            self.state.id_counter += 1
            self.changed = True
            digest = hashlib.sha256(f"{settings.id_seed}:{self.state.id_counter}".encode()).digest()
            return str(uuid.UUID(bytes=digest[:16], version=4))
        return str(uuid.uuid4())

    # --- hosts -------------------------------------------------------------------------------

    def host(self, name: str | None) -> HostRecord:
        hosts = self.state.hosts
        if not hosts:
            raise StateError("The state has no host.")
        if name is None or name in (".", "localhost") or name.casefold() == "127.0.0.1":
            for h in hosts:
                if h.default:
                    return h
            return hosts[0]
        folded = name.casefold()
        for h in hosts:
            if h.name.casefold() == folded or winpath.netbios_name(h.name).casefold() == folded:
                return h
        raise HostNotFound(name)

    # --- file operations ---------------------------------------------------------------------

    def queue(self, op: FileOp) -> None:
        self.ops.append(op)
        self.changed = True


def host_rel(host: str, path: str) -> str:
    """The storage-relative location of a host's Windows path (checked by winpath)."""
    wp = winpath.parse(path)
    return "/".join([HOSTS_DIR, host.casefold(), wp.drive, *wp.parts])

