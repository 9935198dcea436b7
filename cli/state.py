"""`hvemu state check`, `hvemu state repair` and `hvemu state dump` (emulator states only).

`dump` prints the whole state (VMs, checkpoints, disk files, merges, events, the journal) as
one indented JSON document: the human-readable view of the state database.

Exit codes: 0 when the state is consistent (after the repair, for `repair`), 4 when
inconsistencies remain (each printed on a line: `<host>: <kind>: <message>`), 1 for an error
(no state, not an emulator state). The checks and fixes are `hyperv_emu.emulator.consistency`'s.
"""

from __future__ import annotations

import argparse
from typing import Any

from hyperv_emu.cli.common import EXIT_OK, CLIError, _emulator_url, _group, _leaf, _out

EXIT_INCONSISTENT = 4


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    state = _group(sub, "state", "check a state for inconsistencies, and repair what a host would")
    _leaf(state, "check", common, cmd_check,
          "list missing, damaged or orphaned files, chains that do not match, merges that cannot "
          f"finish and parked file operations (exit {EXIT_INCONSISTENT} if any)")
    _leaf(state, "repair", common, cmd_repair,
          "retry parked file operations, finish due merges, then list what still needs a person "
          f"(exit {EXIT_INCONSISTENT} if anything remains)")
    _leaf(state, "dump", common, cmd_dump, "print the whole state as one JSON document")


def _emulator(args: argparse.Namespace) -> Any:
    from hyperv_emu.emulator.engine import Emulator

    url = _emulator_url(args)
    emulator = Emulator(url)
    if not emulator.exists():
        emulator.load()  # the one "no state" error
    return emulator


def _run(action: Any, args: argparse.Namespace) -> Any:
    from hyperv_emu.emulator.errors import EmulatorError

    try:
        return action(_emulator(args))
    except EmulatorError as exc:
        raise CLIError(exc.message) from None


def cmd_check(args: argparse.Namespace) -> int:
    from hyperv_emu.emulator.consistency import check

    problems = _run(check, args)
    for p in problems:
        _out(f"{p.host}: {p.kind}: {p.message}")
    if not problems:
        _out("The state is consistent.")
    return EXIT_INCONSISTENT if problems else EXIT_OK


def cmd_repair(args: argparse.Namespace) -> int:
    from hyperv_emu.emulator.consistency import repair

    report = _run(repair, args)
    for line in report.fixed:
        _out(f"fixed: {line}")
    for p in report.remaining:
        _out(f"{p.host}: {p.kind}: {p.message}")
    if not report.remaining:
        _out("The state is consistent.")
    return EXIT_INCONSISTENT if report.remaining else EXIT_OK



def cmd_dump(args: argparse.Namespace) -> int:
    _out(_run(lambda emulator: emulator.export_json(), args))
    return EXIT_OK
