"""Out-Default, Format-Table, Format-List and Out-String (powershell-subset.md §5).

The structure follows PowerShell's own formatter (FormatAndOutput/common), in two stages:

1. `_ShapeFormatter` (format-default / Format-Table / Format-List, i.e. InnerFormatShapeCommand)
   turns objects into *format packets*: FormatStart (the shape and table header), GroupStart,
   entries (table rows, list entries, custom text), GroupEnd, FormatEnd, and out-of-band
   entries. The first object picks the view: a registered view for its type, else a table when
   it has at most 4 properties, else a list. Scalars and out-of-band views (error records)
   always print out of band; objects a registered view does not apply to print out of band as
   lists; after a property table every later object becomes a row of that table.
2. `_Renderer` (OutCommandInner) writes packets as lines: blank lines per edition, column
   widths (content-sized when the first column has no width or with -AutoSize, by holding the
   group's packets until it ends, as the 300 ms cache does for an instant emulator),
   ColumnWidthManager's fit to the screen, alignment, padding, ellipsis, list labels.

Format-Table / Format-List return a `FormatRecord` (their packets); Out-Default prints such a
record verbatim after ending its own pending table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Union

import attrs

from hyperv_emu.psshim.format.dotnet_format import format_number, format_value, to_display_string
from hyperv_emu.psshim.format.objects import is_scalar, iter_output, ps_properties, ps_property, ps_type_names
from hyperv_emu.psshim.format.settings import FormatSettings
from hyperv_emu.psshim.format.text import fit_cell, generate_lines, split_lines
from hyperv_emu.psshim.format.views import (
    Column,
    CustomView,
    ListView,
    TableView,
    View,
    ViewContext,
    ViewRegistry,
    default_views,
    evaluate,
)
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.values import AdapterRegistry, Char
from hyperv_emu.sdk.fieldwise import Fieldwise, MutableFieldwise

# =============================================================================================
# Format packets
# =============================================================================================


@attrs.frozen(eq=False, repr=False)
class ColumnInfo(Fieldwise):
    """A table column as the renderer sees it. alignment: undefined/left/right/center."""

    label: str
    width: int = 0
    alignment: str = "undefined"


@attrs.frozen(eq=False, repr=False)
class TableHeader(Fieldwise):
    columns: tuple[ColumnInfo, ...]
    hide_headers: bool = False
    autosize: bool = False


@attrs.frozen(eq=False, repr=False)
class FormatStart(Fieldwise):
    shape: str  # "table" | "list" | "custom"
    table: TableHeader | None = None


@attrs.frozen(eq=False, repr=False)
class GroupStart(Fieldwise):
    """label: the text of a GroupBy header (None: no header)."""

    label: str | None = None
    indent: int = 0
    newline_after: bool = False


@attrs.frozen(eq=False, repr=False)
class GroupEnd(Fieldwise):
    pass


@attrs.frozen(eq=False, repr=False)
class FormatEnd(Fieldwise):
    pass


@attrs.frozen(eq=False, repr=False)
class TableRow(Fieldwise):
    cells: tuple[str, ...]
    wrap: bool = False


@attrs.frozen(eq=False, repr=False)
class ListEntry(Fieldwise):
    fields: tuple[tuple[str, str], ...]


@attrs.frozen(eq=False, repr=False)
class ComplexEntry(Fieldwise):
    text: str
    prewrapped: bool = False


@attrs.frozen(eq=False, repr=False)
class RawText(Fieldwise):
    text: str


@attrs.frozen(eq=False, repr=False)
class OutOfBand(Fieldwise):
    entry: Union[ListEntry, ComplexEntry, RawText]


Packet = Union[
    FormatStart, GroupStart, GroupEnd, FormatEnd, TableRow, ListEntry, ComplexEntry, OutOfBand
]


@attrs.frozen(eq=False, repr=False)
class FormatRecord(Fieldwise):
    """What Format-Table / Format-List write to the pipeline: format packets that Out-Default,
    Out-String or Out-File print verbatim."""

    packets: tuple[Packet, ...]


@attrs.frozen(eq=False, repr=False)
class PropertySpec(Fieldwise):
    """A -Property entry of Format-Table/Format-List: a property name (wildcards allowed) or a
    calculated property (`@{Label=...; Expression=...; FormatString=...; Width=...;
    Alignment=...}`). `expression` is a property name or a callable evaluating the script block
    for one object (the interpreter supplies it)."""

    expression: Union[str, Callable[[object], object]]
    label: str | None = None
    format_string: str | None = None
    width: int = 0
    alignment: str | None = None  # "Left" | "Center" | "Right"

    @property
    def is_calculated(self) -> bool:
        return (
            not isinstance(self.expression, str)
            or self.label is not None
            or self.format_string is not None
            or self.width != 0
            or self.alignment is not None
        )


PropertyArg = Union[str, PropertySpec]


# =============================================================================================
# Cell text
# =============================================================================================


def default_alignment(value: object) -> str:
    """A property table column's alignment from the first object's value: right for numbers,
    bool, char and enums; left for everything else (strings, dates, null)."""
    if isinstance(value, (bool, int, float, Decimal, Char)):
        return "right"
    return "left"


def cell_text(
    value: object, settings: FormatSettings, adapters: AdapterRegistry | None, in_table: bool
) -> str:
    """A value as a table cell or list value. pwsh 7.3+ shows doubles/decimals in tables with
    the culture's `N` format (PowerShell PR #17650)."""
    if (
        in_table
        and settings.edition == "7"
        and isinstance(value, (float, Decimal))
        and not isinstance(value, bool)
    ):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return to_display_string(value, settings, adapters)
        return format_number(value, "N", settings.culture, edition="7")
    return to_display_string(value, settings, adapters)


