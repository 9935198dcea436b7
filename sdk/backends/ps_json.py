"""Reading what a PowerShell host sends back: the result envelope, SDK values from `ConvertTo-Json`
output of both editions, and error records from standard error.

JSON shapes accepted (each property looked up case-insensitively, missing ones defaulted):

| Value       | Windows PowerShell 5.1                          | PowerShell 7                              |
|-------------|-------------------------------------------------|-------------------------------------------|
| DateTime    | `"\\/Date(1771574400000)\\/"` (UTC ms), or an object `{"value": …, "DisplayHint": 2, "DateTime": …}` when the date carries ETS members | ISO 8601 (`…T08:00:00`, `+01:00`, `Z`)    |
| the backend's dates | `.ToString('o')`: `2026-02-20T08:00:00.0000000+01:00` in both                            ||
| enum        | its number                                      | its number (its name with -EnumsAsStrings) |
| Guid        | a string, or `{"value": …, "Guid": …}` when wrapped | a string                              |
| TimeSpan    | `{"Ticks": …, "Days": …, …}`                    | the same, or `"00:03:07.0560000"`         |
| array       | `[…]`, one object unwrapped (`{…}`) when a pipeline held one, `{"value": […], "Count": n}` when the array carries ETS members | `[…]` or `{…}` |

A `\\/Date(ms)\\/` value is UTC; this module returns it as a naive UTC datetime (`\\/Date(ms+hhmm)\\/`
as local time). ISO values are returned as naive host-local wall time (their offset dropped),
which is what the backend's own scripts produce, and what the emulator reports.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
import json
import re
import types
import typing
from collections.abc import Callable
from typing import Any

import attrs

from hyperv_emu.sdk.convert import make_converter, parse_ps_datetime, parse_ps_timespan, ps_name
from hyperv_emu.sdk.errors import BackendError
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.vmparts import VMHostInfo
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    FileInfo,
    HardDrive,
    HostEvent,
    VM,
    VMOperationalStatus,
    VMState,
    VhdFormat,
    VhdType,
)

RESULT_MARKER = "HVEMU-JSON:"
EMPTY_GUID = "00000000-0000-0000-0000-000000000000"
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")
_MS_DATE_OFFSET = re.compile(r"^/Date\((-?\d+)([+-])(\d{2})(\d{2})\)/$")

_CONVERTER = make_converter()


@attrs.frozen
class HostErrorRecord:
    """One PowerShell error record as the host reported it."""

    fully_qualified_error_id: str
    category: str
    message: str
    activity: str = ""
    target: str = ""

    @property
    def error_id(self) -> str:
        """The first part of the FullyQualifiedErrorId (`ObjectNotFound` of
        `ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.GetVM`)."""
        return self.fully_qualified_error_id.split(",", 1)[0].strip()


@attrs.frozen
class Envelope:
    """A script's result: the items, the error records and the warnings."""

    items: tuple[Any, ...]
    errors: tuple[HostErrorRecord, ...]
    warnings: tuple[str, ...]
    ps_version: str = ""


# --- generic shape helpers -----------------------------------------------------------------------


def get_ci(raw: Any, name: str) -> Any:
    """`raw[name]`, case-insensitively; None when absent or when `raw` is not an object."""
    if not isinstance(raw, dict):
        return None
    if name in raw:
        return raw[name]
    folded = name.casefold()
    for key, value in raw.items():
        if isinstance(key, str) and key.casefold() == folded:
            return value
    return None


def unwrap(value: Any) -> Any:
    """A scalar PowerShell wrapped in an object: `{"value": x, …}` (ETS members), `{"Guid": x}`."""
    while isinstance(value, dict):
        inner = get_ci(value, "value")
        if inner is not None or any(isinstance(k, str) and k.casefold() == "value" for k in value):
            value = inner
            continue
        guid = get_ci(value, "Guid")
        if isinstance(guid, str):
            return guid
        break
    return value


