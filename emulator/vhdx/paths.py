"""Windows path helpers for parent locators, and the default parent resolver."""

from __future__ import annotations

import ntpath
import posixpath
import re

from .structs import ParentLocator

LONG_PREFIX = "\\\\?\\"
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def strip_long_prefix(path: str) -> str:
    """``\\\\?\\D:\\x`` -> ``D:\\x``; ``\\\\?\\UNC\\srv\\share`` -> ``\\\\srv\\share``."""
    if path.startswith(LONG_PREFIX + "UNC\\"):
        return "\\\\" + path[len(LONG_PREFIX) + 4 :]
    if path.startswith(LONG_PREFIX):
        return path[len(LONG_PREFIX) :]
    return path


def absolute_win32_path(path: str) -> str:
    """The ``absolute_win32_path`` form Hyper-V writes: ``\\\\?\\D:\\dir\\file.vhdx``."""
    plain = ntpath.normpath(strip_long_prefix(path).replace("/", "\\"))
    if plain.startswith("\\\\"):
        return LONG_PREFIX + "UNC\\" + plain[2:]
    return LONG_PREFIX + plain


def relative_win_path(child_win_path: str, parent_win_path: str) -> str | None:
    """Parent path relative to the child's folder, as ``relative_path`` stores it.

    ``.\\SRV-APP01.vhdx`` for the same folder, ``..\\x\\base.vhdx`` otherwise;
    None when no relative path exists (different drives or shares).
    """
    child = ntpath.normpath(strip_long_prefix(child_win_path).replace("/", "\\"))
    parent = ntpath.normpath(strip_long_prefix(parent_win_path).replace("/", "\\"))
    child_drive = ntpath.splitdrive(child)[0]
    parent_drive = ntpath.splitdrive(parent)[0]
    if child_drive.lower() != parent_drive.lower():
        return None
    parent_folder, parent_name = ntpath.split(parent)
    if parent_name and parent_folder.lower() == ntpath.dirname(child).lower():
        return ".\\" + parent_name  # the same folder (Hyper-V's usual layout)
    try:
        rel = ntpath.relpath(parent, ntpath.dirname(child))
    except ValueError:
        return None
    if rel.startswith(".."):
        return rel
    return ".\\" + rel


def looks_like_windows_path(name: str) -> bool:
    return bool(_DRIVE.match(name)) or name.startswith("\\\\") or ("\\" in name and "/" not in name)


def resolve_parent_name(child_name: str, locator: ParentLocator) -> str:
    """Default parent resolver: the child's folder joined with ``relative_path``.

    ``child_name`` is the opener name of the child: a Windows path (joined with
    ntpath), a POSIX path or an fsspec URL (joined with posixpath, ``\\`` turned
    into ``/``). Without ``relative_path`` the ``absolute_win32_path`` (without
    its ``\\\\?\\`` prefix) is returned.
    """
    rel = locator.relative_path
    if rel:
        if looks_like_windows_path(child_name):
            return ntpath.normpath(ntpath.join(ntpath.dirname(child_name), rel))
        protocol = ""
        path = child_name
        if "://" in child_name:
            protocol, path = child_name.split("://", 1)
            protocol += "://"
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(path), rel.replace("\\", "/")))
        if path.startswith("/") and not joined.startswith("/"):
            joined = "/" + joined
        return protocol + joined
    if locator.absolute_win32_path:
        return strip_long_prefix(locator.absolute_win32_path)
    if locator.volume_path:
        return locator.volume_path
    raise ValueError("parent locator has no path")
