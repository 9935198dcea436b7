"""The cmdlets psshim knows, and the registry a Runspace uses by default.

`default_registry()` registers every `@cmdlet` class of the modules listed in
`CMDLET_MODULES`, then calls each module's optional `setup(registry)` hook (to register SDK
types, adapters, an exception mapper, extra aliases). A module that fails to import is skipped
only if it is optional (the Hyper-V and file cmdlets need the SDK).
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from hyperv_emu.psshim.runtime.registry import Registry

CMDLET_MODULES: tuple[str, ...] = (
    "hyperv_emu.psshim.cmdlets.core",
    "hyperv_emu.psshim.cmdlets.utility",
    "hyperv_emu.psshim.cmdlets.jobs",
    "hyperv_emu.psshim.cmdlets.remoting",
    "hyperv_emu.psshim.cmdlets.admin",
    "hyperv_emu.psshim.cmdlets.processes",
    "hyperv_emu.psshim.cmdlets.itemproperty",
)
OPTIONAL_CMDLET_MODULES: tuple[str, ...] = (
    "hyperv_emu.psshim.cmdlets.files",
    "hyperv_emu.psshim.cmdlets.items",
    "hyperv_emu.psshim.cmdlets.hyperv_vhd",  # before hyperv, whose setup registers the rest
    "hyperv_emu.psshim.cmdlets.hyperv_drives",
    "hyperv_emu.psshim.cmdlets.hyperv_network",
    "hyperv_emu.psshim.cmdlets.hyperv_firmware",
    "hyperv_emu.psshim.cmdlets.hyperv_metering",
    "hyperv_emu.psshim.cmdlets.hyperv_import",
    "hyperv_emu.psshim.cmdlets.hyperv",
    "hyperv_emu.psshim.cmdlets.hyperv_vm",
    "hyperv_emu.psshim.cmdlets.diagnostics",
    "hyperv_emu.psshim.cmdlets.cim",
    "hyperv_emu.psshim.cmdlets.vmdirect",
    "hyperv_emu.psshim.cmdlets.scheduledtask_parts",
    "hyperv_emu.psshim.cmdlets.scheduledtasks",
    "hyperv_emu.psshim.cmdlets.schtasks",
    "hyperv_emu.psshim.cmdlets.wevtutil",
)


def _load(name: str, optional: bool) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        if optional:
            return None
        raise


def register_modules(registry: Registry, names: tuple[str, ...], optional: bool = False) -> None:
    for name in names:
        module = _load(name, optional)
        if module is None:
            continue
        registry.register_module(module)
        setup = getattr(module, "setup", None)
        if callable(setup):
            setup(registry)


def _sdk_setup(registry: Registry) -> None:
    """SDK value types and enums as PowerShell types, and their adapters."""
    try:
        from hyperv_emu.psshim.cmdlets.hyperv_support import register_sdk_adapters
        from hyperv_emu.sdk import types as sdk_types
        from hyperv_emu.sdk.convert import PS_TYPE_NAMES
    except ImportError:
        return
    import enum

    for cls, names in PS_TYPE_NAMES.items():
        registry.register_type(names[0], cls)
    from hyperv_emu.sdk import vmparts as sdk_vmparts

    for obj in [*vars(sdk_types).values(), *vars(sdk_vmparts).values()]:
        if isinstance(obj, type) and issubclass(obj, enum.Enum) and getattr(obj, "__ps_type_name__", None):
            registry.register_enum(obj)
    if register_sdk_adapters not in registry.adapter_setup:
        registry.adapter_setup.append(register_sdk_adapters)
    registry.exception_mapper = sdk_error_record


def sdk_error_record(exc: BaseException, ctx: Any) -> Any:
    """The one place an SDK exception escaping a cmdlet becomes its ErrorRecord: the Hyper-V
    module's shape for Hyper-V cmdlets (`hyperv_support.error_record`), else the exception's
    message, error id and category under the cmdlet's own class (a file cmdlet's bad host path)."""
    from hyperv_emu.psshim.cmdlets.hyperv_support import error_record
    from hyperv_emu.sdk.errors import AccessDeniedError, FileInUseError, HostPathError, HyperVError

    if not isinstance(exc, HyperVError):
        return None
    if ctx.info.module == "Hyper-V":
        return error_record(exc, ctx.info.name, None, exc.target or None)
    if isinstance(exc, FileInUseError):
        exception_type = "System.IO.IOException"
    elif isinstance(exc, AccessDeniedError):
        exception_type = "System.UnauthorizedAccessException"
    elif isinstance(exc, HostPathError):
        exception_type = "System.ArgumentException"
    else:
        exception_type = "System.InvalidOperationException"
    return ctx.error_record(exc.message, exc.error_id, exc.category, target_object=exc.target or None,
                            exception_type=exception_type)


# modules a VM's guest session does not have (PowerShell Direct runs in an empty guest): the
# Hyper-V module, and Get-WinEvent, which reads the host's Hyper-V log (its WMI cmdlets exist but
# say that WMI inside a guest is not emulated)
HOST_ONLY_MODULES: tuple[str, ...] = ("hyperv_emu.psshim.cmdlets.hyperv", "hyperv_emu.psshim.cmdlets.diagnostics",
                                      "hyperv_emu.psshim.cmdlets.scheduledtask_parts",
                                      "hyperv_emu.psshim.cmdlets.scheduledtasks",
                                      "hyperv_emu.psshim.cmdlets.schtasks",
                                      "hyperv_emu.psshim.cmdlets.wevtutil")


def guest_registry() -> Registry:
    """The commands of an emulated guest: the default ones without the Hyper-V module."""
    registry = Registry()
    _sdk_setup(registry)
    register_modules(registry, CMDLET_MODULES)
    register_modules(registry, tuple(m for m in OPTIONAL_CMDLET_MODULES if m not in HOST_ONLY_MODULES),
                     optional=True)
    return registry


def default_registry(include_optional: bool = True) -> Registry:
    registry = Registry()
    if include_optional:
        _sdk_setup(registry)
    register_modules(registry, CMDLET_MODULES)
    if include_optional:
        register_modules(registry, OPTIONAL_CMDLET_MODULES, optional=True)
    return registry
