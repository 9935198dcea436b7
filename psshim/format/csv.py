"""ConvertTo-Csv / Export-Csv and ConvertFrom-Csv / Import-Csv.

Export: the header is the first object's property names; every later object is written with
those columns (a missing property is an empty field). Windows PowerShell 5.1 writes
`#TYPE <first type name>` first unless -NoTypeInformation (pwsh 7 only with
-IncludeTypeInformation). Every value is quoted (`"` doubled); $null is an empty, unquoted
field. Values are their ToString() in the current culture (DateTime `2/20/2026 8:00:00 AM` in
en-US), collections `System.Object[]`.

Import: an optional `#TYPE` line, a header line, then rows; quoted fields may hold delimiters,
doubled quotes and line breaks. Every value is a string; a missing trailing field is $null.
Objects get the type name `CSV:<type>` after a `#TYPE` line, as 5.1 does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from hyperv_emu.psshim.format.culture import EN_US, Culture
from hyperv_emu.psshim.format.dotnet_format import enum_name, to_string
from hyperv_emu.psshim.format.objects import ps_properties, ps_property, ps_type_names
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Hashtable, PSObject


class CsvError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _field(value: object, culture: Culture, edition: str, adapters: AdapterRegistry | None) -> str:
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        text = enum_name(value)
    elif isinstance(value, (list, tuple)):
        text = "System.Object[]"
    elif isinstance(value, Hashtable):
        text = ps_type_names(value, adapters)[0]
    else:
        text = to_string(value, culture, edition=edition, adapters=adapters, top_level=False)
    return '"' + text.replace('"', '""') + '"'


def convert_to_csv(
    objects: Iterable[object],
    *,
    no_type_information: bool = False,
    include_type_information: bool = False,
    delimiter: str = ",",
    culture: Culture = EN_US,
    edition: str = "5.1",
    adapters: AdapterRegistry | None = None,
) -> list[str]:
    """The lines ConvertTo-Csv writes (Export-Csv writes the same lines to the file)."""
    lines: list[str] = []
    columns: list[str] | None = None
    for obj in objects:
        if obj is None:
            continue
        if columns is None:
            type_line = (
                include_type_information if edition == "7" else not no_type_information
            )
            if type_line:
                lines.append("#TYPE " + ps_type_names(obj, adapters)[0])
            columns = [name for name, _ in ps_properties(obj, adapters)]
            lines.append(delimiter.join('"' + c.replace('"', '""') + '"' for c in columns))
        fields = []
        for name in columns:
            found, value = ps_property(obj, name, adapters)
            fields.append(_field(value if found else None, culture, edition, adapters))
        lines.append(delimiter.join(fields))
    return lines


def _parse_records(text: str, delimiter: str) -> list[list[str | None]]:
    """Split CSV text into records of fields (None marks an absent trailing field: never here,
    the caller pads). Quoted fields may contain delimiters, "" and line breaks."""
    records: list[list[str | None]] = []
    row: list[str | None] = []
    field: list[str] = []
    i = 0
    n = len(text)
    in_quotes = False
    field_started = False
    while i < n:
        ch = text[i]
        if in_quotes:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    field.append('"')
                    i += 2
                    continue
                in_quotes = False
                i += 1
                continue
            field.append(ch)
            i += 1
            continue
        if ch == '"':
            in_quotes = True
            field_started = True
            i += 1
            continue
        if ch == delimiter:
            row.append("".join(field))
            field = []
            field_started = False
            i += 1
            continue
        if ch in "\r\n":
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            if row or field or field_started:
                row.append("".join(field))
                records.append(row)
            row = []
            field = []
            field_started = False
            i += 1
            continue
        field.append(ch)
        field_started = True
        i += 1
    if row or field or field_started:
        row.append("".join(field))
        records.append(row)
    return records


def convert_from_csv(
    text: str | Sequence[str],
    *,
    delimiter: str = ",",
    header: Sequence[str] | None = None,
) -> list[PSObject]:
    """ConvertFrom-Csv / Import-Csv over the text (or lines) of a CSV file."""
    if not isinstance(text, str):
        text = "\n".join(text)
    type_name: str | None = None
    stripped = text.lstrip("\ufeff")
    if stripped.startswith("#TYPE"):
        first, _, rest = stripped.partition("\n")
        type_name = first[len("#TYPE") :].strip().rstrip("\r")
        stripped = rest
    records = _parse_records(stripped, delimiter)
    if header is None:
        if not records:
            return []
        names = [name if name is not None else "" for name in records[0]]
        records = records[1:]
    else:
        names = list(header)
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise CsvError(f'The member "{name}" is already present.')
        seen.add(name.casefold())
    type_names = ["System.Management.Automation.PSCustomObject", "System.Object"]
    if type_name:
        type_names = ["CSV:" + type_name] + type_names
    result: list[PSObject] = []
    for record in records:
        props: dict[str, object] = {}
        for k, name in enumerate(names):
            props[name] = record[k] if k < len(record) else None
        result.append(PSObject(props, list(type_names)))
    return result
