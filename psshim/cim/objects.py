"""The objects the WMI and CIM cmdlets return: one `Instance` (class, namespace, properties,
key) seen two ways.

- `Get-CimInstance` gives a `CimInstance` (`Microsoft.Management.Infrastructure.CimInstance#
  root/virtualization/v2/Msvm_ComputerSystem`): the class's properties, then `PSComputerName`.
- `Get-WmiObject` gives a `ManagementObject` (`System.Management.ManagementObject#root\\
  virtualization\\v2\\Msvm_ComputerSystem`): the system properties `__GENUS` ... `__PATH`, the
  class's properties, then `PSComputerName`; its WMI methods answer `.Method(args...)` (the
  positional in-parameters of the method, as `InvokeMethod` takes them) and `.Get()` (re-read).

WMI hands references around as object paths (`__PATH`, a method's `Job`): those strings are
`WmiPath`s here, which remember how to read their instance again, so `[wmi]$result.Job` and
`[wmi]$vm.__PATH` give the instance as it is now (`CimObject.ps_convert_from`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import attrs

from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative
from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class Instance(Fieldwise):
    """One WMI instance: `props` in the class's order, `keys` the names of its key properties."""

    class_name: str
    namespace: str  # backslashes: root\virtualization\v2
    server: str
    props: dict[str, Any]
    keys: tuple[str, ...]
    superclass: str = ""
    derivation: tuple[str, ...] = ()

    def get(self, name: str) -> Any:
        folded = name.casefold()
        for k, v in self.props.items():
            if k.casefold() == folded:
                return v
        return None

    @property
    def relpath(self) -> str:
        parts = ",".join(f'{k}={_key_text(self.props[k])}' for k in self.keys)
        return f"{self.class_name}.{parts}" if parts else f"{self.class_name}=@"

    @property
    def path(self) -> str:
        return f"\\\\{self.server}\\{self.namespace}:{self.relpath}"


def _wmi_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        from hyperv_emu.psshim.cim.wql import dmtf_datetime

        return dmtf_datetime(value)
    if isinstance(value, dt.timedelta):
        total = int(value.total_seconds())
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        return f"{days:08d}{hours:02d}{minutes:02d}{seconds:02d}.{value.microseconds:06d}:000"
    return value


def parse_dmtf(text: str) -> dt.datetime:
    """`20260220080000.000000+000` -> the local date-time (ConvertToDateTime; the offset is dropped,
    as the emulator's clock is the host's local time)."""
    return dt.datetime.strptime(text[:21], "%Y%m%d%H%M%S.%f")


