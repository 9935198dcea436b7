"""PowerShell type names: `[int]`, `[System.DateTime]`, `[string[]]`, `[ordered]`, `[math]`.

A `PSType` is what a type literal evaluates to (`[int]` used as a value, `GetType()`), what a
parameter or a typed variable is declared with, and what `-is`/`-as`/casts take. Conversion
itself lives in `conversions.py`; static members in `members.py`.

Resolution follows PowerShell: case-insensitive, type accelerators first (`int`, `pscustomobject`),
then the name as written, then `System.` + the name (`[IO.Path]`, `[Math]`), `T[]` for arrays and
`Generic.List[T]`. Types the SDK contributes (Hyper-V objects and enums) are registered per
runtime in a `TypeTable`. An unknown dotted name resolves to a *named* type that only checks
PSTypeNames (so `-is [Microsoft.HyperV.PowerShell.VirtualMachine]` works on adapted objects);
an unknown plain name is `Unable to find type [X].`
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Any, Callable

from hyperv_emu.psshim.runtime.errors import PSError, known_exception_types, runtime_error
from hyperv_emu.psshim.runtime.values import (
    AdapterRegistry,
    ArrayList,
    Char,
    GenericList,
    Hashtable,
    Int64,
    PSObject,
    Version,
    type_names,
)


class PSType:
    """A .NET type as PowerShell sees it.

    kind: how conversions treat it ("int32", "string", "enum", "class", "named", "static", ...).
    full_name: `System.Int32`; name: `Int32`; element: the element type of `T[]`.
    py_class: the Python class behind an enum or SDK type.
    """

    __slots__ = ("kind", "full_name", "element", "py_class", "min", "max")

    def __init__(
        self,
        kind: str,
        full_name: str,
        *,
        element: "PSType | None" = None,
        py_class: type | None = None,
        min: int | None = None,
        max: int | None = None,
    ) -> None:
        self.kind = kind
        self.full_name = full_name
        self.element = element
        self.py_class = py_class
        self.min = min
        self.max = max

    @property
    def name(self) -> str:
        base = self.full_name.split("[", 1)[0].rsplit(".", 1)[-1]
        if self.kind == "array":
            return (self.element.name if self.element else "Object") + "[]"
        return base

    @property
    def is_array(self) -> bool:
        return self.kind == "array"

    def __repr__(self) -> str:
        return f"PSType({self.full_name})"

    def __str__(self) -> str:
        return self.full_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PSType) and other.full_name.casefold() == self.full_name.casefold()

    def __hash__(self) -> int:
        return hash(self.full_name.casefold())

    # `[int]` shown as a value (the formatter uses these)
    __ps_type_names__ = ["System.RuntimeType", "System.Type", "System.Object"]

    def is_instance(self, value: Any, adapters: AdapterRegistry | None = None) -> bool:
        return is_instance(value, self, adapters)


def _t(kind: str, full: str, **kw: Any) -> PSType:
    return PSType(kind, full, **kw)


OBJECT = _t("object", "System.Object")
STRING = _t("string", "System.String")
INT32 = _t("int", "System.Int32", min=-(2**31), max=2**31 - 1)
INT64 = _t("int", "System.Int64", min=-(2**63), max=2**63 - 1)
INT16 = _t("int", "System.Int16", min=-(2**15), max=2**15 - 1)
BYTE = _t("int", "System.Byte", min=0, max=255)
SBYTE = _t("int", "System.SByte", min=-128, max=127)
UINT16 = _t("int", "System.UInt16", min=0, max=2**16 - 1)
UINT32 = _t("int", "System.UInt32", min=0, max=2**32 - 1)
UINT64 = _t("int", "System.UInt64", min=0, max=2**64 - 1)
DOUBLE = _t("double", "System.Double")
SINGLE = _t("double", "System.Single")
DECIMAL = _t("decimal", "System.Decimal")
BOOL = _t("bool", "System.Boolean")
CHAR = _t("char", "System.Char")
DATETIME = _t("datetime", "System.DateTime")
TIMESPAN = _t("timespan", "System.TimeSpan")
GUID = _t("guid", "System.Guid")
VERSION = _t("version", "System.Version")
HASHTABLE = _t("hashtable", "System.Collections.Hashtable")
ORDERED = _t("ordered", "System.Collections.Specialized.OrderedDictionary")
PSCUSTOMOBJECT = _t("pscustomobject", "System.Management.Automation.PSCustomObject")
PSOBJECT = _t("psobject", "System.Management.Automation.PSObject")
REGEX = _t("regex", "System.Text.RegularExpressions.Regex")
VOID = _t("void", "System.Void")
SWITCH = _t("switch", "System.Management.Automation.SwitchParameter")
ARRAY = _t("array", "System.Array", element=OBJECT)
OBJECT_ARRAY = _t("array", "System.Object[]", element=OBJECT)
SCRIPTBLOCK = _t("scriptblock", "System.Management.Automation.ScriptBlock")
TYPE = _t("type", "System.Type")
ARRAYLIST = _t("arraylist", "System.Collections.ArrayList")
ACTION_PREFERENCE = _t("enum", "System.Management.Automation.ActionPreference")
CONFIRM_IMPACT = _t("enum", "System.Management.Automation.ConfirmImpact")
ERROR_RECORD = _t("class", "System.Management.Automation.ErrorRecord")
MATH = _t("static", "System.Math")
ENVIRONMENT = _t("static", "System.Environment")
IO_PATH = _t("static", "System.IO.Path")
IO_FILE = _t("static", "System.IO.File")
IO_DIRECTORY = _t("static", "System.IO.Directory")
TEXT_ENCODING = _t("static", "System.Text.Encoding")
CONVERT = _t("static", "System.Convert")
ENUM = _t("static", "System.Enum")
CULTUREINFO = _t("cultureinfo", "System.Globalization.CultureInfo")
STRINGBUILDER = _t("stringbuilder", "System.Text.StringBuilder")
DAYOFWEEK = _t("dayofweek", "System.DayOfWeek")
EXCEPTION = _t("exception", "System.Exception")
XML = _t("unsupported", "System.Xml.XmlDocument")
PSCMDLET = _t("static", "System.Management.Automation.PSCmdlet")
CMDLET = _t("static", "System.Management.Automation.Cmdlet")

_BUILTIN: list[PSType] = [
    OBJECT, STRING, INT32, INT64, INT16, BYTE, SBYTE, UINT16, UINT32, UINT64, DOUBLE, SINGLE,
    DECIMAL, BOOL, CHAR, DATETIME, TIMESPAN, GUID, VERSION, HASHTABLE, ORDERED, PSCUSTOMOBJECT,
    PSOBJECT, REGEX, VOID, SWITCH, ARRAY, SCRIPTBLOCK, TYPE, ARRAYLIST, ACTION_PREFERENCE,
    CONFIRM_IMPACT, ERROR_RECORD, MATH, ENVIRONMENT, IO_PATH, IO_FILE, IO_DIRECTORY, TEXT_ENCODING, CONVERT,
    ENUM, CULTUREINFO, STRINGBUILDER, DAYOFWEEK, EXCEPTION, XML, PSCMDLET, CMDLET,
]

_ACCELERATORS: dict[str, PSType] = {
    "int": INT32, "int32": INT32, "long": INT64, "int64": INT64, "int16": INT16, "short": INT16,
    "byte": BYTE, "sbyte": SBYTE, "uint16": UINT16, "ushort": UINT16, "uint32": UINT32,
    "uint": UINT32, "uint64": UINT64, "ulong": UINT64, "double": DOUBLE, "float": SINGLE,
    "single": SINGLE, "decimal": DECIMAL, "string": STRING, "bool": BOOL, "boolean": BOOL,
    "char": CHAR, "datetime": DATETIME, "timespan": TIMESPAN, "guid": GUID, "version": VERSION,
    "hashtable": HASHTABLE, "ordered": ORDERED, "pscustomobject": PSCUSTOMOBJECT,
    "psobject": PSOBJECT, "regex": REGEX, "void": VOID, "switch": SWITCH, "array": ARRAY,
    "object": OBJECT, "scriptblock": SCRIPTBLOCK, "type": TYPE, "xml": XML,
    "cultureinfo": CULTUREINFO, "psvariable": _t("unsupported", "System.Management.Automation.PSVariable"),
    "wmi": _t("unsupported", "System.Management.ManagementObject"),
    "adsi": _t("unsupported", "System.DirectoryServices.DirectoryEntry"),
    "ipaddress": _t("unsupported", "System.Net.IPAddress"),
    "uri": _t("unsupported", "System.Uri"),
}

_BY_FULL_NAME: dict[str, PSType] = {t.full_name.casefold(): t for t in _BUILTIN}
_BY_FULL_NAME["system.management.automation.actionpreference"] = ACTION_PREFERENCE


def _dotnet_enum(full_name: str, members: list[tuple[str, int]], flags: bool = False) -> PSType:
    short = full_name.rsplit(".", 1)[-1]
    factory: Any = enum.IntFlag if flags else enum.IntEnum
    cls: type[enum.Enum] = factory(short, members)
    setattr(cls, "__ps_type_name__", full_name)
    t = PSType("enum", full_name, py_class=cls)
    _BY_FULL_NAME[full_name.casefold()] = t
    return t


# .NET enums scripts commonly pass to methods
STRING_SPLIT_OPTIONS = _dotnet_enum("System.StringSplitOptions", [("None", 0), ("RemoveEmptyEntries", 1),
                                                                  ("TrimEntries", 2)], flags=True)
MIDPOINT_ROUNDING = _dotnet_enum("System.MidpointRounding", [("ToEven", 0), ("AwayFromZero", 1), ("ToZero", 2),
                                                             ("ToNegativeInfinity", 3), ("ToPositiveInfinity", 4)])
STRING_COMPARISON = _dotnet_enum("System.StringComparison", [
    ("CurrentCulture", 0), ("CurrentCultureIgnoreCase", 1), ("InvariantCulture", 2),
    ("InvariantCultureIgnoreCase", 3), ("Ordinal", 4), ("OrdinalIgnoreCase", 5)])
CONSOLE_COLOR = _dotnet_enum("System.ConsoleColor", [
    (n, i) for i, n in enumerate(["Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta",
                                  "DarkYellow", "Gray", "DarkGray", "Blue", "Green", "Cyan", "Red", "Magenta",
                                  "Yellow", "White"])])
DATETIME_KIND = _dotnet_enum("System.DateTimeKind", [("Unspecified", 0), ("Utc", 1), ("Local", 2)])
REGEX_OPTIONS = _dotnet_enum("System.Text.RegularExpressions.RegexOptions", [
    ("None", 0), ("IgnoreCase", 1), ("Multiline", 2), ("ExplicitCapture", 4), ("Compiled", 8), ("Singleline", 16),
    ("IgnorePatternWhitespace", 32), ("RightToLeft", 64), ("ECMAScript", 256), ("CultureInvariant", 512)],
    flags=True)


class TypeTable:
    """Per-runtime registry of types contributed by the SDK (enums and object classes)."""

    def __init__(self) -> None:
        self.by_name: dict[str, PSType] = {}
        # called with a full name the table does not have (e.g. a module's enums, built when
        # first named); a type one returns is kept
        self.resolvers: list[Callable[[str], PSType | None]] = []
        # called with a name the table does not have; True when it registered more types (a
        # lazily loaded module's), so the name is looked up again
        self.on_miss: Callable[[str], bool] | None = None

    def register_class(self, full_name: str, cls: type) -> PSType:
        kind = "enum" if issubclass(cls, enum.Enum) else "class"
        t = PSType(kind, full_name, py_class=cls)
        self.by_name[full_name.casefold()] = t
        short = full_name.rsplit(".", 1)[-1].casefold()
        self.by_name.setdefault(short, t)
        return t

    def register_enum(self, cls: type[enum.Enum]) -> PSType:
        name = getattr(cls, "__ps_type_name__", None) or cls.__name__
        return self.register_class(str(name), cls)

    def lookup(self, name: str) -> PSType | None:
        t = self.by_name.get(name.casefold())
        if t is None and self.on_miss is not None and self.on_miss(name):
            t = self.by_name.get(name.casefold())
        if t is None and self.resolvers and "." in name:
            for resolve in self.resolvers:
                t = resolve(name)
                if t is not None:
                    self.by_name[name.casefold()] = t
                    break
        return t


def _split_generic(name: str) -> tuple[str, list[str]] | None:
    # "System.Collections.Generic.List[string]" -> ("System.Collections.Generic.List", ["string"])
    if not name.endswith("]") or "[" not in name:
        return None
    head, _, rest = name.partition("[")
    inner = rest[:-1]
    if not inner.strip():
        return None
    depth = 0
    args: list[str] = []
    cur = ""
    for ch in inner:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            args.append(cur.strip())
            cur = ""
        else:
            cur += ch
    args.append(cur.strip())
    return head.strip(), [a.strip("[] ") if a.startswith("[") else a for a in args]


def resolve_type(
    name: str, table: TypeTable | None = None, *, lenient: bool = True
) -> PSType:
    """Resolve a type name; raise `Unable to find type [X].` when unknown and not lenient."""
    t = find_type(name, table)
    if t is not None:
        return t
    stripped = name.strip()
    if lenient and "." in stripped:
        return PSType("named", stripped)
    raise type_not_found(stripped)


def type_not_found(name: str) -> PSError:
    return runtime_error(
        f"Unable to find type [{name}].",
        "TypeNotFound",
        "InvalidOperation",
        target_name=name,
        target_type="TypeName",
    )


def find_type(name: str, table: TypeTable | None = None) -> PSType | None:
    n = name.strip()
    if n.endswith("[]"):
        elem = find_type(n[:-2], table)
        if elem is None:
            return None
        return array_of(elem)
    generic = _split_generic(n)
    if generic is not None:
        head, args = generic
        h = head.casefold()
        if h in ("system.collections.generic.list", "collections.generic.list", "generic.list", "list"):
            elem = find_type(args[0], table) if args else OBJECT
            if elem is None:
                return None
            return PSType("genericlist", f"System.Collections.Generic.List[{elem.full_name}]", element=elem)
        if h in ("system.collections.generic.dictionary", "collections.generic.dictionary", "generic.dictionary"):
            return PSType("dictionary", f"System.Collections.Generic.Dictionary[{','.join(args)}]")
        return None
    key = n.casefold()
    if key in _ACCELERATORS:
        accelerator = _ACCELERATORS[key]
        if accelerator.kind == "unsupported" and table is not None:
            # a module may provide the type behind an accelerator psshim lacks ([wmi])
            provided = table.lookup(accelerator.full_name)
            if provided is not None:
                return provided
        return accelerator
    if key in _BY_FULL_NAME:
        return _BY_FULL_NAME[key]
    if "system." + key in _BY_FULL_NAME:
        return _BY_FULL_NAME["system." + key]
    if table is not None:
        t = table.lookup(n) or table.lookup("System." + n)  # `[Security.Principal.WindowsIdentity]`
        if t is not None:
            return t
    return _exception_type(key)


def _exception_type(key: str) -> PSType | None:
    """An exception type psshim raises or catches (`[Microsoft.HyperV.PowerShell.VirtualizationException]`,
    `[IO.IOException]`) as a type literal: `$_.Exception.GetType() -eq [X]`, `-is [X]`, `[X]::new(...)`."""
    for full_name in known_exception_types():
        folded = full_name.casefold()
        if folded == key or folded == "system." + key:
            return PSType("named", full_name)
    return None


def array_of(elem: PSType) -> PSType:
    return PSType("array", elem.full_name + "[]", element=elem)


def type_of(value: Any, adapters: AdapterRegistry | None = None, table: TypeTable | None = None) -> PSType:
    """`$x.GetType()`."""
    if isinstance(value, PSType):
        return TYPE
    names = type_names(value, adapters)
    # `CimInstance#root/virtualization/v2/Msvm_ComputerSystem` is a name PowerShell's type data
    # adds; GetType() gives the .NET type behind it
    first = next((n for n in names if "#" not in n), names[0])
    if isinstance(value, list) and first == "System.Object[]":
        return OBJECT_ARRAY
    t = find_type(first, table)
    if t is not None:
        return t
    if isinstance(value, enum.Enum):
        return PSType("enum", first, py_class=type(value))
    return PSType("named", first, py_class=type(value))


_NUMERIC_KINDS = ("int", "double", "decimal")


def is_instance(value: Any, t: PSType, adapters: AdapterRegistry | None = None) -> bool:
    """`$value -is [t]`."""
    k = t.kind
    if value is None:
        return False
    if k == "object":
        return True
    if k == "psobject":
        return True  # everything is wrapped in a PSObject in PowerShell
    if k == "pscustomobject":
        return isinstance(value, PSObject)
    if k == "string":
        return isinstance(value, str) and not isinstance(value, Char)
    if k == "char":
        return isinstance(value, Char)
    if k == "bool":
        return isinstance(value, bool)
    if k == "int":
        if not isinstance(value, int) or isinstance(value, (bool, enum.Enum)):
            return False
        names = type_names(value)
        return names[0] == t.full_name
    if k == "double":
        return isinstance(value, float) and t.full_name == "System.Double"
    if k == "decimal":
        return isinstance(value, Decimal)
    if k == "datetime":
        return isinstance(value, dt.datetime)
    if k == "timespan":
        return isinstance(value, dt.timedelta)
    if k == "guid":
        return isinstance(value, uuid.UUID)
    if k == "version":
        return isinstance(value, Version)
    if k == "hashtable":
        return isinstance(value, Hashtable) and not value.ordered
    if k == "ordered":
        return isinstance(value, Hashtable) and value.ordered
    if k == "array":
        if not isinstance(value, list):
            return False
        if t.full_name in ("System.Array",):
            return True
        if type(value) is not list:
            return False
        return t.element is None or t.element.kind == "object"
    if k == "arraylist":
        return isinstance(value, ArrayList)
    if k == "genericlist":
        return isinstance(value, GenericList)
    if k == "scriptblock":
        return "System.Management.Automation.ScriptBlock" in type_names(value)
    if k == "type":
        return isinstance(value, PSType)
    if k in ("enum", "class") and t.py_class is not None:
        if isinstance(value, t.py_class):
            return True
    names = [n.casefold() for n in type_names(value, adapters)]
    if t.full_name.casefold() in names:
        return True
    if k == "exception":
        return False
    short = t.full_name.casefold()
    return any(n.rsplit(".", 1)[-1] == short for n in names) if "." not in short else False


def enum_type_of(cls: type[enum.Enum]) -> PSType:
    name = getattr(cls, "__ps_type_name__", None) or cls.__name__
    return PSType("enum", str(name), py_class=cls)


def from_python_class(cls: type, table: TypeTable | None = None) -> PSType:
    """A PSType for a Python class used in a cmdlet declaration (enum, SDK class or builtin)."""
    builtin: dict[type, PSType] = {
        str: STRING, int: INT32, float: DOUBLE, bool: BOOL, Decimal: DECIMAL,
        dt.datetime: DATETIME, dt.timedelta: TIMESPAN, uuid.UUID: GUID, Hashtable: HASHTABLE,
        PSObject: PSOBJECT, object: OBJECT, Int64: INT64, Char: CHAR, Version: VERSION,
    }
    if cls in builtin:
        return builtin[cls]
    if table is not None:
        for t in table.by_name.values():
            if t.py_class is cls:
                return t
    if issubclass(cls, enum.Enum):
        return enum_type_of(cls)
    name = getattr(cls, "__ps_type_name__", None)
    return PSType("class", str(name) if name else f"{cls.__module__}.{cls.__qualname__}", py_class=cls)


TypeSpec = "str | type | PSType"


def coerce_spec(spec: Any, table: TypeTable | None = None) -> PSType:
    """Accept a PSType, a PowerShell type name (`'string[]'`) or a Python class."""
    if isinstance(spec, PSType):
        return spec
    if isinstance(spec, str):
        return resolve_type(spec, table)
    if isinstance(spec, type):
        return from_python_class(spec, table)
    raise TypeError(f"not a type spec: {spec!r}")


Converter = Callable[[Any], Any]
