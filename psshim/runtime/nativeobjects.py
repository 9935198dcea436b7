""".NET objects the runtime itself creates: exceptions seen through `$_.Exception`, the
`CategoryInfo`/`InvocationInfo` views of an ErrorRecord, `$obj.PSObject`, StringBuilder,
CultureInfo, DictionaryEntry, and the `PSNative` protocol they share.

A `PSNative` subclass lists its PowerShell type names in `__ps_type_names__`, its properties in
`__ps_properties__()` (also what the formatter shows) and may answer methods in
`__ps_invoke__(name, args)` (return `NOT_FOUND` when it has no such method).
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, InvocationInfo


class _NotFound:
    def __repr__(self) -> str:
        return "NOT_FOUND"


NOT_FOUND: Any = _NotFound()


class PSNative:
    __ps_type_names__: list[str] = ["System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return []

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        return NOT_FOUND


class ExceptionView(PSNative):
    """A .NET exception: `$_.Exception` or `[System.Exception]::new('m')`."""

    def __init__(self, type_name: str, message: str, inner: "ExceptionView | None" = None,
                 record: ErrorRecord | None = None) -> None:
        self.type_name = type_name
        self.message = message
        self.inner = inner
        self.record = record

    @property
    def __ps_type_names__(self) -> list[str]:  # type: ignore[override]
        from hyperv_emu.psshim.runtime.errors import exception_lineage

        return exception_lineage(self.type_name) + ["System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        props: list[tuple[str, Any]] = []
        if self.record is not None and self.type_name.startswith("System.Management.Automation."):
            props.append(("ErrorRecord", self.record))
            props.append(("WasThrownFromThrowStatement", False))
        props += [
            ("Message", self.message),
            ("Data", {}),
            ("InnerException", self.inner),
            ("TargetSite", None),
            ("StackTrace", None),
            ("HelpLink", None),
            ("Source", None),
            ("HResult", -2146233087),
        ]
        return props

    def __ps_string__(self) -> str:
        return f"{self.type_name}: {self.message}"


class CategoryInfoView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.ErrorCategoryInfo", "System.Object"]

    def __init__(self, info: CategoryInfo) -> None:
        self.info = info

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        i = self.info
        return [("Category", i.category), ("Activity", i.activity), ("Reason", i.reason),
                ("TargetName", i.target_name), ("TargetType", i.target_type)]

    def __ps_string__(self) -> str:
        i = self.info
        return f"{i.category}: ({i.target_name}:{i.target_type}) [{i.activity}], {i.reason}"


class InvocationInfoView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.InvocationInfo", "System.Object"]

    def __init__(self, info: InvocationInfo | None) -> None:
        self.info = info

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        pos = self.info.position if self.info else None
        line_no = pos.extent.start_line if pos else 0
        line = ""
        if pos is not None and pos.source:
            lines = pos.source.splitlines()
            if 0 < line_no <= len(lines):
                line = lines[line_no - 1]
        return [
            ("MyCommand", self.info.command_name if self.info else None),
            ("ScriptLineNumber", line_no),
            ("OffsetInLine", pos.extent.start_column if pos else 0),
            ("ScriptName", (pos.script_path or "") if pos else ""),
            ("Line", line),
            ("PositionMessage", _position_message(pos) if pos else ""),
            ("PSScriptRoot", _dirname(pos.script_path) if pos and pos.script_path else ""),
            ("PSCommandPath", pos.script_path if pos else None),
            ("InvocationName", self.info.command_name if self.info else None),
        ]


def _dirname(path: str) -> str:
    idx = max(path.rfind("\\"), path.rfind("/"))
    return path[:idx] if idx > 0 else ""


def _position_message(pos: Any) -> str:
    where = pos.script_path or "line"
    head = f"At {where}:{pos.extent.start_line} char:{pos.extent.start_column}" if pos.script_path \
        else f"At line:{pos.extent.start_line} char:{pos.extent.start_column}"
    lines = pos.source.splitlines() if pos.source else []
    line = lines[pos.extent.start_line - 1] if 0 < pos.extent.start_line <= len(lines) else ""
    width = max(1, pos.extent.end_column - pos.extent.start_column) if pos.extent.end_line == pos.extent.start_line \
        else max(1, len(line) - pos.extent.start_column + 1)
    return f"{head}\n+ {line}\n+ {' ' * (pos.extent.start_column - 1)}{'~' * width}"


class PSObjectView(PSNative):
    """`$x.PSObject`: Properties, TypeNames, BaseObject, Members (properties only)."""

    __ps_type_names__ = ["System.Management.Automation.PSObject", "System.Object"]

    def __init__(self, base: Any, properties: list[tuple[str, Any]], type_names: list[str]) -> None:
        self.base = base
        self.props = properties
        self.type_names = type_names

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        props = [PropertyInfoView(n, v) for n, v in self.props]
        return [("BaseObject", self.base), ("Members", props), ("Properties", props),
                ("Methods", []), ("ImmediateBaseObject", self.base), ("TypeNames", list(self.type_names))]


class PropertyInfoView(PSNative):
    __ps_type_names__ = ["System.Management.Automation.PSNoteProperty",
                         "System.Management.Automation.PSPropertyInfo", "System.Object"]

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        from hyperv_emu.psshim.runtime.values import type_names

        tn = type_names(self.value)[0] if self.value is not None else "System.Object"
        return [("Value", self.value), ("MemberType", "NoteProperty"), ("IsSettable", True),
                ("IsGettable", True), ("TypeNameOfValue", tn), ("Name", self.name), ("IsInstance", True)]

    def __ps_string__(self) -> str:
        from hyperv_emu.psshim.runtime.conversions import to_string

        return f"{self.name}={to_string(self.value)}"


class DictionaryEntry(PSNative):
    __ps_type_names__ = ["System.Collections.DictionaryEntry", "System.ValueType", "System.Object"]

    def __init__(self, key: Any, value: Any) -> None:
        self.key = key
        self.value = value

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Name", self.key), ("Key", self.key), ("Value", self.value)]

    def __ps_string__(self) -> str:
        return "System.Collections.DictionaryEntry"


class CultureInfoValue(PSNative):
    __ps_type_names__ = ["System.Globalization.CultureInfo", "System.Object"]

    def __init__(self, name: str) -> None:
        self.name = name

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        display = {"": "Invariant Language (Invariant Country)", "en-US": "English (United States)"}
        return [("LCID", 127 if not self.name else 1033), ("Name", self.name),
                ("DisplayName", display.get(self.name, self.name))]

    def __ps_string__(self) -> str:
        return self.name


class StringBuilder(PSNative):
    __ps_type_names__ = ["System.Text.StringBuilder", "System.Object"]

    def __init__(self, initial: str = "") -> None:
        self.parts: list[str] = [initial] if initial else []

    def text(self) -> str:
        return "".join(self.parts)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        t = self.text()
        return [("Capacity", max(16, len(t))), ("MaxCapacity", 2147483647), ("Length", len(t))]

    def __ps_string__(self) -> str:
        return self.text()

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        from hyperv_emu.psshim.runtime.conversions import to_string

        n = name.casefold()
        if n == "append":
            self.parts.append("".join(to_string(a) for a in args[:1]))
            return self
        if n == "appendline":
            self.parts.append((to_string(args[0]) if args else "") + "\r\n")
            return self
        if n == "appendformat":
            from hyperv_emu.psshim.runtime.textformat import composite_format

            self.parts.append(composite_format(to_string(args[0]), list(args[1:])))
            return self
        if n == "clear":
            self.parts = []
            return self
        if n == "insert":
            t = self.text()
            idx = int(args[0])
            self.parts = [t[:idx] + to_string(args[1]) + t[idx:]]
            return self
        if n == "tostring":
            return self.text()
        return NOT_FOUND
