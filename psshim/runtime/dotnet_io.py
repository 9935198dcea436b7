""".NET file and text-encoding statics over the run's host files: `[System.IO.File]::ReadAllBytes`
/ `WriteAllBytes`, `[System.IO.Directory]::CreateDirectory` / `Exists`, and
`[System.Text.Encoding]::UTF8` (and Unicode, BigEndianUnicode, UTF32, ASCII, Default,
`GetEncoding(name or code page)`) with `GetString(bytes[, index, count])`, `GetBytes(text)`,
`GetByteCount`, `GetPreamble`.

Byte arrays are lists of ints, as `[System.Convert]::FromBase64String` returns them here. Paths
are the emulated host's (`services.files`), resolved against the current location. Failures are
.NET's: `Exception calling "ReadAllBytes" with "1" argument(s): "Could not find file '…'."`
(FileNotFoundException), `Could not find a part of the path '…'.` (DirectoryNotFoundException),
`Access to the path '…' is denied.` (UnauthorizedAccessException, for a folder), and
CreateDirectory's IOException when a file has the name.

`members.py` calls `get_static` and `invoke_static` for these types; the errors of a call and
`VOID` come from `dotnet_methods`, below both.
"""

from __future__ import annotations

import codecs
from typing import Any, Protocol

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import paths as P
from hyperv_emu.psshim.runtime.dotnet_methods import VOID, method_exception, overload_error, param_note
from hyperv_emu.psshim.runtime.errors import PSError
from hyperv_emu.psshim.runtime.fileerrors import FileViewError
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative
from hyperv_emu.psshim.runtime.values import PSObject

FILE = "System.IO.File"
DIRECTORY = "System.IO.Directory"
ENCODING = "System.Text.Encoding"


class IOEnv(Protocol):
    """What these statics need of the member environment (psshim.runtime.frames.FrameEnv)."""

    @property
    def files(self) -> Any: ...

    def resolve_path(self, path: str) -> str: ...


# --- encodings -----------------------------------------------------------------------------------

# name -> (.NET class, codec, WebName, EncodingName, code page, preamble)
_ENCODINGS: dict[str, tuple[str, str, str, str, int, bytes]] = {
    "utf8": ("System.Text.UTF8Encoding", "utf-8", "utf-8", "Unicode (UTF-8)", 65001, codecs.BOM_UTF8),
    "unicode": ("System.Text.UnicodeEncoding", "utf-16-le", "utf-16", "Unicode", 1200, codecs.BOM_UTF16_LE),
    "bigendianunicode": ("System.Text.UnicodeEncoding", "utf-16-be", "utf-16BE", "Unicode (Big-Endian)", 1201,
                         codecs.BOM_UTF16_BE),
    "utf32": ("System.Text.UTF32Encoding", "utf-32-le", "utf-32", "Unicode (UTF-32)", 12000, codecs.BOM_UTF32_LE),
    "ascii": ("System.Text.ASCIIEncoding", "ascii", "us-ascii", "US-ASCII", 20127, b""),
    "default": ("System.Text.SBCSCodePageEncoding", "cp1252", "Windows-1252", "Western European (Windows)", 1252,
                b""),
    "latin1": ("System.Text.Latin1Encoding", "latin-1", "iso-8859-1", "Western European (ISO)", 28591, b""),
}
_BY_WEB_NAME = {v[2].casefold(): k for k, v in _ENCODINGS.items()} | {"utf8": "utf8", "utf-16le": "unicode",
                                                                        "windows-1252": "default", "ascii": "ascii"}
_BY_CODE_PAGE = {v[4]: k for k, v in _ENCODINGS.items()}