def _align_name(alignment: str | None) -> str:
    if alignment is None:
        return "undefined"
    low = alignment.casefold()
    return low if low in ("left", "right", "center") else "undefined"


# =============================================================================================
# Stage 1: objects -> packets
# =============================================================================================


@attrs.define(eq=False, repr=False)
class _Column(MutableFieldwise):
    """A column/list item the formatter evaluates for each object."""

    label: str
    getter: Callable[[object], tuple[bool, object]]
    width: int = 0
    alignment: str = "undefined"
    format_string: str | None = None


class _ShapeFormatter:
    """InnerFormatShapeCommand: one per Out-Default / Format-Table / Format-List invocation."""

    def __init__(
        self,
        settings: FormatSettings,
        adapters: AdapterRegistry | None,
        views: ViewRegistry,
        shape: str = "default",
        properties: Sequence[PropertyArg] | None = None,
        autosize: bool = False,
        hide_headers: bool = False,
        wrap: bool = False,
        view_name: str | None = None,
        force: bool = False,
    ) -> None:
        self.settings = settings
        self.adapters = adapters
        self.views = views
        self.ctx = ViewContext(settings, adapters)
        self.shape = shape
        self.properties = list(properties) if properties else None
        self.autosize = autosize
        self.hide_headers = hide_headers
        self.wrap = wrap
        self.view_name = view_name
        self.force = force
        self._state = "none"
        self._view: View | None = None
        self._kind = ""  # "table" | "list" | "custom"
        self._columns: list[_Column] = []
        self._group_key: object = None

    # --- helpers ------------------------------------------------------------------------------

    def _type_names(self, obj: object) -> list[str]:
        return ps_type_names(obj, self.adapters)

    def _display(self, value: object, fmt: str | None, in_table: bool) -> str:
        if fmt:
            return format_value(
                value,
                fmt,
                self.settings.culture,
                edition=self.settings.edition,
                adapters=self.adapters,
            )
        return cell_text(value, self.settings, self.adapters, in_table)

    def _all_properties_entry(self, obj: object) -> ListEntry:
        return ListEntry(
            tuple(
                (name, self._display(value, None, in_table=False))
                for name, value in ps_properties(obj, self.adapters)
            )
        )

    def _out_of_band(self, obj: object, fallback: bool) -> OutOfBand | None:
        names = self._type_names(obj)
        view = self.views.find(names, CustomView)
        if isinstance(view, CustomView) and view.out_of_band:
            return OutOfBand(ComplexEntry(view.render(obj, self.ctx), view.prewrapped))
        if is_scalar(obj) or not ps_properties(obj, self.adapters):
            return OutOfBand(RawText(to_display_string(obj, self.settings, self.adapters)))
        if fallback:
            return OutOfBand(self._all_properties_entry(obj))
        return None

    def _expand(self, obj: object) -> list[_Column]:
        """Columns/items for explicit -Property arguments, resolved against `obj`."""
        assert self.properties is not None
        names = [n for n, _ in ps_properties(obj, self.adapters)]
        columns: list[_Column] = []
        for arg in self.properties:
            spec = arg if isinstance(arg, PropertySpec) else PropertySpec(arg)
            expr = spec.expression
            if isinstance(expr, str) and not spec.is_calculated and has_wildcards(expr):
                for name in names:
                    if wildcard_match(name, expr):
                        columns.append(_Column(name, self._name_getter(name)))
                continue
            if isinstance(expr, str):
                label = spec.label if spec.label is not None else self._resolved_name(expr, names)
                getter = self._name_getter(expr)
            else:
                label = spec.label if spec.label is not None else ""
                getter = self._call_getter(expr)
            columns.append(
                _Column(
                    label,
                    getter,
                    width=spec.width,
                    alignment=_align_name(spec.alignment),
                    format_string=spec.format_string,
                )
            )
        return columns

    @staticmethod
    def _resolved_name(expr: str, names: Sequence[str]) -> str:
        for name in names:
            if name.casefold() == expr.casefold():
                return name
        return expr

    def _name_getter(self, name: str) -> Callable[[object], tuple[bool, object]]:
        adapters = self.adapters

        def get(obj: object) -> tuple[bool, object]:
            return ps_property(obj, name, adapters)

        return get

    @staticmethod
    def _call_getter(fn: Callable[[object], object]) -> Callable[[object], tuple[bool, object]]:
        def get(obj: object) -> tuple[bool, object]:
            return True, fn(obj)

        return get

    def _view_getter(self, spec: Column) -> Callable[[object], tuple[bool, object]]:
        ctx = self.ctx

        def get(obj: object) -> tuple[bool, object]:
            return True, evaluate(spec.value, obj, ctx)

        return get

    # --- view selection -----------------------------------------------------------------------

    def _find_view(self, names: Sequence[str], kind: type | None) -> View | None:
        if self.view_name is not None:
            for named in self.views.views:
                if named.name.casefold() == self.view_name.casefold() and self.views.applies(
                    named, names
                ):
                    return named
        found = self.views.find(names, kind)
        if isinstance(found, CustomView) and found.out_of_band:
            return None
        return found

    def _initialize(self, obj: object) -> FormatStart:
        names = self._type_names(obj)
        self._view = None
        if self.properties is not None:
            self._kind = "list" if self.shape == "list" else "table"
            self._columns = self._expand(obj)
        else:
            kind: type | None = {"table": TableView, "list": ListView}.get(self.shape)
            view = self._find_view(names, kind)
            if view is not None:
                self._view = view
                if isinstance(view, TableView):
                    self._kind = "table"
                    self._columns = [
                        _Column(c.label, self._view_getter(c), c.width, c.alignment)
                        for c in view.columns
                    ]
                elif isinstance(view, ListView):
                    self._kind = "list"
                else:
                    self._kind = "custom"
            else:
                props = ps_properties(obj, self.adapters)
                if self.shape == "list" or (self.shape == "default" and len(props) > 4):
                    self._kind = "list"
                    self._columns = []
                else:
                    self._kind = "table"
                    limit = props[:10] if self.shape == "table" else props
                    self._columns = [_Column(n, self._name_getter(n)) for n, _ in limit]
        if self._kind == "table":
            if self._view is None:
                # alignment from the first object's values, unless the column sets its own
                for col in self._columns:
                    if col.alignment == "undefined":
                        found, value = col.getter(obj)
                        col.alignment = default_alignment(value if found else None)
            header = TableHeader(
                tuple(ColumnInfo(c.label, c.width, c.alignment) for c in self._columns),
                hide_headers=self.hide_headers,
                autosize=self.autosize,
            )
            return FormatStart("table", header)
        return FormatStart(self._kind)

    def _applicable(self, obj: object) -> bool:
        if self._view is None:
            return True
        return self.views.applies(self._view, self._type_names(obj))

    def _group_start(self, obj: object) -> GroupStart:
        view = self._view
        group_by = view.group_by if isinstance(view, (TableView, ListView)) else None
        if group_by is None:
            return GroupStart()
        return GroupStart(
            group_by.label(obj, self.ctx), group_by.indent, group_by.newline_after
        )

    def _group_key_of(self, obj: object) -> tuple[bool, object]:
        view = self._view
        group_by = view.group_by if isinstance(view, (TableView, ListView)) else None
        if group_by is None:
            return False, None
        return True, group_by.key(obj, self.ctx)

    def _payload(self, obj: object) -> Packet:
        if self._kind == "table":
            cells = []
            for col in self._columns:
                found, value = col.getter(obj)
                cells.append(self._display(value, col.format_string, True) if found else "")
            wrap = self.wrap or (isinstance(self._view, TableView) and self._view.wrap)
            return TableRow(tuple(cells), wrap)
        if self._kind == "list":
            view = self._view
            if isinstance(view, ListView) and view.items is not None:
                return ListEntry(
                    tuple(
                        (item.label, self._display(evaluate(item.value, obj, self.ctx), None, False))
                        for item in view.items
                    )
                )
            if self.properties is not None:
                fields = []
                for col in self._expand(obj):
                    found, value = col.getter(obj)
                    fields.append(
                        (col.label, self._display(value, col.format_string, False) if found else "")
                    )
                return ListEntry(tuple(fields))
            return self._all_properties_entry(obj)
        view = self._view
        assert isinstance(view, CustomView)
        return ComplexEntry(view.render(obj, self.ctx), view.prewrapped)

    # --- the state machine --------------------------------------------------------------------

    def process(self, obj: object) -> list[Packet]:
        if isinstance(obj, FormatRecord):
            return self.end() + list(obj.packets) if obj.packets else []
        out: list[Packet] = []
        oob = None if self.force else self._out_of_band(obj, fallback=False)
        if oob is not None:
            return [oob]
        if self._state == "none":
            out.append(self._initialize(obj))
            self._state = "document"
        if not self._applicable(obj) and not self.force:
            late = self._out_of_band(obj, fallback=True)
            if late is not None:
                out.append(late)
            return out
        has_key, key = self._group_key_of(obj)
        if self._state == "document":
            self._group_key = key
            out.append(self._group_start(obj))
            self._state = "group"
        elif has_key and key != self._group_key:
            self._group_key = key
            out.append(GroupEnd())
            out.append(self._group_start(obj))
        out.append(self._payload(obj))
        return out

    def end(self) -> list[Packet]:
        out: list[Packet] = []
        if self._state == "group":
            out.append(GroupEnd())
        if self._state in ("group", "document"):
            out.append(FormatEnd())
        self._state = "none"
        self._view = None
        self._columns = []
        return out


