"""Copy-Item, Move-Item and Rename-Item over the emulated host's files (the run's
`services.files`), with the FileSystem provider's rules:

- Copy-Item overwrites an existing file; a folder is copied with its content only with
  -Recurse (without it, just the folder); a destination that is an existing folder receives
  the item under its own name;
- Move-Item refuses an existing destination file unless -Force ("Cannot create a file when that
  file already exists."); folders cannot be moved or renamed (the host's file view cannot delete
  a folder; a clear "not supported by hvemu" error);
- Rename-Item takes a new *name* (a path to another folder is refused); a missing item is
  "Cannot rename because item at '...' does not exist.".

The files are copied byte for byte through the SDK (`read_bytes`/`write_bytes`); the copies'
LastWriteTime is the host's clock at the copy (real Windows keeps the source's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.files import MGMT, NS, _FileCmdlet, item_object
from hyperv_emu.psshim.runtime import paths as P
from hyperv_emu.psshim.runtime.registry import InSet, Param, cmdlet
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import FileInfo


def _folders_stay() -> Exception:
    from hyperv_emu.psshim.runtime.errors import not_supported

    # the emulated host's file view cannot delete a folder (Remove-Item of one fails too)
    return not_supported("Moving or renaming a folder")


class _TransferCmdlet(_FileCmdlet):
    def sources(self) -> Iterator[FileInfo]:
        literal = self.is_bound("LiteralPath")
        raw_paths = self.ctx.bound.get("LiteralPath" if literal else "Path") or []
        for raw in raw_paths:
            yield from self.expand(str(raw), literal)

    def target_of(self, item: FileInfo, destination: str) -> str:
        dest = self.info(destination)
        if dest is not None and dest.is_dir:
            return P.join(destination, item.name)
        return destination

    def copy_tree(self, item: FileInfo, target: str, recurse: bool) -> None:
        if item.is_dir:
            if self.info(target) is None:
                self.files.make_dir(target)
            if recurse:
                for child in self.listing(item.path):
                    self.copy_tree(child, P.join(target, child.name), True)
            return
        self.files.write_bytes(target, self.files.read_bytes(item.path), False)

    def delete_tree(self, item: FileInfo) -> None:
        if item.is_dir:
            for child in self.listing(item.path):
                self.delete_tree(child)
        self.files.delete(item.path)

    def io_error(self, message: str, error_id: str, target: str) -> None:
        self.ctx.write_error(self.ctx.error_record(message, error_id, "WriteError", target_object=target,
                                                   exception_type="System.IO.IOException"))

    def passthru(self, path: str) -> Iterator[Any]:
        if self.ctx.bound.get("PassThru"):
            info = self.info(path)
            if info is not None:
                yield item_object(info)


@cmdlet("Copy-Item", aliases=("copy", "cp", "cpi"), module=MGMT, class_name=NS + "CopyItemCommand",
        default_set="Path", supports_should_process=True)
class CopyItem(_TransferCmdlet):
    """Copies files and folders on the emulated host."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Destination = Param("string", position=1, pipeline_by_property=True)
    Recurse = Param("switch")
    Container = Param("switch")
    Force = Param("switch")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        destination = self.ctx.resolve_path(str(self.Destination or "."))
        for item in self.sources():
            target = self.target_of(item, destination)
            if P.normalize(target).casefold() == P.normalize(item.path).casefold():
                self.io_error(f"Cannot overwrite the item {item.path} with itself.", "CopyError", item.path)
                continue
            action = "Copy Directory" if item.is_dir else "Copy File"
            if not self.ctx.should_process(f"Item: {item.path} Destination: {target}", action):
                continue
            try:
                self.copy_tree(item, target, bool(self.Recurse))
            except HyperVError as exc:
                self.io_error(exc.message, "CopyFileInfoItemIOError", item.path)
                continue
            yield from self.passthru(target)


@cmdlet("Move-Item", aliases=("mi", "move", "mv"), module=MGMT, class_name=NS + "MoveItemCommand",
        default_set="Path", supports_should_process=True)
class MoveItem(_TransferCmdlet):
    """Moves files and folders on the emulated host."""

    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    Destination = Param("string", position=1, pipeline_by_property=True)
    Force = Param("switch")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        destination = self.ctx.resolve_path(str(self.Destination or "."))
        for item in self.sources():
            target = self.target_of(item, destination)
            existing = self.info(target)
            if existing is not None and P.normalize(target).casefold() != P.normalize(item.path).casefold():
                if existing.is_dir or item.is_dir or not self.Force:
                    self.io_error("Cannot create a file when that file already exists.",
                                  "MoveDirectoryItemIOError" if item.is_dir else "MoveFileInfoItemIOError", item.path)
                    continue
            if item.is_dir:
                raise _folders_stay()
            action = "Move File"
            if not self.ctx.should_process(f"Item: {item.path} Destination: {target}", action):
                continue
            try:
                if existing is not None and not existing.is_dir:
                    self.files.delete(target)
                self.copy_tree(item, target, True)
                self.delete_tree(item)
            except HyperVError as exc:
                self.io_error(exc.message, "MoveFileInfoItemIOError", item.path)
                continue
            yield from self.passthru(target)


@cmdlet("Rename-Item", aliases=("ren", "rni"), module=MGMT, class_name=NS + "RenameItemCommand",
        default_set="ByPath", supports_should_process=True)
class RenameItem(_TransferCmdlet):
    """Renames a file or folder on the emulated host."""

    Path = Param("string", InSet("ByPath", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string", InSet("ByLiteralPath", mandatory=True, pipeline_by_property=True),
                        aliases=("PSPath", "LP"))
    NewName = Param("string", position=1, mandatory=True, pipeline_by_property=True)
    Force = Param("switch")
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        raw = str(self.LiteralPath if self.is_bound("LiteralPath") else self.Path)
        path = self.ctx.resolve_path(raw)
        item = self.info(path)
        if item is None:
            self.ctx.write_error(self.ctx.error_record(
                f"Cannot rename because item at '{raw}' does not exist.", "InvalidOperation", "InvalidOperation",
                target_object=raw, exception_type="System.Management.Automation.PSInvalidOperationException"))
            return
        new_name = str(self.NewName)
        if "\\" in new_name or "/" in new_name:
            target = self.ctx.resolve_path(new_name)
            if P.parent(target).casefold() != P.parent(item.path).casefold():
                self.ctx.write_error(self.ctx.error_record(
                    "Cannot rename the specified target, because it represents a path or device name.", "Argument",
                    "InvalidArgument", target_object=new_name,
                    exception_type="System.Management.Automation.PSArgumentException"))
                return
        else:
            target = P.join(P.parent(item.path), new_name)
        if self.info(target) is not None and target.casefold() != item.path.casefold():
            self.io_error("Cannot create a file when that file already exists.", "RenameItemIOError", item.path)
            return
        if not self.ctx.should_process(f"Item: {item.path} Destination: {target}",
                                       "Rename Directory" if item.is_dir else "Rename File"):
            return
        if item.is_dir:
            raise _folders_stay()
        if target.casefold() == item.path.casefold():
            return  # a change of case only: Windows keeps one file, and so does the emulated host
        try:
            self.copy_tree(item, target, True)
            self.delete_tree(item)
        except HyperVError as exc:
            self.io_error(exc.message, "RenameItemIOError", item.path)
            return
        yield from self.passthru(target)
