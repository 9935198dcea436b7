"""ConvertTo-Json and ConvertFrom-Json, in Windows PowerShell 5.1's and pwsh 7's shapes.

5.1 serialises with JavaScriptSerializer and re-indents the compact text itself
(ConvertToPrettyJsonString): four spaces per level, `"key":  value` (two spaces), and a nested
object or array indented under its key's value column:

    {
        "Name":  "SRV-APP01",
        "Nested":  {
                       "a":  1
                   },
        "Empty":  {

                  }
    }

JavaScriptSerializer also escapes `<`, `>`, `&` and `'` as `\\u003c`..., writes DateTime as
`"\\/Date(<ms since 1970 UTC>)\\/"`, and enums as numbers. pwsh 7 uses Newtonsoft.Json: two
spaces, `"key": value`, ISO dates, `{}` / `[]` for empty containers.

Both walk the value as ConvertTo-Json's ProcessValue does: scalars are kept; at a depth greater
than -Depth (default 2) any other object becomes its string form (`@{a=1}`,
`System.Collections.Hashtable`); hashtables become objects, collections arrays, other objects
their properties. `json_depth_exceeded` tells whether that happened (pwsh 7.1+ warns).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json as _stdjson
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Union

import attrs

from hyperv_emu.psshim.format.culture import INVARIANT
from hyperv_emu.psshim.format.dotnet_format import format_number, to_string
from hyperv_emu.psshim.format.objects import ps_properties, timespan_properties
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Char, Hashtable, PSObject
from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise

_EPOCH = _dt.datetime(1970, 1, 1)

TRUNCATION_WARNING = "Resulting JSON is truncated as serialization has exceeded the set depth of {0}."


class JsonError(ValueError):
    """A ConvertFrom-Json failure; `message` is PowerShell's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@attrs.frozen(eq=False, repr=False)
class _Date(Fieldwise):
    value: _dt.datetime


@attrs.frozen(eq=False, repr=False)
class _Raw(Fieldwise):
    """A number already in its JSON text."""

    text: str


Node = Union[None, bool, str, _Raw, _Date, list["Node"], dict[str, "Node"]]


@attrs.define(eq=False, repr=False)
class _Walker(MutableFieldwise):
    depth: int
    enums_as_strings: bool
    edition: str
    adapters: AdapterRegistry | None
    truncated: bool = False

    def number(self, value: Union[int, float, Decimal]) -> _Raw:
        if isinstance(value, float):
            if value != value or value in (float("inf"), float("-inf")):
                text = format_number(value, "R", INVARIANT, edition=self.edition)
                return _Raw(_quote(text, self.edition))
            text = format_number(value, "R", INVARIANT, edition=self.edition)
            if self.edition == "7" and not any(c in text for c in ".E"):
                text += ".0"
            return _Raw(text)
        if isinstance(value, Decimal):
            text = format_number(value, "G", INVARIANT)
            if self.edition == "7" and "." not in text:
                text += ".0"
            return _Raw(text)
        return _Raw(str(int(value)))

    def walk(self, value: object, level: int) -> Node:
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, enum.Enum):
            if self.enums_as_strings:
                return value.name
            return _Raw(str(int(value.value)))
        if isinstance(value, (str, Char)):
            return str(value)
        if isinstance(value, (int, float, Decimal)):
            return self.number(value)
        if isinstance(value, _dt.datetime):
            return _Date(value)
        if isinstance(value, uuid.UUID):
            return str(value)
        if level > self.depth:
            self.truncated = True
            return to_string(value, INVARIANT, edition=self.edition, adapters=self.adapters)
        if isinstance(value, Hashtable):
            return {str(k): self.walk(v, level + 1) for k, v in value.items()}
        if isinstance(value, dict):
            return {str(k): self.walk(v, level + 1) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.walk(v, level + 1) for v in value]
        if isinstance(value, _dt.timedelta):
            props = dict(timespan_properties(value))
            order = (
                "Ticks", "Days", "Hours", "Milliseconds", "Minutes", "Seconds",
                "TotalDays", "TotalHours", "TotalMilliseconds", "TotalMinutes", "TotalSeconds",
            )
            return {name: self.walk(props[name], level + 1) for name in order}
        adapter = self.adapters.find(value) if self.adapters is not None else None
        if adapter is not None and adapter.json_properties is not None:
            return {name: self.walk(v, level + 1) for name, v in adapter.json_properties(value)}
        return {name: self.walk(v, level + 1) for name, v in ps_properties(value, self.adapters)}