# =============================================================================================
# Stage 2: packets -> lines
# =============================================================================================


def fit_column_widths(widths: Sequence[int], table_width: int) -> list[int]:
    """ColumnWidthManager.CalculateColumnWidths: give unsized (0) columns the spare width in
    turn; if the table is too wide, shrink the last visible column, or hide it (-1) when it
    would drop under 1 character, and repeat."""
    result = list(widths)
    separator = 1
    minimum = 1

    def current(ws: list[int]) -> int:
        visible = [w for w in ws if w > 0]
        return sum(visible) + separator * (len(visible) - 1)

    if all(w > 0 for w in result):
        if sum(result) + separator * (len(result) - 1) <= table_width:
            return result
    else:
        fixed = [w > 0 for w in result]
        result = [w if w > 0 else minimum for w in result]
        available = table_width - current(result)
        if available >= 0:
            unsized = [k for k, f in enumerate(fixed) if not f]
            while available > 0 and unsized:
                for k in unsized:
                    result[k] += 1
                    available -= 1
                    if available == 0:
                        break
            return result
    while True:
        excess = current(result) - table_width
        if excess <= 0:
            return result
        last = len(result) - 1
        for k, w in enumerate(result):
            if w < 0:
                last = k - 1
                break
        if last < 0:
            return result
        new_width = result[last] - excess
        if new_width < minimum:
            result[last] = -1
        else:
            result[last] = new_width


