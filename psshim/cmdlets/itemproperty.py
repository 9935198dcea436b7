"""Item properties and the Registry provider.

Get-ItemProperty, Get-ItemPropertyValue, Set-ItemProperty, New-ItemProperty and
Remove-ItemProperty work on registry keys (`HKLM:\\...`, `HKCU:\\...`, `Registry::...`; the
emulated host's registry of `psshim.runtime.winregistry`, one copy per run) and on the host's
files (Get-ItemProperty returns the file's item; the FileSystem provider has no removable
properties). Test-Path, Get-Item, Get-ChildItem and New-Item use `registry_items` for registry
paths.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.registry_items import ps_props, hive
from hyperv_emu.psshim.runtime import winregistry as R
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, ValidateSet, cmdlet
from hyperv_emu.psshim.runtime.values import PSObject

MGMT = "Microsoft.PowerShell.Management"
NS = "Microsoft.PowerShell.Commands."


class _PropertyCmdlet(Cmdlet):
    def paths(self) -> list[str]:
        literal = self.is_bound("LiteralPath")
        return [str(p) for p in (self.ctx.bound.get("LiteralPath" if literal else "Path") or [])]

    def key_or_error(self, raw: str) -> tuple[str, str, R.Key] | None:
        parts = R.split_registry_path(self.ctx.resolve_path(raw) if ":" not in raw else raw)
        if parts is None:
            return None
        key = hive(self.ctx).find(*parts)
        if key is None:
            self.ctx.write_error(self.ctx.error_record(
                f"Cannot find path '{raw}' because it does not exist.", "PathNotFound", "ObjectNotFound",
                target_object=raw, exception_type="System.Management.Automation.ItemNotFoundException"))
            return None
        return parts[0], parts[1], key

    def missing_property(self, name: str, root: str, sub: str) -> None:
        where = root + (f"\\{sub}" if sub else "")
        self.ctx.write_error(self.ctx.error_record(
            f"Property {name} does not exist at path {where}.", "System.Management.Automation.PSArgumentException",
            "InvalidArgument", target_object=name, exception_type="System.Management.Automation.PSArgumentException"))

    def file_item(self, raw: str) -> Any:
        from hyperv_emu.psshim.cmdlets.files import item_object

        full = self.ctx.resolve_path(raw)
        info = getattr(self.ctx.services.files, "info", lambda p: None)(full)
        if info is None:
            self.ctx.write_error(self.ctx.error_record(
                f"Cannot find path '{full}' because it does not exist.", "PathNotFound", "ObjectNotFound",
                target_object=full, exception_type="System.Management.Automation.ItemNotFoundException"))
            return None
        return item_object(info)

    def selected(self, key: R.Key, names: list[str] | None, root: str, sub: str) -> list[tuple[str, Any]] | None:
        if not names:
            return [(n or "(default)", v[1]) for n, v in key.values.items()]
        out: list[tuple[str, Any]] = []
        for pattern in names:
            if has_wildcards(pattern):
                out.extend((n, v[1]) for n, v in key.values.items() if wildcard_match(n, pattern))
                continue
            found = key.value(pattern)
            if found is None:
                self.missing_property(pattern, root, sub)
                return None
            out.append((found[0], found[1][1]))
        return out


@cmdlet("Get-ItemProperty", aliases=("gp",), module=MGMT, class_name=NS + "GetItemPropertyCommand",
        default_set="Path", notes="Registry keys (HKLM:, HKCU:) and the host's files.")
class GetItemProperty(_PropertyCmdlet):
    """The values of a registry key (or a file's properties)."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Name = Param("string[]", position=1, aliases=("PSProperty",))

    def process_record(self) -> Iterator[Any]:
        names = [str(n) for n in self.Name] if self.Name else None
        for raw in self.paths():
            if not R.is_registry_path(raw):
                item = self.file_item(raw)
                if item is None:
                    continue
                if names:
                    yield PSObject({n: item.get(n) for n in names}, ["System.Management.Automation.PSCustomObject",
                                                                      "System.Object"])
                else:
                    yield item
                continue
            found = self.key_or_error(raw)
            if found is None:
                continue
            root, sub, key = found
            values = self.selected(key, names, root, sub)
            if values is None or (names and not values):
                continue
            props = dict(values)
            props.update(ps_props(root, sub))
            yield PSObject(props, ["System.Management.Automation.PSCustomObject", "System.Object"])


@cmdlet("Get-ItemPropertyValue", aliases=("gpv",), module=MGMT, class_name=NS + "GetItemPropertyValueCommand",
        default_set="Path")
class GetItemPropertyValue(_PropertyCmdlet):
    """The values themselves."""

    Path = Param("string[]", InSet("Path", position=0, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Name = Param("string[]", position=1, mandatory=True, aliases=("PSProperty",))

    def process_record(self) -> Iterator[Any]:
        names = [str(n) for n in self.Name or []]
        for raw in self.paths() or ["."]:
            if not R.is_registry_path(raw):
                item = self.file_item(raw)
                if item is not None:
                    for n in names:
                        yield item.get(n)
                continue
            found = self.key_or_error(raw)
            if found is None:
                continue
            root, sub, key = found
            values = self.selected(key, names, root, sub)
            for _, v in values or []:
                yield v


@cmdlet("Set-ItemProperty", aliases=("sp",), module=MGMT, class_name=NS + "SetItemPropertyCommand",
        default_set="propertyValuePathSet", supports_should_process=True,
        notes="Registry keys only; the change lasts for the run.")
class SetItemProperty(_PropertyCmdlet):
    """Sets (or creates) a registry value."""

    Path = Param("string[]", InSet("propertyValuePathSet", position=0, mandatory=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("propertyValueLiteralPathSet", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Name = Param("string", position=1, mandatory=True, pipeline_by_property=True, aliases=("PSProperty",))
    Value = Param("object", position=2, pipeline_by_property=True)
    Type = Param("string", validate=[ValidateSet(*R.KINDS)], aliases=("PropertyType",))
    Force = Param("switch")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        name = str(self.Name)
        for raw in self.paths():
            if not R.is_registry_path(raw):
                from hyperv_emu.psshim.runtime.errors import not_supported

                raise not_supported("Set-ItemProperty on files (attributes, times)")
            found = self.key_or_error(raw)
            if found is None:
                continue
            root, sub, key = found
            where = root + (f"\\{sub}" if sub else "")
            if not self.ctx.should_process(f"Item: {where} Property: {name}", "Set Property"):
                continue
            existing = key.value(name)
            kind = str(self.Type) if self.Type else (existing[1][0] if existing else R.kind_of(self.Value))
            key.set(name, kind, R.convert_value(kind, self.Value))
            if self.PassThru:
                props: dict[str, Any] = {name: key.value(name)[1][1]}  # type: ignore[index]
                props.update(ps_props(root, sub))
                yield PSObject(props, ["System.Management.Automation.PSCustomObject", "System.Object"])


@cmdlet("New-ItemProperty", module=MGMT, class_name=NS + "NewItemPropertyCommand", default_set="Path",
        supports_should_process=True, notes="Registry keys only; the change lasts for the run.")
class NewItemProperty(_PropertyCmdlet):
    """Creates a registry value."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Name = Param("string", position=1, mandatory=True, pipeline_by_property=True, aliases=("PSProperty",))
    PropertyType = Param("string", validate=[ValidateSet(*R.KINDS)], aliases=("Type",))
    Value = Param("object", pipeline_by_property=True)
    Force = Param("switch")

    def process_record(self) -> Iterator[Any]:
        name = str(self.Name)
        for raw in self.paths():
            if not R.is_registry_path(raw):
                from hyperv_emu.psshim.runtime.errors import not_supported

                raise not_supported("New-ItemProperty on files")
            found = self.key_or_error(raw)
            if found is None:
                continue
            root, sub, key = found
            where = root + (f"\\{sub}" if sub else "")
            if key.value(name) is not None and not self.Force:
                self.ctx.write_error(self.ctx.error_record(
                    "The property already exists.", "System.IO.IOException", "ResourceExists",
                    target_object=where, exception_type="System.IO.IOException"))
                continue
            if not self.ctx.should_process(f"Item: {where} Property: {name}", "New Property"):
                continue
            kind = str(self.PropertyType or "String")
            key.set(name, kind, R.convert_value(kind, "" if self.Value is None and kind == "String" else
                                                   (0 if self.Value is None else self.Value)))
            props: dict[str, Any] = {name: key.value(name)[1][1]}  # type: ignore[index]
            props.update(ps_props(root, sub))
            yield PSObject(props, ["System.Management.Automation.PSCustomObject", "System.Object"])


@cmdlet("Remove-ItemProperty", aliases=("rp",), module=MGMT, class_name=NS + "RemoveItemPropertyCommand",
        default_set="Path", supports_should_process=True,
        notes="Registry values (the change lasts for the run); files have no removable properties.")
class RemoveItemProperty(_PropertyCmdlet):
    """Deletes registry values."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Name = Param("string[]", position=1, mandatory=True, pipeline_by_property=True, aliases=("PSProperty",))
    Force = Param("switch")

    def process_record(self) -> None:
        for raw in self.paths():
            if not R.is_registry_path(raw):
                if self.file_item(raw) is not None:
                    self.ctx.write_error(self.ctx.error_record(
                        "Provider operation stopped because the provider does not support this operation.",
                        "NotSupported", "NotImplemented", target_object=raw,
                        exception_type="System.Management.Automation.PSNotSupportedException"))
                continue
            found = self.key_or_error(raw)
            if found is None:
                continue
            root, sub, key = found
            where = root + (f"\\{sub}" if sub else "")
            for n in [str(x) for x in self.Name or []]:
                targets = [k for k in key.values if wildcard_match(k, n)] if has_wildcards(n) else \
                    [v[0] for v in [key.value(n)] if v is not None]
                if not targets and not has_wildcards(n):
                    self.missing_property(n, root, sub)
                    continue
                for t in targets:
                    if self.ctx.should_process(f"Item: {where} Property: {t}", "Remove Property"):
                        del key.values[t]
