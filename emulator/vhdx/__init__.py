r"""Standalone VHDX / AVHDX reader-writer ([MS-VHDX]).

Bytes live wherever the caller says: every function takes a
:class:`RandomAccessFile` or an :data:`Opener` (``opener(name, writable)``
returning one). This package imports nothing from the rest of the project.

Typical use::

    base = create_dynamic(opener_new("SRV.vhdx"), 60 * 10**9, name="SRV.vhdx")
    child = create_differencing(opener_new("SRV_<GUID>.avhdx"), base,
                                parent_win_path=r"D:\VMs\SRV.vhdx",
                                child_win_path=r"D:\VMs\SRV_<GUID>.avhdx")
    chain = open_chain(opener, "SRV_<GUID>.avhdx")   # parents found by relative_path
    chain.write(4096, b"...")                          # only the top is ever written
    data = chain.read(0, 1 << 20)
    merge_into_parent(DiskRef("SRV_<GUID>.avhdx"), DiskRef("SRV.vhdx", r"D:\VMs\SRV.vhdx"),
                      [], journal, opener, delete_child=delete)
    recover(journal, opener, delete_child=delete)      # after a crash, in any later process

Objects are not thread-safe; a :class:`VhdxChain` caches block resolution and
BATs, so reopen it after another object (e.g. a merge) changed its files.
"""

# The submodules are imported when one of their names is first used (PEP 562): a run that only
# creates disks does not import the merge, journal and chain code. Type checkers read the
# imports below.
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .chain import Opener, ParentResolver, VhdxChain, check_linkage, open_chain
    from .create import (
        DiskIdentity,
        create_differencing,
        create_differencing_with_length,
        create_dynamic,
        create_fixed,
        identity_of,
        make_parent_locator,
        parent_locator_for,
        write_differencing,
        write_dynamic,
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

_SUBMODULE = {
    "CorruptVhdxError": "errors",
    "DiskIdentity": "create",
    "DiskRef": "merge",
    "FsspecFile": "raf",
    "Geometry": "layout",
    "JournalStore": "journal",
    "LocalFile": "raf",
    "LocalFileJournal": "journal",
    "MergeError": "errors",
    "MergeJob": "merge",
    "MergeProgress": "merge",
    "Opener": "chain",
    "ParentLinkageError": "errors",
    "ParentLocator": "structs",
    "ParentResolver": "chain",
    "RafJournal": "journal",
    "RandomAccessFile": "raf",
    "ReadOnlyVhdxError": "errors",
    "SparseMemoryFile": "raf",
    "UnsupportedVhdxError": "errors",
    "VhdxChain": "chain",
    "VhdxError": "errors",
    "VhdxFile": "vhdxfile",
    "absolute_win32_path": "paths",
    "check_linkage": "chain",
    "create_differencing": "create",
    "create_differencing_with_length": "create",
    "create_dynamic": "create",
    "create_fixed": "create",
    "identity_of": "create",
    "is_zero": "raf",
    "make_parent_locator": "create",
    "merge_into_parent": "merge",
    "open_chain": "chain",
    "open_raf": "raf",
    "parent_locator_for": "create",
    "recover": "merge",
    "relative_win_path": "paths",
    "resolve_parent_name": "paths",
    "write_differencing": "create",
    "write_dynamic": "create",
    "write_sparse": "raf",
}


def __getattr__(name: str) -> Any:
    module = _SUBMODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULE))


__all__ = [
    "CorruptVhdxError",
    "DiskIdentity",
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
    "create_fixed",
    "identity_of",
    "is_zero",
    "make_parent_locator",
    "merge_into_parent",
    "open_chain",
    "open_raf",
    "parent_locator_for",
    "recover",
    "relative_win_path",
    "resolve_parent_name",
    "write_differencing",
    "write_dynamic",
    "write_sparse",
]
