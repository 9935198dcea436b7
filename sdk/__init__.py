"""A typed SDK for Hyper-V VMs and checkpoints, one API over the emulator and real hosts.

    from hyperv_emu import sdk
    hv = sdk.connect()                      # the emulator at $HVEMU_STATE or ./.hvemu/state
    hv = sdk.connect("memory://demo")       # an in-process emulator state (tests)
    hv = sdk.connect("/srv/hvemu/state")    # an emulator state in a local folder (file://… too)

    vm = hv.vm("SRV-APP01")
    cp = vm.create_checkpoint("Before KB5034567")
    ...
    cp.restore()

URL forms (`connect(url)`):

| URL                                   | Backend                                                     |
|---------------------------------------|-------------------------------------------------------------|
| None / ""                             | the emulator at `$HVEMU_STATE`, else `./.hvemu/state`       |
| a path, `file:///path`, `memory://x`  | the emulator with its state there                           |
| `emulator:<path or URL>`              | the same, explicitly                                        |
| `powershell://localhost`              | a real local host through `powershell.exe` / `pwsh` (the PowerShell backend) |
| `winrm://[user@]host[:port]`          | a real remote host over WinRM/PSRP (`pip install hyperv-emu[winrm]`) |

The real-host URLs use the PowerShell backend (`sdk/backends/powershell.py`; docs/real-hosts.md
lists every option); WinRM needs the `winrm` extra (pypsrp).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import (
    AlreadyExistsError,
    BackendError,
    CheckpointFailedError,
    CheckpointNotFoundError,
    HyperVError,
    HyperVWarning,
    InvalidNameError,
    InvalidPatternError,
    InvalidStateError,
    MultipleCheckpointsError,
    OperationTimeoutError,
    StateError,
    VMNotFoundError,
    WorldFileError,
)
from hyperv_emu.sdk.types import (
    VHD,
    VhdTestResult,
    Checkpoint,
    CheckpointType,
    HardDrive,
    HostEvent,
    SnapshotType,
    VM,
    VMOperationalStatus,
    VMState,
)

from hyperv_emu.sdk.vmparts import (
    CriticalErrorAction,
    IntegrationService,
    OnOffState,
    StartAction,
    StopAction,
    VMHeartbeatStatus,
    VMHostInfo,
    VMMemory,
    VMProcessor,
    VMSettings,
)

if TYPE_CHECKING:  # the type `wildcard()` returns (the module is imported on first use)
    from hyperv_emu.emulator.wildcard import WildcardPattern as WildcardPattern

DEFAULT_STATE = os.path.join(".hvemu", "state")


def default_state_url() -> str:
    """`$HVEMU_STATE`, else `.hvemu/state` under the current folder (a per-project state)."""
    return os.environ.get("HVEMU_STATE") or os.path.abspath(DEFAULT_STATE)


Progress = Callable[[str, int, int], None]


def connect(url: str | None = None, *, computer_name: str | None = None,
            progress: Progress | None = None) -> HyperVClient:
    """A client for the backend the URL names (see the module docstring). `progress(description,
    done, total)` is told as an emulator state's disk files are written and merged (long merges
    after `sleep`); a real host never calls it."""
    url = url or default_state_url()
    lowered = url.lower()
    if lowered.startswith(("powershell:", "winrm:", "psrp:", "https:", "http:")):
        try:
            from hyperv_emu.sdk.backends.powershell import backend_for_url  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise BackendError(
                f"The PowerShell backend for '{url}' is not available in this installation."
            ) from exc
        return HyperVClient(backend_for_url(url), computer_name)  # type: ignore[no-any-return,unused-ignore]
    if lowered.startswith("emulator:"):
        url = url[len("emulator:"):]
    from hyperv_emu.sdk.backends.emulated import EmulatedBackend

    return HyperVClient(EmulatedBackend(url, progress=progress), computer_name)


def load_world(url: str, world_text: str, source: str = "<world>", *, force: bool = False,
               computer_name: str | None = None, progress: Progress | None = None) -> HyperVClient:
    """Create an emulator state at `url` from a world file's text and connect to it
    (`progress`: see `connect`; told as the world's disk files are made)."""
    from hyperv_emu.emulator import init_from_world
    from hyperv_emu.emulator.errors import EmulatorError
    from hyperv_emu.sdk.backends.emulated import EmulatedBackend, translate

    try:
        emu = init_from_world(url, world_text, source, force=force, on_file_ops=progress)
    except EmulatorError as exc:
        raise translate(exc) from exc
    emu.on_file_ops = None  # told of the world's files only
    # The client keeps the emulator that wrote the state (and the state it holds in memory).
    return HyperVClient(EmulatedBackend(url, emulator=emu), computer_name)


def read_world_file(path: str | os.PathLike[str]) -> str:
    """A world file's text (UTF-8; a byte-order mark is dropped). A file that cannot be read is a
    `WorldFileError` whose message every entry point shows as it is (`hvemu init --world`,
    `hvemu run --world`, the pytest plugin's `hyperv_world` marker, `mock_hyperv(world=...)`):
    `The world file 'fleet.toml' does not exist.`"""
    shown = os.fspath(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read()
    except FileNotFoundError:
        raise WorldFileError(f"The world file '{shown}' does not exist.", error_id="WorldFileNotFound",
                             category="ObjectNotFound", target=shown) from None
    except IsADirectoryError:
        raise WorldFileError(f"The world file '{shown}' is a folder, not a file.", target=shown) from None
    except UnicodeDecodeError as exc:
        raise WorldFileError(f"The world file '{shown}' is not UTF-8 text (byte {exc.start}).",
                             target=shown) from None
    except OSError as exc:
        raise WorldFileError(f"The world file '{shown}' cannot be read: {exc.strerror or exc}.",
                             category="ReadError", target=shown) from None


def load_world_file(url: str, path: str | os.PathLike[str], *, force: bool = False,
                    computer_name: str | None = None) -> HyperVClient:
    """`load_world` from a world file on disk (`read_world_file` reads it)."""
    return load_world(url, read_world_file(path), os.fspath(path), force=force, computer_name=computer_name)


def export_world(url: str) -> str:
    """The emulator state at `url` written back as a world file."""
    from hyperv_emu.emulator import Emulator
    from hyperv_emu.emulator.errors import EmulatorError
    from hyperv_emu.emulator.world import export_world as _export
    from hyperv_emu.sdk.backends.emulated import translate

    try:
        emu = Emulator(url)
        return _export(emu.read_state(), emu.store)
    except EmulatorError as exc:
        raise translate(exc) from exc


# --- wildcards ----------------------------------------------------------------------------------
# PowerShell's WildcardPattern has one implementation, emulator/wildcard.py (the lowest layer, which
# must work alone); these re-export it as SDK API, for psshim and for SDK users who filter names
# the way Hyper-V's cmdlets do. The emulator module is imported on first use, so an SDK that talks
# to a real host does not load the emulator just by being imported.


def wildcard(pattern: str, *, case_sensitive: bool = False) -> WildcardPattern:
    """PowerShell's `WildcardPattern` for `pattern` (`*`, `?`, `[a-c]`, backtick escapes; no
    negation), case-insensitive unless asked; `.is_match(text)` tests a whole string. Raises
    InvalidPatternError for an unclosed `[` or a reversed range."""
    from hyperv_emu.emulator.errors import InvalidWildcardPattern
    from hyperv_emu.emulator.wildcard import compile_pattern

    try:
        return compile_pattern(pattern, case_sensitive)
    except InvalidWildcardPattern as exc:
        from hyperv_emu.sdk.backends.emulated import translate

        raise translate(exc) from exc


def wildcard_match(pattern: str, text: str, *, case_sensitive: bool = False) -> bool:
    """`text -like pattern` (`-clike` with case_sensitive)."""
    return wildcard(pattern, case_sensitive=case_sensitive).is_match(text)


def contains_wildcards(text: str) -> bool:
    """WildcardPattern.ContainsWildcardCharacters: an unescaped `*`, `?`, `[` or `]`."""
    from hyperv_emu.emulator.wildcard import contains_wildcards as _contains

    return _contains(text)


def escape_wildcards(text: str) -> str:
    """WildcardPattern.Escape: `text` as a pattern that matches only itself."""
    from hyperv_emu.emulator.wildcard import escape

    return escape(text)


def unescape_wildcards(text: str) -> str:
    """WildcardPattern.Unescape."""
    from hyperv_emu.emulator.wildcard import unescape

    return unescape(text)


def state_exists(url: str) -> bool:
    """Whether an emulator state already exists at `url`."""
    from hyperv_emu.emulator import Emulator
    from hyperv_emu.emulator.errors import EmulatorError

    try:
        return Emulator(url).exists()
    except EmulatorError:
        return False


def delete_state(url: str) -> None:
    """Delete the emulator state at `url` (its metadata and every host file under it)."""
    from hyperv_emu.emulator.errors import EmulatorError
    from hyperv_emu.emulator.storage import open_store
    from hyperv_emu.sdk.backends.emulated import translate

    try:
        open_store(url).remove_all()
    except EmulatorError as exc:
        raise translate(exc) from exc


def clone_state(src_url: str, dst_url: str) -> None:
    """Make a new emulator state at `dst_url` (an empty place) that starts as a copy of the one at
    `src_url` and then lives its own life: nothing done in one shows in the other. Cheap, and
    nothing is built again: the database is copied with SQLite's backup API, memory states
    share their disk pages copy-on-write, folder states reflink their files where the file
    system can (else copy their data, holes kept). The pytest plugin's session worlds use it."""
    from hyperv_emu.emulator.errors import EmulatorError
    from hyperv_emu.emulator.stateclone import clone_state as _clone
    from hyperv_emu.sdk.backends.emulated import translate

    try:
        _clone(src_url, dst_url)
    except EmulatorError as exc:
        raise translate(exc) from exc


__all__ = [
    "VHD", "VhdTestResult", "VM", "AlreadyExistsError", "BackendError", "Checkpoint", "CheckpointFailedError",
    "CheckpointNotFoundError", "CheckpointType", "HardDrive", "HostEvent", "HyperVClient", "HyperVError",
    "HyperVWarning", "InvalidNameError", "InvalidPatternError", "InvalidStateError", "MultipleCheckpointsError",
    "SnapshotType", "StateError", "VMNotFoundError", "VMOperationalStatus", "VMState", "WorldFileError", "clone_state", "connect",
    "contains_wildcards", "default_state_url", "delete_state", "escape_wildcards", "export_world", "load_world",
    "load_world_file", "read_world_file", "state_exists", "unescape_wildcards", "wildcard", "wildcard_match",
    "CriticalErrorAction", "IntegrationService", "OnOffState", "OperationTimeoutError", "StartAction", "StopAction",
    "VMHeartbeatStatus", "VMHostInfo", "VMMemory", "VMProcessor", "VMSettings",
]
