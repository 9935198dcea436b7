"""A fresh runspace for a remote session (Invoke-Command -ComputerName on another emulated host,
PowerShell Direct into a reachable guest): the caller's settings, its own services and registry,
a host whose console output goes nowhere (what the remote side prints is not the caller's)."""

from __future__ import annotations

from typing import Any


def _discard(text: str) -> None:
    pass


def new_runspace(ctx: Any, services: Any, registry: Any) -> Any:
    """A fresh runspace of a remote session over `services`, with the caller's settings."""
    from hyperv_emu.psshim.runtime.host import Host
    from hyperv_emu.psshim.runtime.runner import Runspace

    return Runspace(services, ctx.interp.settings, Host(_discard, _discard), registry=registry)