def as_list(value: Any) -> list[Any]:
    """Nothing, one object or an array, as a list (5.1's `{"value": […], "Count": n}` too)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        inner = get_ci(value, "value")
        if isinstance(inner, list) and get_ci(value, "Count") is not None:
            return inner
    return [value]


def parse_date(value: Any) -> dt.datetime:
    value = unwrap(value)
    if value is None or value == "":
        return dt.datetime.min
    if isinstance(value, str):
        if value.startswith("\\/Date("):  # the JSON escape left in (text not decoded by a JSON parser)
            value = value.replace("\\/", "/")
        m = _MS_DATE_OFFSET.match(value)
        if m:
            ms, sign, hh, mm = m.groups()
            offset = dt.timedelta(hours=int(hh), minutes=int(mm)) * (1 if sign == "+" else -1)
            return dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=int(ms)) + offset
    try:
        return parse_ps_datetime(value)
    except (ValueError, TypeError) as exc:
        raise BackendError(f"The host sent a date the SDK cannot read: {value!r}.") from exc


def parse_timespan(value: Any) -> dt.timedelta:
    if isinstance(value, dict) and get_ci(value, "Ticks") is None and get_ci(value, "value") is not None:
        value = unwrap(value)
    if value is None or value == "":
        return dt.timedelta(0)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.timedelta(microseconds=value / 10)  # ticks
    if isinstance(value, dict):
        ticks = get_ci(value, "Ticks")
        if ticks is not None:
            return dt.timedelta(microseconds=int(ticks) / 10)
        total = get_ci(value, "TotalMilliseconds")
        if total is not None:
            return dt.timedelta(milliseconds=float(total))
    try:
        return parse_ps_timespan(value)
    except (ValueError, TypeError) as exc:
        raise BackendError(f"The host sent a time span the SDK cannot read: {value!r}.") from exc


def normalise_guid(value: str) -> str:
    m = _GUID.match(value.strip())
    return m.group(1).lower() if m else value


# Enum values a host can send that are not the SDK's numbers.
_ENUM_FIXUPS: dict[type, dict[int, int]] = {
    VMOperationalStatus: {23769: 32769},  # the Hyper-V module's typo for ApplyingSnapshot
}
_ENUM_FALLBACK: dict[type, enum.IntEnum] = {
    VMState: VMState.Other,
    VhdType: VhdType.Unknown,
    VhdFormat: VhdFormat.Unknown,
}

E = typing.TypeVar("E", bound=enum.IntEnum)


def parse_enum(cls: type[E], value: Any) -> E | None:
    """A member from a number or a name (None when the value is unknown and has no fallback)."""
    value = unwrap(value)
    if isinstance(value, str):
        for member in cls:
            if member.name.casefold() == value.strip().casefold():
                return member
        try:
            value = int(value)
        except ValueError:
            value = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _ENUM_FIXUPS.get(cls, {}).get(int(value), int(value))
        try:
            return cls(number)
        except ValueError:
            pass
    fallback = _ENUM_FALLBACK.get(cls)
    return typing.cast(E, fallback) if fallback is not None else None


# --- SDK values ------------------------------------------------------------------------------------

_HINTS: dict[type, list[tuple[str, str, Any]]] = {}


def _fields(cls: type) -> list[tuple[str, str, Any]]:
    """(PowerShell name, field name, type) for an SDK value class, client (and hidden fields) excluded."""
    if cls not in _HINTS:
        hints = typing.get_type_hints(cls)
        _HINTS[cls] = [(ps_name(f), f.name, hints[f.name]) for f in attrs.fields(cls)
                        if f.name != "client" and not f.metadata.get("hidden")]
    return _HINTS[cls]


def _coerce(hint: Any, value: Any, ps: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is tuple:
        inner = args[0]
        out = [_coerce(inner, v, ps) for v in as_list(value)]
        return tuple(v for v in out if v is not None)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        base = next(a for a in args if a is not type(None))
        value = unwrap(value)
        if value is None or value == "":
            return None
        if base is str and isinstance(value, str) and normalise_guid(value) == EMPTY_GUID:
            return None
        return _coerce(base, value, ps)
    if attrs.has(hint):
        return value_from_json(hint, value)
    if hint is dt.datetime:
        return parse_date(value)
    if hint is dt.timedelta:
        return parse_timespan(value)
    if isinstance(hint, type) and issubclass(hint, enum.IntEnum):
        member = parse_enum(hint, value)
        if member is None and value is not None:
            if hint is VMOperationalStatus:
                return None  # an unknown secondary status is dropped
            raise BackendError(f"The host sent {value!r} for {ps}, which is not a {hint.__name__}.")
        return member
    value = unwrap(value)
    if hint is str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "True" if value else "False"
        text = str(value)
        return normalise_guid(text) if ps.endswith("Id") else text
    if hint is bool:
        if isinstance(value, str):
            return value.strip().casefold() in ("true", "1", "$true")
        return bool(value)
    if hint is int:
        if value is None or value == "":
            return 0
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise BackendError(f"The host sent {value!r} for {ps}, which is not a number.") from exc
    return value


T = typing.TypeVar("T")


def value_from_json(cls: type[T], raw: Any) -> T:
    """An SDK value (VM, Checkpoint, HardDrive, VHD, HostEvent, FileInfo) from one JSON object a
    host wrote for it, keyed by PowerShell names (`sdk.convert`)."""
    if not isinstance(raw, dict):
        raise BackendError(f"The host sent {type(raw).__name__} where a {cls.__name__} object was expected.")
    by_ps: dict[str, Any] = {}
    by_field: dict[str, Any] = {}
    defaults = attrs.fields_dict(typing.cast(Any, cls))
    for ps, field, hint in _fields(cls):
        raw_value = get_ci(raw, ps)
        if raw_value is None and defaults[field].default is not attrs.NOTHING:
            continue  # absent or null: the class default applies
        value = _coerce(hint, raw_value, ps)
        by_ps[ps] = value
        by_field[field] = value
    if cls in (VM, Checkpoint, HardDrive, VHD, HostEvent, VMHostInfo, VMMeteringReport):
        structured: T = _CONVERTER.structure(_restructurable(cls, by_ps), cls)
        return structured
    return cls(**by_field)


def _restructurable(cls: type, by_ps: dict[str, Any]) -> dict[str, Any]:
    """Nested values back to plain dicts for the converter (it structures them again)."""
    out = dict(by_ps)
    for ps, _field, hint in _fields(cls):
        if typing.get_origin(hint) is tuple and ps in out and out[ps] and attrs.has(typing.get_args(hint)[0]):
            out[ps] = [_CONVERTER.unstructure(v) for v in out[ps]]
        elif ps in out and attrs.has(type(out[ps])):
            out[ps] = _CONVERTER.unstructure(out[ps])
    return out


def vm_from_json(raw: Any) -> VM:
    return value_from_json(VM, raw)


def checkpoint_from_json(raw: Any) -> Checkpoint:
    return value_from_json(Checkpoint, raw)


def vhd_from_json(raw: Any) -> VHD:
    return value_from_json(VHD, raw)


def file_info_from_json(raw: Any) -> FileInfo:
    return value_from_json(FileInfo, raw)


_LEVELS = {0: "Information", 1: "Critical", 2: "Error", 3: "Warning", 4: "Information", 5: "Verbose"}
_EVENT_VM_ID = re.compile(r"\(Virtual machine ID ([0-9A-Fa-f]{8}-[0-9A-Fa-f-]{27})\)")
_EVENT_VM_NAME = re.compile(r"'([^'\r\n]*)'")


def event_from_json(raw: Any) -> HostEvent:
    """A Hyper-V event-log record; the level as its number or name, the VM from the message
    (`'<name>' … (Virtual machine ID <GUID>)`) when the record has no VMName/VMId."""
    if isinstance(raw, dict):
        raw = dict(raw)
        level = unwrap(get_ci(raw, "Level"))
        if isinstance(level, (int, float)) and not isinstance(level, bool):
            raw["Level"] = _LEVELS.get(int(level), str(int(level)))
        message = str(unwrap(get_ci(raw, "Message")) or "")
        if get_ci(raw, "VMId") is None:
            m = _EVENT_VM_ID.search(message)
            raw["VMId"] = m.group(1).lower() if m else ""
        if get_ci(raw, "VMName") is None:
            m = _EVENT_VM_NAME.search(message)
            raw["VMName"] = m.group(1) if m and raw["VMId"] else ""
    return value_from_json(HostEvent, raw)


def values_from_json_text(cls: type[T], text: str) -> list[T]:
    """SDK values from the raw text of `… | Select-Object … | ConvertTo-Json` (either edition, one
    object or an array)."""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise BackendError(f"The host sent text that is not JSON: {exc}.") from exc
    return [value_from_json(cls, item) for item in as_list(data)]


# --- the envelope ----------------------------------------------------------------------------------


def envelope_from_json(text: str) -> Envelope:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BackendError(f"The host's result is not valid JSON: {exc}.") from exc
    if not isinstance(data, dict) or not str(get_ci(data, "format") or "").startswith("hyperv-emu/"):
        raise BackendError("The host's output is not a hyperv-emu result.")
    errors = []
    for e in as_list(get_ci(data, "errors")):
        if not isinstance(e, dict):
            errors.append(HostErrorRecord("", "", str(e)))
            continue
        errors.append(HostErrorRecord(
            fully_qualified_error_id=str(get_ci(e, "FullyQualifiedErrorId") or ""),
            category=str(get_ci(e, "Category") or ""),
            message=str(get_ci(e, "Message") or ""),
            activity=str(get_ci(e, "Activity") or ""),
            target=str(get_ci(e, "TargetObject") or ""),
        ))
    warnings = tuple(str(unwrap(w)) for w in as_list(get_ci(data, "warnings")) if w is not None)
    return Envelope(tuple(as_list(get_ci(data, "items"))), tuple(errors), warnings,
                    str(get_ci(data, "psVersion") or ""))


def find_envelope(stdout: str) -> Envelope | None:
    """The result line (`HVEMU-JSON:{…}`, the last one wins) in a script's standard output.

    Lines end at "\n" (the console writes "\r\n") only: str.splitlines would also cut at
    U+0085, U+2028 and U+2029, which ConvertTo-Json leaves unescaped inside a name."""
    for line in reversed(stdout.split("\n")):
        line = line.strip().lstrip("\ufeff")
        if line.startswith(RESULT_MARKER):
            return envelope_from_json(line[len(RESULT_MARKER):])
    return None


# --- standard error ----------------------------------------------------------------------------------

_CLIXML_STRING = re.compile(r'<S S="(Error|Warning|Verbose|Debug|Information)">(.*?)</S>', re.S)
_CLIXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def decode_clixml(text: str) -> str:
    """The text of `#< CLIXML` standard error (what powershell.exe writes when its output is
    redirected): the Error strings joined, `_x000D__x000A_` decoded."""
    if "#< CLIXML" not in text:
        return text
    parts = []
    for kind, body in _CLIXML_STRING.findall(text):
        if kind != "Error":
            continue
        decoded = _CLIXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), html.unescape(body))
        parts.append(decoded)
    return "".join(parts)


_FQID_LINE = re.compile(r"^\s*\+\s*FullyQualifiedErrorId\s*:\s*(.+?)\s*$")
_CATEGORY_LINE = re.compile(r"^\s*\+\s*CategoryInfo\s*:\s*(\w+)\s*:.*?(?:\[([^\]]*)\])?")
_AT_LINE = re.compile(r"^(At line:\d+|At [^\r\n]*:\d+ char:\d+|\+ )")
_PREFIX_51 = re.compile(r"^([\w.-]+) : ")
_PREFIX_7 = re.compile(r"^([A-Za-z][\w-]*): (.*)$")


def errors_from_stderr(text: str) -> list[HostErrorRecord]:
    """Error records from a host's standard error: 5.1's NormalView (`Cmd : message` … `+
    CategoryInfo : …` `+ FullyQualifiedErrorId : …`), 7's ConciseView (`Cmd: message`), CLIXML,
    or any other text (one record holding it all)."""
    text = _ANSI.sub("", decode_clixml(text)).replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    records: list[HostErrorRecord] = []
    if any(_FQID_LINE.match(line) for line in lines):
        block: list[str] = []
        for line in lines:
            m = _FQID_LINE.match(line)
            if not m:
                block.append(line)
                continue
            records.append(_record_51(block, m.group(1)))
            block = []
        return records
    stripped = text.strip()
    if not stripped:
        return []
    blocks = [b for b in re.split(r"\n\s*\n", stripped) if b.strip()]
    for b in blocks:
        blines = [line.rstrip() for line in b.split("\n")]
        m = _PREFIX_7.match(blines[0])
        if m and len(blines) > 1 and blines[1].strip().startswith("Line |"):
            message = [re.sub(r"^\s*\|\s?", "", line) for line in blines if re.match(r"^\s*\|", line)]
            message = [line for line in message if line.strip() and not set(line.strip()) <= {"~"}]
            records.append(HostErrorRecord("", "", "\n".join(message[-1:]) or b.strip(), activity=m.group(1)))
        elif m:
            records.append(HostErrorRecord("", "", "\n".join([m.group(2), *blines[1:]]).strip(), activity=m.group(1)))
        else:
            records.append(HostErrorRecord("", "", b.strip()))
    return records


def _record_51(block: list[str], fqid: str) -> HostErrorRecord:
    category = activity = ""
    message: list[str] = []
    in_message = True
    for line in block:
        cm = _CATEGORY_LINE.match(line)
        if cm:
            category = cm.group(1)
            activity = cm.group(2) or ""
            in_message = False
            continue
        if not line.strip():
            if message:
                in_message = False
            continue
        if in_message and _AT_LINE.match(line.strip()):
            in_message = False
        if in_message:
            message.append(line.rstrip())
    if message:
        pm = _PREFIX_51.match(message[0])
        if pm:
            activity = activity or pm.group(1)
            message[0] = message[0][pm.end():]
    return HostErrorRecord(fqid, category, "\n".join(message).strip(), activity=activity)


def parse_items(items: tuple[Any, ...], parse: Callable[[Any], T]) -> list[T]:
    return [parse(item) for item in items]
