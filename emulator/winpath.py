"""Windows paths of an emulated host, checked and mapped into the state root.

Every file name the emulator touches goes through `parse`, so no name, however hostile
(`..\\..\\x`, `/`, NUL, 10,000 characters, any Unicode), can reach outside a host's folder:
- the path must be absolute with a drive letter (`D:\\...`); UNC and device paths are refused;
- `/` is read as `\\` (as Windows does); `.` components drop; `..` stops at the drive root
  (as Windows does);
- components may not hold NUL, control characters or `< > : " | ? *`, may not be a reserved
  device name (CON, NUL, COM1, ...), and are at most 255 characters; the whole path at most
  32,767; trailing dots and spaces of a component are dropped, as Win32 does;
- because a host's files are files of this machine, a component is also at most 255 bytes in
  UTF-8 and the whole path at most MAX_STORED_BYTES (Linux's limits), and lone surrogates (not
  Unicode text) are refused: such a path is refused here rather than failing when stored.
"""

from __future__ import annotations

import functools
import re

import attrs

from hyperv_emu.emulator.errors import PathError

MAX_COMPONENT = 255
MAX_PATH = 32767
MAX_COMPONENT_BYTES = 255
MAX_STORED_BYTES = 3000  # leaves room for the state root within Linux's 4,096-byte PATH_MAX
_BAD_CHARS = re.compile(r'[\x00-\x1f<>:"|?*]')
_RESERVED = {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")


@attrs.frozen
class WinPath:
    """A normalised absolute Windows path: drive letter (upper case) and components."""

    drive: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.drive}:\\" + "\\".join(self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1] if self.parts else ""

    @property
    def parent(self) -> "WinPath":
        return WinPath(self.drive, self.parts[:-1])

    def joinpath(self, *names: str) -> "WinPath":
        return parse(str(self) + "\\" + "\\".join(names))

    def key(self) -> str:
        """Case-insensitive identity (NTFS compares names case-insensitively)."""
        return str(self).casefold()

    def is_under(self, other: "WinPath") -> bool:
        a = [p.casefold() for p in self.parts]
        b = [p.casefold() for p in other.parts]
        return self.drive == other.drive and a[: len(b)] == b


def parse(text: str) -> WinPath:
    """The checked, normalised path `text` (PathError says why it is refused)."""
    if not isinstance(text, str) or not text:
        raise PathError("The path is empty.")
    return _parse(text)


@functools.lru_cache(maxsize=65536)  # a 1000-VM world has some 40,000 paths
def _parse(text: str) -> WinPath:
    # A pure function of the text (WinPath is frozen): the emulator parses the same few
    # paths hundreds of times per run, so results are memoised (refusals are not). `parse` has
    # refused non-strings and the empty path.
    if len(text) > MAX_PATH:
        raise PathError(f"The path is longer than {MAX_PATH} characters.")
    if "\x00" in text:
        raise PathError("The path contains a NUL character.")
    if text.startswith(("\\\\", "//")):
        raise PathError(f"Network and device paths are not supported by hvemu: '{_show(text)}'.")
    m = _DRIVE.match(text)
    if not m:
        raise PathError(f"The path '{_show(text)}' is not an absolute path with a drive letter.")
    drive = m.group(1).upper()
    rest = text[m.end():].replace("/", "\\")
    parts: list[str] = []
    for raw in rest.split("\\"):
        if raw in ("", "."):
            continue
        if raw == "..":
            if parts:
                parts.pop()
            continue
        comp = raw.rstrip(" .")
        if not comp:
            raise PathError(f"The path '{_show(text)}' has a component made only of dots or spaces.")
        if _BAD_CHARS.search(comp):
            raise PathError(f"The path '{_show(text)}' contains a character that is not valid in a file name.")
        if len(comp) > MAX_COMPONENT:
            raise PathError(f"A component of the path '{_show(text)}' is longer than {MAX_COMPONENT} characters.")
        try:
            encoded = len(comp.encode("utf-8"))
        except UnicodeEncodeError:
            raise PathError(f"The path '{_show(text)}' is not valid Unicode text.") from None
        if encoded > MAX_COMPONENT_BYTES:
            raise PathError(
                f"A component of the path '{_show(text)}' is longer than {MAX_COMPONENT_BYTES} bytes in UTF-8, "
                "more than hvemu can store."
            )
        if comp.split(".")[0].casefold() in _RESERVED:
            raise PathError(f"The path '{_show(text)}' uses the reserved device name '{comp}'.")
        parts.append(comp)
    if sum(len(p.encode("utf-8")) + 1 for p in parts) > MAX_STORED_BYTES:
        raise PathError(f"The path '{_show(text)}' is longer than {MAX_STORED_BYTES} bytes in UTF-8, more than hvemu can store.")
    return WinPath(drive, tuple(parts))


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except PathError:
        return False
    return True


def _show(text: str) -> str:
    """A printable, bounded rendering of a hostile path for messages."""
    shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text[:120])
    return shown + ("..." if len(text) > 120 else "")


_HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9-]{1,63})*$")


def check_host_name(name: str) -> str:
    """A host (computer) name: DNS-like labels, used as a folder name in the state."""
    if not isinstance(name, str) or len(name) > 253 or not _HOST_NAME.match(name):
        raise PathError(f"'{_show(str(name))}' is not a valid computer name.")
    return name


def netbios_name(host_name: str) -> str:
    """ComputerName as the Hyper-V module reports it: the NetBIOS name, upper case."""
    return host_name.split(".")[0][:15].upper()