def _quote(text: str, edition: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif edition != "7" and ch in "<>&'":
            out.append(f"\\u{code:04x}")
        elif edition == "7" and code in (0x85, 0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _date_text(value: _dt.datetime, edition: str, utc_offset: _dt.timedelta | None) -> str:
    if edition == "7":
        text = value.replace(tzinfo=None).isoformat()
        if "." in text:
            head, frac = text.split(".")
            text = head + "." + frac.rstrip("0") if frac.rstrip("0") else head
        if value.tzinfo is not None:
            offset = value.utcoffset() or _dt.timedelta(0)
            if value.tzinfo is _dt.timezone.utc:
                return f'"{text}Z"'
            return f'"{text}{_offset(offset)}"'
        if utc_offset is not None:
            return f'"{text}{_offset(utc_offset)}"'
        return f'"{text}"'
    if value.tzinfo is not None:
        utc = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    else:
        utc = value - (utc_offset or _dt.timedelta(0))
    delta = utc - _EPOCH
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return f'"\\/Date({ms})\\/"'


def _offset(offset: _dt.timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@attrs.define(eq=False, repr=False)
class _Writer(MutableFieldwise):
    edition: str
    newline: str
    utc_offset: _dt.timedelta | None

    def scalar(self, node: Node) -> str:
        if node is None:
            return "null"
        if node is True:
            return "true"
        if node is False:
            return "false"
        if isinstance(node, _Raw):
            return node.text
        if isinstance(node, _Date):
            return _date_text(node.value, self.edition, self.utc_offset)
        assert isinstance(node, str)
        return _quote(node, self.edition)

    def compact(self, node: Node) -> str:
        if isinstance(node, dict):
            return "{" + ",".join(
                _quote(k, self.edition) + ":" + self.compact(v) for k, v in node.items()
            ) + "}"
        if isinstance(node, list):
            return "[" + ",".join(self.compact(v) for v in node) + "]"
        return self.scalar(node)

    # --- pwsh 7 (Newtonsoft, Formatting.Indented) ------------------------------------------

    def indented7(self, node: Node, level: int) -> str:
        nl = self.newline
        pad = "  " * (level + 1)
        end = "  " * level
        if isinstance(node, dict):
            if not node:
                return "{}"
            items = [
                pad + _quote(k, self.edition) + ": " + self.indented7(v, level + 1)
                for k, v in node.items()
            ]
            return "{" + nl + ("," + nl).join(items) + nl + end + "}"
        if isinstance(node, list):
            if not node:
                return "[]"
            items = [pad + self.indented7(v, level + 1) for v in node]
            return "[" + nl + ("," + nl).join(items) + nl + end + "]"
        return self.scalar(node)

    # --- 5.1 (ConvertToPrettyJsonString) ---------------------------------------------------

    def dict51(self, node: dict[str, Node], pad: str, spaces: int) -> str:
        nl = self.newline
        new_pad = pad + " " * spaces + "    "
        close = nl + pad + " " * spaces + "}"
        if not node:
            return "{" + nl + close
        items = []
        for key, value in node.items():
            head = _quote(key, self.edition) + ":  "
            items.append(new_pad + head + self.value51(value, new_pad, len(head)))
        return "{" + nl + ("," + nl).join(items) + close

    def list51(self, node: list[Node], pad: str, spaces: int) -> str:
        nl = self.newline
        new_pad = pad + " " * spaces + "    "
        close = nl + pad + " " * spaces + "]"
        if not node:
            return "[" + nl + close
        items = [new_pad + self.value51(v, new_pad, 0) for v in node]
        return "[" + nl + ("," + nl).join(items) + close

    def value51(self, node: Node, pad: str, spaces: int) -> str:
        if isinstance(node, dict):
            return self.dict51(node, pad, spaces)
        if isinstance(node, list):
            return self.list51(node, pad, spaces)
        return self.scalar(node)


@attrs.frozen(eq=False, repr=False)
class JsonOutput(Fieldwise):
    text: str
    truncated: bool


def convert_to_json_ex(
    value: object,
    *,
    depth: int = 2,
    compress: bool = False,
    enums_as_strings: bool = False,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
    utc_offset: _dt.timedelta | None = None,
    newline: str = "\n",
) -> JsonOutput:
    """ConvertTo-Json of one value (ConvertTo-Json makes an array of several pipeline inputs:
    pass a list). utc_offset: the host's offset, for DateTime values (naive = host local)."""
    walker = _Walker(depth, enums_as_strings, edition, adapters)
    node = walker.walk(value, 0)
    writer = _Writer(edition, newline, utc_offset)
    if compress:
        text = writer.compact(node)
    elif edition == "7":
        text = writer.indented7(node, 0)
    else:
        text = writer.value51(node, "", 0)
    return JsonOutput(text, walker.truncated)


def convert_to_json(
    value: object,
    *,
    depth: int = 2,
    compress: bool = False,
    enums_as_strings: bool = False,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
    utc_offset: _dt.timedelta | None = None,
    newline: str = "\n",
) -> str:
    return convert_to_json_ex(
        value,
        depth=depth,
        compress=compress,
        enums_as_strings=enums_as_strings,
        edition=edition,
        adapters=adapters,
        utc_offset=utc_offset,
        newline=newline,
    ).text


def json_depth_exceeded(
    value: object, depth: int = 2, adapters: AdapterRegistry | None = None
) -> bool:
    """Whether ConvertTo-Json -Depth `depth` stringifies part of `value`."""
    walker = _Walker(depth, False, "7", adapters)
    walker.walk(value, 0)
    return walker.truncated


# =============================================================================================
# ConvertFrom-Json
# =============================================================================================

_MS_DATE = re.compile(r"^/Date\((-?\d+)(?:[+-]\d{4})?\)/$")
_ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$"
)


def _parse_iso(text: str, utc_offset: _dt.timedelta | None) -> _dt.datetime | None:
    m = _ISO_DATE.match(text)
    if not m:
        return None
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    frac = (m.group(7) or "").ljust(6, "0")[:6]
    try:
        value = _dt.datetime(year, month, day, hour, minute, second, int(frac or 0))
    except ValueError:
        return None
    zone = m.group(8)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        offset = _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
        value = value - offset + (utc_offset or _dt.timedelta(0))
    return value


def convert_from_json(
    text: str, *, edition: str = "5.1", utc_offset: _dt.timedelta | None = None
) -> Any:
    """ConvertFrom-Json: objects become PSCustomObjects (PSObject), arrays lists (5.1 writes a
    top-level array as one object; pwsh 7 enumerates it: the caller decides), 5.1 reads
    non-integral numbers as Decimal and `\\/Date(ms)\\/` as DateTime (UTC); pwsh 7 reads doubles
    and ISO 8601 strings as DateTime. Raises JsonError."""
    if not text.strip():
        return None

    def object_hook(pairs: list[tuple[str, Any]]) -> PSObject:
        obj = PSObject()
        seen: set[str] = set()
        for key, value in pairs:
            folded = key.casefold()
            if folded in seen:
                if edition == "7":
                    raise JsonError(
                        "Cannot convert the JSON string because it contains keys with different "
                        f"casing. Please use the -AsHashTable switch instead. The key that was "
                        f"attempted to be added to the existing key '{key}' was '{key}'."
                    )
                raise JsonError(
                    "Cannot convert the JSON string because a dictionary that was converted from "
                    f"the string contains the duplicated key '{key}'."
                )
            seen.add(folded)
            obj.properties[key] = value
        return obj

    try:
        parsed = _stdjson.loads(
            text,
            object_pairs_hook=object_hook,
            parse_float=Decimal if edition != "7" else float,
        )
    except JsonError:
        raise
    except ValueError as exc:
        raise JsonError(f"Invalid JSON primitive: {text.strip()[:40]}.") from exc
    return _convert_strings(parsed, edition, utc_offset)


def _convert_strings(value: Any, edition: str, utc_offset: _dt.timedelta | None) -> Any:
    if isinstance(value, str):
        if edition == "7":
            parsed = _parse_iso(value, utc_offset)
            return parsed if parsed is not None else value
        m = _MS_DATE.match(value)
        if m:
            return _EPOCH + _dt.timedelta(milliseconds=int(m.group(1)))
        return value
    if isinstance(value, list):
        return [_convert_strings(v, edition, utc_offset) for v in value]
    if isinstance(value, PSObject):
        for key, v in list(value.properties.items()):
            value.properties[key] = _convert_strings(v, edition, utc_offset)
        return value
    return value


def convert_from_json_hashtable(text: str, *, edition: str = "7") -> Any:
    """ConvertFrom-Json -AsHashtable (pwsh 7): objects become Hashtables."""
    result = convert_from_json(text, edition=edition)
    return _to_hashtables(result)


def _to_hashtables(value: Any) -> Any:
    if isinstance(value, PSObject):
        return Hashtable((k, _to_hashtables(v)) for k, v in value.properties.items())
    if isinstance(value, list):
        return [_to_hashtables(v) for v in value]
    return value


def to_json_lines(values: Iterable[object], **kwargs: Any) -> str:
    """ConvertTo-Json over pipeline input: one value as itself, several as an array."""
    items = list(values)
    if not items:
        return ""
    payload: object = items[0] if len(items) == 1 else items
    return convert_to_json(payload, **kwargs)