class _TableWriter:
    def __init__(
        self,
        columns: Sequence[ColumnInfo],
        widths: Sequence[int],
        screen: int,
        settings: FormatSettings,
        hide_headers: bool,
    ) -> None:
        self.alignments = ["right" if c.alignment == "right" else
                           "center" if c.alignment == "center" else "left" for c in columns]
        self.widths = fit_column_widths(widths, screen) if screen >= 5 else [-1] * len(widths)
        self.settings = settings
        self.hide_headers = hide_headers
        self.disabled = not any(w >= 1 for w in self.widths)

    def _pad_last(self, k: int) -> bool:
        return self.settings.edition != "7" or k != len(self.widths) - 1

    def _cut_ellipsis(self) -> str | None:
        return "\u2026" if self.settings.edition == "7" else None

    def row(self, values: Sequence[str], multiline: bool) -> list[str]:
        if self.disabled:
            return []
        if multiline:
            return self._multiline(values)
        parts: list[str] = []
        for k, width in enumerate(self.widths):
            if width <= 0:
                continue
            if k > 0:
                parts.append(" ")
            value = values[k] if k < len(values) else ""
            parts.append(
                fit_cell(
                    value,
                    width,
                    self.alignments[k],
                    self.settings.ellipsis,
                    self._pad_last(k),
                    self._cut_ellipsis(),
                )
            )
        return ["".join(parts)]

    def _multiline(self, values: Sequence[str]) -> list[str]:
        visible = [k for k, w in enumerate(self.widths) if w > 0]
        columns: list[list[str]] = []
        for pos, k in enumerate(visible):
            width = self.widths[k]
            value = values[k] if k < len(values) else ""
            lines = generate_lines(value, width, width)
            pad = self._pad_last(k)
            align = self.alignments[k]
            fitted = []
            for line in lines:
                if len(line) < width and (pad or align in ("right", "center")):
                    line = fit_cell(line, width, align, self.settings.ellipsis, pad)
                fitted.append(line)
            if pos > 0:
                fitted = [" " + line for line in fitted]
            columns.append(fitted)
        height = max((len(c) for c in columns), default=0)
        seven = self.settings.edition == "7"
        for pos, col in enumerate(columns):
            k = visible[pos]
            blank = self.widths[k] + (1 if pos > 0 else 0)
            if seven and pos == len(columns) - 1:
                blank = 0
            while len(col) < height:
                col.append(" " * blank)
        rows = []
        for r in range(height):
            line = "".join(col[r] for col in columns)
            rows.append(line.rstrip() if seven and height > 1 else line)
        return rows

    def header(self, labels: Sequence[str]) -> list[str]:
        if self.disabled or self.hide_headers:
            return []
        lines = self._multiline(labels)
        dashes = []
        for k, width in enumerate(self.widths):
            if width <= 0:
                dashes.append("")
                continue
            label = labels[k]
            dashes.append("-" * (min(width, len(label)) if label else width))
        lines.extend(self.row(dashes, multiline=False))
        return lines


