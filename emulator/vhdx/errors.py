"""Exceptions raised by the VHDX library.

Every error that concerns a file carries the display name the caller gave
when opening it, so messages can say which file of a chain is at fault.
"""

from __future__ import annotations


class VhdxError(Exception):
    """Base class of every error raised by ``emulator.vhdx``."""


class CorruptVhdxError(VhdxError):
    """A structure of a VHDX file fails validation (bad CRC, bad field, bad layout)."""

    def __init__(self, path: str, structure: str, detail: str) -> None:
        self.path = path
        self.structure = structure
        self.detail = detail
        super().__init__(f"{path}: corrupt {structure}: {detail}")


class UnsupportedVhdxError(VhdxError):
    """A valid VHDX file uses a feature this library does not implement."""

    def __init__(self, path: str, detail: str) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: unsupported: {detail}")


class ParentLinkageError(VhdxError):
    """A differencing disk's parent locator does not match the parent found."""

    def __init__(self, child: str, parent: str, detail: str) -> None:
        self.child = child
        self.parent = parent
        self.detail = detail
        super().__init__(f"{child}: parent {parent}: {detail}")


class ReadOnlyVhdxError(VhdxError):
    """A write was attempted on a file opened read-only or frozen (it has children)."""

    def __init__(self, path: str, detail: str = "file is read-only") -> None:
        self.path = path
        super().__init__(f"{path}: {detail}")


class MergeError(VhdxError):
    """A merge cannot start or continue (bad arguments, busy journal, tampered files)."""