class EncodingValue(PSNative):
    """A System.Text.Encoding instance."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.cls, self.codec, self.web_name, self.display, self.code_page, self.preamble = _ENCODINGS[key]

    @property
    def __ps_type_names__(self) -> list[str]:  # type: ignore[override]
        return [self.cls, ENCODING, "System.Object"]

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("BodyName", self.web_name), ("EncodingName", self.display), ("HeaderName", self.web_name),
                ("WebName", self.web_name), ("WindowsCodePage", 1200 if self.code_page in (1200, 1201, 12000, 65001)
                                             else self.code_page),
                ("IsBrowserDisplay", True), ("IsBrowserSave", True), ("IsMailNewsDisplay", True),
                ("IsMailNewsSave", True), ("IsSingleByte", self.code_page in (1252, 20127, 28591)),
                ("IsReadOnly", True), ("CodePage", self.code_page)]

    def __ps_string__(self) -> str:
        return self.cls

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        n = name.casefold()
        if n == "getstring":
            if len(args) not in (1, 3):
                raise overload_error(name, len(args))
            data = _bytes(args[0], name, len(args))
            if len(args) == 3:
                start, count = int(C.to_double(args[1])), int(C.to_double(args[2]))
                if start < 0 or count < 0 or start + count > len(data):
                    raise method_exception(name, 3, "Index and count must refer to a location within the buffer.")
                data = data[start:start + count]
            return data.decode(self.codec, "replace")
        if n in ("getbytes", "getbytecount"):
            if len(args) != 1:
                raise overload_error(name, len(args))
            text = "".join(C.to_string(c) for c in args[0]) if isinstance(args[0], list) else C.to_string(args[0])
            encoded = text.encode(self.codec, "replace")
            return list(encoded) if n == "getbytes" else len(encoded)
        if n == "getpreamble" and not args:
            return list(self.preamble)
        if n == "tostring" and not args:
            return self.cls
        return NOT_FOUND


def _bytes(value: Any, name: str, nargs: int) -> bytes:
    if value is None:
        raise method_exception(name, nargs, _null_note("bytes"), "System.ArgumentNullException")
    items = value if isinstance(value, list) else [value]
    try:
        return bytes(int(C.to_double(b)) & 0xFF if not isinstance(b, int) else b for b in items)
    except (ValueError, PSError):
        raise method_exception(name, nargs, "The value is not a byte array.") from None


def _null_note(param: str) -> str:
    return "Value cannot be null." + param_note(param)


def get_static(full_name: str, n: str) -> Any:
    if full_name == ENCODING and n in _ENCODINGS:
        return EncodingValue(n)
    return NOT_FOUND


# --- files and folders ---------------------------------------------------------------------------


def _info(files: Any, path: str) -> Any:
    """The FileInfo-like entry at `path` (`.is_dir`), or None; a drive root always exists."""
    getter = getattr(files, "info", None)
    found: Any = None
    if getter is not None:
        found = getter(path)
    elif files is not None and files.exists(path):
        found = _Exists(bool(getattr(files, "is_dir", lambda p: False)(path)))
    if found is None and len(path) == 3 and path[1:] == ":\\" and path[0].isalpha():
        return _Exists(True)
    return found


class _Exists:
    def __init__(self, is_dir: bool) -> None:
        self.is_dir = is_dir


def _directory_info(full: str) -> PSObject:
    parent = P.parent(full)
    return PSObject({"Name": P.leaf(full) or full, "FullName": full, "Parent": P.leaf(parent), "Exists": True,
                     "Root": full[:3], "Extension": "", "Attributes": "Directory"},
                    ["System.IO.DirectoryInfo", "System.IO.FileSystemInfo", "System.MarshalByRefObject",
                     "System.Object"])


def invoke_static(full_name: str, name: str, n: str, args: list[Any], env: IOEnv) -> Any:
    if full_name not in (FILE, DIRECTORY, ENCODING):
        return NOT_FOUND
    if full_name == ENCODING:
        if n == "getencoding" and len(args) == 1:
            key = _BY_CODE_PAGE.get(int(args[0])) if isinstance(args[0], int) and not isinstance(args[0], bool) \
                else _BY_WEB_NAME.get(C.to_string(args[0]).casefold())
            if key is None:
                raise method_exception(name, 1, f"'{C.to_string(args[0])}' is not a supported encoding name.")
            return EncodingValue(key)
        return NOT_FOUND
    files = env.files
    if not args or args[0] is None:
        return NOT_FOUND if not args else _raise_null(name, len(args))
    full = env.resolve_path(C.to_string(args[0]))
    parent = P.parent(full)

    def fail(message: str, exc_type: str) -> PSError:
        return method_exception(name, len(args), message, exc_type)

    def missing_parent_or(message: str, exc_type: str) -> PSError:
        up = _info(files, parent) if parent and parent != full else None
        if up is None or not up.is_dir:
            return fail(f"Could not find a part of the path '{full}'.", "System.IO.DirectoryNotFoundException")
        return fail(message, exc_type)

    if full_name == FILE and n == "readallbytes" and len(args) == 1:
        info = _info(files, full)
        if info is None:
            raise missing_parent_or(f"Could not find file '{full}'.", "System.IO.FileNotFoundException")
        if info.is_dir:
            raise fail(f"Access to the path '{full}' is denied.", "System.UnauthorizedAccessException")
        reader = getattr(files, "read_bytes", None)
        data = reader(full) if reader is not None else files.read_text(full).encode("utf-8")
        return list(bytes(data))
    if full_name == FILE and n == "writeallbytes" and len(args) == 2:
        if args[1] is None:
            raise method_exception(name, 2, _null_note("bytes"), "System.ArgumentNullException")
        data = _bytes(args[1], name, 2)
        info = _info(files, full)
        if info is not None and info.is_dir:
            raise fail(f"Access to the path '{full}' is denied.", "System.UnauthorizedAccessException")
        up = _info(files, parent)
        if up is None or not up.is_dir:
            raise fail(f"Could not find a part of the path '{full}'.", "System.IO.DirectoryNotFoundException")
        writer = getattr(files, "write_bytes", None)
        try:
            if writer is not None:
                writer(full, data, False)
            else:
                files.write_text(full, data.decode("utf-8", "replace"), False)
        except FileViewError as exc:  # a path of this machine (read-only)
            raise fail(exc.message, exc.exception_type) from None
        return VOID
    if full_name == DIRECTORY and n == "exists" and len(args) == 1:
        info = _info(files, full)
        return info is not None and bool(info.is_dir)
    if full_name == DIRECTORY and n == "createdirectory" and len(args) == 1:
        # every missing folder on the way is made; a file anywhere on the way is an error
        chain: list[str] = []
        here = full
        while here:
            info = _info(files, here)
            if info is not None:
                if not info.is_dir:
                    raise fail(f'Cannot create "{here}" because a file or directory with the same name already '
                               'exists.', "System.IO.IOException")
                break
            chain.append(here)
            up = P.parent(here)
            if not up or up == here:
                break
            here = up
        if chain:
            maker = getattr(files, "make_dir", None)
            if maker is None:
                from hyperv_emu.psshim.runtime.errors import not_supported

                raise not_supported("Creating folders on this host")
            try:
                maker(full)
            except FileViewError as exc:  # a path of this machine (read-only)
                raise fail(exc.message, exc.exception_type) from None
        return _directory_info(full)
    return NOT_FOUND


def _raise_null(name: str, nargs: int) -> Any:
    raise method_exception(name, nargs, _null_note("path"), "System.ArgumentNullException")