class _ListWriter:
    """ListWriter: `Label : value`, labels padded to the longest, long values wrapped."""

    def __init__(self, labels: Sequence[str], screen: int) -> None:
        self.disabled = not labels or screen - 3 - 1 - 1 < 0
        if self.disabled:
            self.labels: list[str] = []
            self.label_width = 0
            self.screen = screen
            return
        max_label = screen - 3 - 1
        width = min(max((len(x) for x in labels), default=0), max_label)
        self.labels = [
            (x.ljust(width) if len(x) < width else x[:width]) + " : " for x in labels
        ]
        self.label_width = width + 3
        self.screen = screen

    def lines(self, values: Sequence[str]) -> list[str]:
        out: list[str] = []
        if self.disabled:
            return out
        field = self.screen - self.label_width
        padding = " " * self.label_width
        for k, label in enumerate(self.labels):
            value = values[k] if k < len(values) else ""
            for i, line in enumerate(split_lines(value or "")):
                prefix = label if i == 0 else padding
                wrapped = generate_lines(line, field, field)
                out.append(prefix + wrapped[0])
                out.extend(padding + w for w in wrapped[1:])
        return out


class _Renderer:
    """OutCommandInner: writes packets as lines through `emit`."""

    def __init__(self, emit: Callable[[str], None], settings: FormatSettings, screen: int) -> None:
        self.emit = emit
        self.settings = settings
        self.screen = screen
        self._cache: list[Packet] | None = None
        self._hint: list[int] | None = None
        self._format: FormatStart | None = None
        self._table: _TableWriter | None = None
        self._groups_seen = 0

    @property
    def _v51(self) -> bool:
        return self.settings.edition != "7"

    # --- caching (autosize) ---------------------------------------------------------------------

    def process(self, packet: Packet) -> None:
        if self._cache is not None:
            self._cache.append(packet)
            if isinstance(packet, (GroupEnd, FormatEnd)):
                self._drain()
            return
        if isinstance(packet, FormatStart) and packet.table is not None:
            cols = packet.table.columns
            if packet.table.autosize or (cols and cols[0].width == 0):
                self._cache = [packet]
                return
        self._handle(packet)

    def _drain(self) -> None:
        cached = self._cache or []
        self._cache = None
        start = cached[0] if cached else None
        if isinstance(start, FormatStart) and start.table is not None:
            widths = [len(c.label) for c in start.table.columns]
            for packet in cached:
                if isinstance(packet, TableRow):
                    for k, cell in enumerate(packet.cells[: len(widths)]):
                        widths[k] = max(widths[k], len(cell))
            self._hint = widths
        for packet in cached:
            self._handle(packet)

    def flush(self) -> None:
        if self._cache is not None:
            self._drain()

    # --- packets --------------------------------------------------------------------------------

    def _complex(self, text: str, indent: int = 0) -> None:
        width = self.screen - indent
        for line in generate_lines(text, width, width):
            self.emit(" " * indent + line)

    def _list(self, entry: ListEntry) -> None:
        writer = _ListWriter([label for label, _ in entry.fields], self.screen)
        for line in writer.lines([value for _, value in entry.fields]):
            self.emit(line)

    def _handle(self, packet: Packet) -> None:
        if isinstance(packet, FormatStart):
            self._format = packet
            self._groups_seen = 0
            self.emit("")
        elif isinstance(packet, GroupStart):
            self._group_start(packet)
        elif isinstance(packet, GroupEnd):
            self._table = None
            if self._v51:
                self.emit("")
        elif isinstance(packet, FormatEnd):
            shape = self._format.shape if self._format is not None else ""
            if self._v51 or shape != "list":
                self.emit("")
            self._format = None
            self._table = None
        elif isinstance(packet, TableRow):
            if self._table is not None:
                for line in self._table.row(packet.cells, packet.wrap):
                    self.emit(line)
        elif isinstance(packet, ListEntry):
            self._list(packet)
            self.emit("")
        elif isinstance(packet, ComplexEntry):
            if packet.prewrapped:
                for line in split_lines(packet.text):
                    self.emit(line)
            else:
                self._complex(packet.text)
        elif isinstance(packet, OutOfBand):
            entry = packet.entry
            if isinstance(entry, RawText):
                self.emit(entry.text)
            elif isinstance(entry, ListEntry):
                self.emit("")
                self._list(entry)
                self.emit("")
            elif entry.prewrapped:
                for line in split_lines(entry.text):
                    self.emit(line)
            elif self._v51:
                self._complex(entry.text)
            else:
                for line in split_lines(entry.text):
                    self.emit(line)

    def _group_start(self, packet: GroupStart) -> None:
        if packet.label is not None:
            if self._v51 or self._groups_seen > 0:
                self.emit("")
            self._complex(packet.label, packet.indent)
            if packet.newline_after:
                self.emit("")
            self.emit("")
        self._groups_seen += 1
        fmt = self._format
        if fmt is None:
            return
        if fmt.shape == "table" and fmt.table is not None:
            columns = fmt.table.columns
            widths = self._hint if self._hint is not None else [c.width for c in columns]
            self._hint = None
            self._table = _TableWriter(
                columns, widths, self.screen, self.settings, fmt.table.hide_headers
            )
            for line in self._table.header([c.label for c in columns]):
                self.emit(line)
        elif fmt.shape == "list" and self._v51:
            self.emit("")