def _key_text(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


Invoker = Callable[[Instance, str, list[Any], str], Any]
Fetcher = Callable[[Instance], "CimObject | None"]
PathLookup = Callable[[str], "CimObject | None"]


def _is_object_path(value: str) -> bool:
    """`\\\\HOST\\root\\virtualization\\v2:Class.Key="v"`: a reference property's value (Parent)."""
    head, sep, relpath = value.partition(":")
    return value.startswith("\\\\") and bool(sep) and "=" in relpath and "." in relpath.split("=", 1)[0]


class WmiPath(str):
    """An object path as WMI returns it (a string), that can read its instance again."""

    fetch: Callable[[], "CimObject | None"]

    def __new__(cls, text: str, fetch: Callable[[], "CimObject | None"]) -> "WmiPath":
        path = super().__new__(cls, text)
        path.fetch = fetch
        return path


def _reference(path: str, lookup: PathLookup) -> WmiPath:
    return WmiPath(path, lambda: lookup(path))


class CimObject(PSNative):
    """A CimInstance (`flavor="cim"`) or a ManagementObject (`flavor="wmi"`) of an Instance.
    `invoker(instance, method, positional_args, flavor)` runs a WMI method (the `.Method()` call
    of a ManagementObject); it returns NOT_FOUND for a method the class does not have."""

    def __init__(self, instance: Instance, flavor: str, invoker: Invoker | None = None,
                 selected: tuple[str, ...] | None = None, fetch: Fetcher | None = None,
                 lookup: PathLookup | None = None) -> None:
        self.instance = instance
        self.flavor = flavor
        self.invoker = invoker
        self.selected = selected
        self.fetch = fetch
        self.lookup = lookup

    @staticmethod
    def ps_convert_from(value: Any) -> Any:
        """`[wmi]value`: a ManagementObject, or the instance a WMI path of ours names now
        (None: no conversion, the usual cast rules apply)."""
        if isinstance(value, CimObject) and value.flavor == "wmi":
            return value
        if isinstance(value, WmiPath):
            return value.fetch()
        if isinstance(value, str):
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("[wmi] of a path that no emulated WMI object returned")
        return None

    def path(self) -> str | None:
        """`__PATH`: a WmiPath that reads the instance again."""
        inst = self.instance
        if not inst.keys:
            return None
        fetch = self.fetch
        if fetch is None:
            return inst.path
        return WmiPath(inst.path, lambda: fetch(inst))

    @property
    def __ps_type_names__(self) -> list[str]:  # type: ignore[override]
        inst = self.instance
        chain = (inst.class_name,) + inst.derivation
        if self.flavor == "cim":
            ns = inst.namespace.replace("\\", "/")
            return ([f"Microsoft.Management.Infrastructure.CimInstance#{ns}/{c}" for c in chain]
                    + ["Microsoft.Management.Infrastructure.CimInstance", "System.Object"])
        base = "System.Management.ManagementObject" if inst.keys or inst.class_name != "__PARAMETERS" \
            else "System.Management.ManagementBaseObject"
        names = [f"{base}#{inst.namespace}\\{c}" if inst.namespace else f"{base}#\\{c}" for c in chain]
        tail = ["System.Management.ManagementBaseObject", "System.ComponentModel.Component",
                "System.MarshalByRefObject", "System.Object"]
        return names + ([base] if base != tail[0] else []) + tail

    def _class_props(self) -> list[tuple[str, Any]]:
        """The class's properties. A query naming properties: a CimInstance keeps every property,
        the others $null; a ManagementObject has only those. A ManagementObject gives date-times
        as DMTF strings (`20260220080000.000000+000`), intervals as `ddddddddhhmmss.mmmmmm:000`."""
        items = list(self.instance.props.items())
        if self.selected is not None:
            wanted = {s.casefold() for s in self.selected}
            if self.flavor == "cim":
                items = [(k, v if k.casefold() in wanted else None) for k, v in items]
            else:
                items = [(k, v) for k, v in items if k.casefold() in wanted]
        if self.flavor == "wmi":
            items = [(k, _wmi_value(v)) for k, v in items]
        lookup = self.lookup
        if lookup is not None:
            # a reference held as a path string (Parent): `[wmi]$o.Parent` reads the instance it names
            items = [(k, _reference(v, lookup) if isinstance(v, str) and _is_object_path(v) else v) for k, v in items]
        return items

    def _has_keys(self) -> bool:
        inst = self.instance
        if not inst.keys:
            return False
        return self.selected is None or {k.casefold() for k in inst.keys} <= {s.casefold() for s in self.selected}

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        inst = self.instance
        props = self._class_props()
        if self.flavor == "cim":
            return props + [("PSComputerName", None)]
        whole = self.selected is None
        keyed = self._has_keys()
        system: list[tuple[str, Any]] = [
            ("__GENUS", 2), ("__CLASS", inst.class_name), ("__SUPERCLASS", inst.superclass or None if whole else None),
            ("__DYNASTY", (inst.derivation[-1] if inst.derivation else inst.class_name) if whole else None),
            ("__RELPATH", inst.relpath if keyed else None),
            ("__PROPERTY_COUNT", len(props)), ("__DERIVATION", list(inst.derivation) if whole else []),
            ("__SERVER", inst.server), ("__NAMESPACE", inst.namespace or None),
            ("__PATH", self.path() if keyed else None),
        ]
        return system + props + [("PSComputerName", inst.server)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        if self.flavor != "wmi":
            return NOT_FOUND
        if name.casefold() == "get" and not args:
            # ManagementObject.Get(): the instance's current properties, in place
            fresh = self.fetch(self.instance) if self.fetch is not None else None
            if fresh is not None:
                self.instance = fresh.instance
            from hyperv_emu.psshim.runtime.conversions import AutomationNull

            return AutomationNull()  # a void method: no output
        if name.casefold() == "converttodatetime" and len(args) == 1:
            # the ScriptMethod types.ps1xml gives every ManagementObject
            try:
                return parse_dmtf(str(args[0]))
            except ValueError:
                from hyperv_emu.psshim.runtime.errors import runtime_error

                raise runtime_error(f'Exception calling "ToDateTime" with "1" argument(s): "Specified argument was '
                                    f'out of the range of valid values."', "ArgumentOutOfRangeException",
                                    "NotSpecified") from None
        if name.casefold() == "convertfromdatetime" and len(args) == 1 and isinstance(args[0], dt.datetime):
            return _wmi_value(args[0])
        if self.invoker is not None:
            return self.invoker(self.instance, name, args, "wmi")
        return NOT_FOUND

    def __str__(self) -> str:
        return self.__ps_string__()

    def __ps_string__(self) -> str:
        # a ManagementObject's ToString() is its path; a CimInstance's is `Class (keys)`
        inst = self.instance
        if self.flavor == "wmi":
            return inst.path if inst.keys else ""
        keys = ", ".join(f'{k} = {_key_text(inst.props[k])}' for k in inst.keys)
        return f"{inst.class_name} ({keys})"
