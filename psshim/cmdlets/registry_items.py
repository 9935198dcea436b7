"""Registry keys as the Registry provider shows them to Test-Path, Get-Item, Get-ChildItem and
New-Item (`HKLM:\\...`, `HKCU:\\...`, `Registry::...`), over the run's copy of the emulated
host's registry (`psshim.runtime.winregistry`). Each helper returns None for a path of another
provider, so the file cmdlets fall through to the host's files.
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import winregistry as R
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative


def hive(ctx: Any) -> R.Hive:
    """The run's registry (made on first use from the run's environment)."""
    h: R.Hive | None = getattr(ctx.interp, "_registry_hive", None)
    if h is None:
        env = getattr(ctx.services, "environment", {}) or {}
        lookup = {k.casefold(): v for k, v in env.items()}
        h = R.Hive.default(str(lookup.get("computername", "HV-HOST01")), str(lookup.get("username", "Administrator")))
        setattr(ctx.interp, "_registry_hive", h)
    return h


def _provider_path(root: str, sub: str) -> str:
    return f"{R.PROVIDER}::{root}" + (f"\\{sub}" if sub else "")


def ps_props(root: str, sub: str) -> dict[str, Any]:
    parent, _, child = sub.rpartition("\\")
    return {"PSPath": _provider_path(root, sub), "PSParentPath": _provider_path(root, parent) if sub else "",
            "PSChildName": child or root, "PSDrive": R.DRIVES.get(root, root), "PSProvider": R.PROVIDER}


class RegistryKeyView(PSNative):
    """A key as Get-Item / Get-ChildItem return it (Microsoft.Win32.RegistryKey)."""

    __ps_type_names__ = ["Microsoft.Win32.RegistryKey", "System.MarshalByRefObject", "System.Object"]

    def __init__(self, root: str, sub: str, key: R.Key) -> None:
        self.root, self.sub, self.key = root, sub, key

    @property
    def full_name(self) -> str:
        return self.root + (f"\\{self.sub}" if self.sub else "")

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        props = list(ps_props(self.root, self.sub).items())
        return props + [("Property", [n for n in self.key.values if n]), ("PSIsContainer", True),
                        ("SubKeyCount", len(self.key.subkeys)), ("View", "Default"), ("Handle", None),
                        ("ValueCount", len(self.key.values)), ("Name", self.full_name)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        n = name.casefold()
        if n == "getvalue" and args:
            found = self.key.value(C.to_string(args[0]))
            return found[1][1] if found else (args[1] if len(args) > 1 else None)
        if n == "getvaluenames":
            return list(self.key.values)
        if n == "getsubkeynames":
            return [k.name for k in self.key.subkeys.values()]
        if n == "getvaluekind" and args:
            found = self.key.value(C.to_string(args[0]))
            return found[1][0] if found else None
        if n in ("close", "dispose"):
            return C.AutomationNull()
        return NOT_FOUND

    def __ps_string__(self) -> str:
        return self.full_name


def registry_exists(ctx: Any, path: str, path_type: str = "any") -> bool | None:
    """Test-Path of a registry path (keys are containers; None: not a registry path)."""
    parts = R.split_registry_path(path)
    if parts is None:
        return None
    if path_type.casefold() == "leaf":
        return False
    return hive(ctx).find(*parts) is not None


def registry_item(ctx: Any, path: str) -> RegistryKeyView | None:
    parts = R.split_registry_path(path)
    if parts is None:
        return None
    key = hive(ctx).find(*parts)
    return None if key is None else RegistryKeyView(parts[0], parts[1], key)


def registry_children(ctx: Any, path: str, recurse: bool = False) -> list[RegistryKeyView] | None:
    parts = R.split_registry_path(path)
    if parts is None:
        return None
    root, sub = parts
    key = hive(ctx).find(root, sub)
    if key is None:
        return None
    out: list[RegistryKeyView] = []
    for child in sorted(key.subkeys.values(), key=lambda k: k.name.casefold()):
        child_sub = f"{sub}\\{child.name}" if sub else child.name
        out.append(RegistryKeyView(root, child_sub, child))
        if recurse:
            out.extend(registry_children(ctx, _provider_path(root, child_sub), True) or [])
    return out


def registry_listing(ctx: Any, raw: str, recurse: bool = False, children: bool = True) -> list[Any] | None:
    """Get-ChildItem (children) / Get-Item of a registry path: the keys, or [] after reporting
    a missing key; None when `raw` is not a registry path."""
    if not R.is_registry_path(raw):
        return None
    found = registry_children(ctx, raw, recurse) if children else registry_item(ctx, raw)
    if found is None:
        ctx.write_error(ctx.error_record(
            f"Cannot find path '{raw}' because it does not exist.", "PathNotFound", "ObjectNotFound",
            target_object=raw, exception_type="System.Management.Automation.ItemNotFoundException"))
        return []
    return found if isinstance(found, list) else [found]


def registry_new_key(ctx: Any, raw: str, force: bool) -> list[Any] | None:
    """New-Item of a registry path: the new key (None when `raw` is not a registry path)."""
    parts = R.split_registry_path(raw)
    if parts is None:
        return None
    h = hive(ctx)
    root, sub = parts
    parent_sub = sub.rpartition("\\")[0]
    if h.find(root, sub) is not None and not force:
        ctx.write_error(ctx.error_record(
            "A key at this path already exists.", "System.IO.IOException", "ResourceExists", target_object=raw,
            exception_type="System.IO.IOException"))
        return []
    if h.find(root, parent_sub) is None:
        ctx.write_error(ctx.error_record(
            f"Cannot find path '{root}\\{parent_sub}' because it does not exist.", "PathNotFound", "ObjectNotFound",
            target_object=raw, exception_type="System.Management.Automation.ItemNotFoundException"))
        return []
    if not ctx.should_process(f"Item: {root}\\{sub}", "New Item"):
        return []
    return [RegistryKeyView(root, sub, h.ensure(root, sub))]