# =============================================================================================
# Public API
# =============================================================================================


class OutDefault:
    """The one Out-Default a script's output goes through.

    `write(obj)` takes every output object in order (collections are unrolled, $null ignored,
    FormatRecords printed verbatim); `close()` ends the pending table or list at the end of the
    script. Text goes to `write` one line at a time, each ending in "\\n".
    """

    def __init__(
        self,
        write: Callable[[str], None],
        settings: FormatSettings | None = None,
        adapters: AdapterRegistry | None = None,
        views: ViewRegistry | None = None,
        width: int | None = None,
    ) -> None:
        self.settings = settings or FormatSettings()
        self.adapters = adapters
        self.views = views or default_views(self.settings.edition)
        screen = width if width is not None else self.settings.columns
        self._renderer = _Renderer(lambda line: write(line + "\n"), self.settings, screen)
        self._formatter = self._new_formatter()

    def _new_formatter(self) -> _ShapeFormatter:
        return _ShapeFormatter(self.settings, self.adapters, self.views)

    def write(self, obj: object) -> None:
        for item in iter_output(obj):
            for packet in self._formatter.process(item):
                self._renderer.process(packet)

    def close(self) -> None:
        for packet in self._formatter.end():
            self._renderer.process(packet)
        self._renderer.flush()


