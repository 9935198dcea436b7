"""hyperv-emu: a Hyper-V emulator, a typed SDK for Hyper-V checkpoints, and a PowerShell shim.

    import hyperv_emu as hv

    client = hv.connect("memory://demo")
    hv.load_world("memory://demo", WORLD_TEXT)
    cp = client.vm("SRV-APP01").create_checkpoint("Before KB5034567")
    assert client.vm("SRV-APP01").checkpoint_type is hv.CheckpointType.Production

The short names here are the SDK's (`hyperv_emu.sdk`); they are imported on first use, so
`import hyperv_emu.psshim` or the `hvemu` command do not pay for them. The packages:

| name                   | what it holds                                                    |
|------------------------|------------------------------------------------------------------|
| `hyperv_emu.emulator`  | the emulated Hyper-V: rules, state on disk, VHDX/AVHDX files     |
| `hyperv_emu.sdk`       | the typed SDK over the emulator or a real host                   |
| `hyperv_emu.psshim`    | the PowerShell 5.1 interpreter and the Hyper-V cmdlets           |
| `hyperv_emu.cli`       | the `hvemu` command (an application over the three)              |
| `hyperv_emu.testing`   | the pytest plugin, `HyperV`, `mock_hyperv` (an application too)  |
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from hyperv_emu.sdk import (
        VHD,
        VM,
        AlreadyExistsError,
        BackendError,
        Checkpoint,
        CheckpointFailedError,
        CheckpointNotFoundError,
        CheckpointType,
        HardDrive,
        HostEvent,
        HyperVClient,
        HyperVError,
        HyperVWarning,
        InvalidNameError,
        InvalidStateError,
        MultipleCheckpointsError,
        SnapshotType,
        StateError,
        VMNotFoundError,
        VMOperationalStatus,
        VMState,
        WorldFileError,
        connect,
        default_state_url,
        delete_state,
        export_world,
        load_world,
        state_exists,
    )

_SDK_NAMES = frozenset({
    "VHD", "VM", "AlreadyExistsError", "BackendError", "Checkpoint", "CheckpointFailedError",
    "CheckpointNotFoundError", "CheckpointType", "HardDrive", "HostEvent", "HyperVClient", "HyperVError",
    "HyperVWarning", "InvalidNameError", "InvalidStateError", "MultipleCheckpointsError", "SnapshotType",
    "StateError", "VMNotFoundError", "VMOperationalStatus", "VMState", "WorldFileError", "connect",
    "default_state_url", "delete_state", "export_world", "load_world", "state_exists",
})

__all__ = sorted(_SDK_NAMES | {"__version__"})


def __getattr__(name: str) -> Any:
    if name in _SDK_NAMES:
        value = getattr(importlib.import_module("hyperv_emu.sdk"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hyperv_emu' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SDK_NAMES)
