"""The Windows files every emulated host has: the Hyper-V role's binaries in C:\\Windows\\System32.

Scripts find out which Hyper-V they talk to from these files before they touch a VM: Vagrant's
Hyper-V provider reads `(Get-Item "$env:SystemRoot\\System32\\vmms.exe").VersionInfo.ProductVersion`
and casts it to [version] on every status check; build scripts test for vmms.exe or vmwp.exe to
see whether the role is installed. The reference host is Windows Server 2022 (build 20348), so
each binary's version resource reads 10.0.20348.1 (FileVersion with the build branch appended,
as Windows binaries have it).

C:\\, C:\\Windows and C:\\Windows\\System32 exist on every host as folders. The files are the
host's, read-only and not stored: they show through Get-Item, Test-Path and
Get-ChildItem, their bytes read as an executable image's header followed by zeros, and writing
or deleting them is refused with .NET's UnauthorizedAccessException text (as an administrator
is refused TrustedInstaller's files). A file the state stores at the same path takes precedence.
"""

from __future__ import annotations

import datetime as dt

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import AccessDenied
from hyperv_emu.emulator.fieldwise import Fieldwise

PRODUCT_VERSION = "10.0.20348.1"
FILE_VERSION = "10.0.20348.1 (WinBuild.160101.0800)"
PRODUCT_NAME = "Microsoft\u00ae Windows\u00ae Operating System"
COMPANY = "Microsoft Corporation"
LAST_WRITE = dt.datetime(2021, 5, 8, 1, 14, 0)  # the release build's files (host local time)


@attrs.frozen(eq=False, repr=False)
class SystemFile(Fieldwise):
    path: str
    length: int
    description: str


@attrs.frozen(eq=False, repr=False)
class VersionResource(Fieldwise):
    """What FileVersionInfo reads from a binary's version resource."""

    product_version: str
    file_version: str
    product_name: str
    company_name: str
    file_description: str


_FILES = (
    SystemFile("C:\\Windows\\System32\\vmms.exe", 3_145_728, "Virtual Machine Management Service"),
    SystemFile("C:\\Windows\\System32\\vmwp.exe", 4_194_304, "Virtual Machine Worker Process"),
    SystemFile("C:\\Windows\\System32\\vmcompute.exe", 2_097_152, "Hyper-V Host Compute Service"),
)
_BY_KEY = {winpath.parse(f.path).key(): f for f in _FILES}
_FOLDERS = {winpath.parse(p).key(): p for p in ("C:\\", "C:\\Windows", "C:\\Windows\\System32")}


def file(path: str) -> SystemFile | None:
    return _BY_KEY.get(winpath.parse(path).key())


def is_folder(path: str) -> bool:
    return winpath.parse(path).key() in _FOLDERS


def is_system_path(path: str) -> bool:
    """A catalogued file (writes and deletes are refused)."""
    return file(path) is not None


def children(folder: str) -> list[tuple[str, bool, int]]:
    """(name, is folder, length) of the catalogue's entries directly in `folder`."""
    key = winpath.parse(folder).key()
    out: list[tuple[str, bool, int]] = []
    for p in _FOLDERS.values():
        wp = winpath.parse(p)
        if wp.parent.key() == key and wp.key() != key:
            out.append((wp.name, True, 0))
    for f in _FILES:
        wp = winpath.parse(f.path)
        if wp.parent.key() == key:
            out.append((wp.name, False, f.length))
    return out


def ensure_writable(path: str) -> None:
    """Refuse to write or delete a catalogued file or folder (TrustedInstaller's, not the admin's)."""
    if is_system_path(path) or is_folder(path):
        raise AccessDenied(f"Access to the path '{winpath.parse(path)}' is denied.", target=path)


def version(path: str) -> VersionResource | None:
    f = file(path)
    if f is None:
        return None
    return VersionResource(PRODUCT_VERSION, FILE_VERSION, PRODUCT_NAME, COMPANY, f.description)


def content(path: str) -> bytes:
    """The bytes a read sees: an executable image's `MZ` header, then zeros."""
    f = file(path)
    return b"" if f is None else b"MZ" + bytes(f.length - 2)