def _format(
    objects: Iterable[object],
    settings: FormatSettings,
    adapters: AdapterRegistry | None,
    views: ViewRegistry | None,
    shape: str,
    properties: Sequence[PropertyArg] | None,
    autosize: bool,
    hide_headers: bool,
    wrap: bool,
    view_name: str | None,
    force: bool = False,
) -> FormatRecord:
    formatter = _ShapeFormatter(
        settings,
        adapters,
        views or default_views(settings.edition),
        shape=shape,
        properties=properties,
        autosize=autosize,
        hide_headers=hide_headers,
        wrap=wrap,
        view_name=view_name,
        force=force,
    )
    packets: list[Packet] = []
    for obj in objects:
        for item in iter_output(obj):
            packets.extend(formatter.process(item))
    packets.extend(formatter.end())
    return FormatRecord(tuple(packets))


def format_table(
    objects: Iterable[object],
    settings: FormatSettings | None = None,
    adapters: AdapterRegistry | None = None,
    *,
    properties: Sequence[PropertyArg] | None = None,
    autosize: bool = False,
    hide_headers: bool = False,
    wrap: bool = False,
    view: str | None = None,
    views: ViewRegistry | None = None,
    force: bool = False,
) -> FormatRecord:
    """Format-Table: the type's table view, or a table of -Property (names, wildcards,
    PropertySpec calculated properties), or of the first object's properties (at most 10).
    Strings, numbers and error records still print out of band unless -Force."""
    return _format(
        objects, settings or FormatSettings(), adapters, views, "table", properties, autosize,
        hide_headers, wrap, view, force,
    )


def format_list(
    objects: Iterable[object],
    settings: FormatSettings | None = None,
    adapters: AdapterRegistry | None = None,
    *,
    properties: Sequence[PropertyArg] | None = None,
    view: str | None = None,
    views: ViewRegistry | None = None,
    force: bool = False,
) -> FormatRecord:
    """Format-List: the type's list view, or -Property (`*` for all), or every property.
    Strings, numbers and error records still print out of band unless -Force."""
    return _format(
        objects, settings or FormatSettings(), adapters, views, "list", properties, False,
        False, False, view, force,
    )


def render_lines(
    objects: Iterable[object],
    settings: FormatSettings | None = None,
    adapters: AdapterRegistry | None = None,
    *,
    width: int | None = None,
    views: ViewRegistry | None = None,
) -> list[str]:
    """Every line Out-Default would print for `objects` (blank lines included)."""
    lines: list[str] = []
    out = OutDefault(lambda text: lines.append(text[:-1]), settings, adapters, views, width)
    for obj in objects:
        out.write(obj)
    out.close()
    return lines


def out_string(
    objects: Iterable[object],
    settings: FormatSettings | None = None,
    width: int | None = None,
    *,
    adapters: AdapterRegistry | None = None,
    stream: bool = False,
    views: ViewRegistry | None = None,
) -> Union[str, list[str]]:
    """Out-String: exactly what Out-Default prints, as one string ending in a newline, or with
    -Stream as a list of lines. `width` (-Width) sets the columns used; the default is the
    console's (`settings.width - 1`)."""
    lines = render_lines(objects, settings, adapters, width=width, views=views)
    if stream:
        return lines
    return "".join(line + "\n" for line in lines)
