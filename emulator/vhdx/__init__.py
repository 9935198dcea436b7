"""Standalone VHDX / AVHDX reader-writer ([MS-VHDX]).

Bytes live wherever the caller says: every function takes a
:class:`RandomAccessFile` or an :data:`Opener` (``opener(name, writable)``).
This package imports nothing from the rest of the project.
"""

from .chain import Opener, ParentResolver, VhdxChain, check_linkage, open_chain
from .create import (
    create_differencing,
    create_differencing_with_length,
    create_dynamic,
    make_parent_locator,
    parent_locator_for,
)
from .errors import (
    CorruptVhdxError,
    MergeError,
    ParentLinkageError,
    ReadOnlyVhdxError,
    UnsupportedVhdxError,
    VhdxError,
)
from .journal import JournalStore, LocalFileJournal, RafJournal
from .layout import Geometry
from .merge import DiskRef, MergeJob, MergeProgress, merge_into_parent, recover
from .paths import absolute_win32_path, relative_win_path, resolve_parent_name
from .raf import (
    FsspecFile,
    LocalFile,
    RandomAccessFile,
    SparseMemoryFile,
    is_zero,
    open_raf,
    write_sparse,
)
from .structs import ParentLocator
from .vhdxfile import VhdxFile

__all__ = [
    "CorruptVhdxError",
    "DiskRef",
    "FsspecFile",
    "Geometry",
    "JournalStore",
    "LocalFile",
    "LocalFileJournal",
    "MergeError",
    "MergeJob",
    "MergeProgress",
    "Opener",
    "ParentLinkageError",
    "ParentLocator",
    "ParentResolver",
    "RafJournal",
    "RandomAccessFile",
    "ReadOnlyVhdxError",
    "SparseMemoryFile",
    "UnsupportedVhdxError",
    "VhdxChain",
    "VhdxError",
    "VhdxFile",
    "absolute_win32_path",
    "check_linkage",
    "create_differencing",
    "create_differencing_with_length",
    "create_dynamic",
    "is_zero",
    "make_parent_locator",
    "merge_into_parent",
    "open_chain",
    "open_raf",
    "parent_locator_for",
    "recover",
    "relative_win_path",
    "resolve_parent_name",
    "write_sparse",
]
