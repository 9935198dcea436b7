"""hyperv-emu's engine: an emulated Hyper-V whose state lives under an fsspec URL.

It imports neither `sdk` nor `psshim`; the SDK's emulated backend adapts it.
"""

from __future__ import annotations

from hyperv_emu.emulator.engine import Emulator, FileOpsProgress
from hyperv_emu.emulator.errors import EmulatorError
from hyperv_emu.emulator.host import Host, Outcome


def init_from_world(url: str, world_text: str, source: str = "<world>", *, force: bool = False,
                    on_file_ops: FileOpsProgress | None = None) -> Emulator:
    """Create the state at `url` from a world file's text (see docs/world-files.md);
    `on_file_ops` is told as its disk files are made (see engine.FileOpsProgress)."""
    from hyperv_emu.emulator.world import load_text

    state, ops = load_text(world_text, source)
    emu = Emulator(url, on_file_ops=on_file_ops)
    emu.create(state, ops, force=force)
    return emu


__all__ = ["Emulator", "EmulatorError", "Host", "Outcome", "init_from_world"]
