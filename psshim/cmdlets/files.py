"""File-system cmdlets over the emulated host's Windows paths (the run's `services.files`).

Get-ChildItem, Get-Item, Get-Content, Set-Content, Add-Content, Out-File, New-Item and
Remove-Item see what `hvemu path` resolves: the host's drives, case-insensitively, never the
emulator's metadata. Items are FileInfo/DirectoryInfo-shaped PSObjects (Name, Length,
LastWriteTime, FullName, Mode, ...), so Select-Object and the default FileSystem view work on them.

Encodings follow Windows PowerShell 5.1: Set-Content/Add-Content write ANSI (Windows-1252) by
default, Out-File writes UTF-16LE with a BOM ("Unicode"); pwsh 7 writes UTF-8 without a BOM.
Reading detects a BOM, else uses the edition's default. Not emulated (a clear error when asked
for): -Credential, -Stream, -Attributes; links and alternate data streams do not exist here.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.registry_items import registry_listing, registry_new_key
from hyperv_emu.psshim.host_services import decode_text
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime import paths as P
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.fileerrors import FileViewError, PartOfPathNotFound
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.psshim.runtime.values import PSObject
from hyperv_emu.sdk.types import FileInfo

MGMT = "Microsoft.PowerShell.Management"
NS = "Microsoft.PowerShell.Commands."
PROVIDER = "Microsoft.PowerShell.Core\\FileSystem::"


def item_object(info: FileInfo) -> PSObject:
    """A FileInfo / DirectoryInfo as PowerShell's FileSystem provider returns it."""
    parent = P.parent(info.path)
    name = info.name
    base, dot, ext = name.rpartition(".")
    local = info.path.startswith("/")  # a file of this machine: drive and root `/` as in pwsh on Linux
    props: dict[str, Any] = {
        "PSPath": PROVIDER + info.path,
        "PSParentPath": PROVIDER + parent,
        "PSChildName": name,
        "PSDrive": "/" if local else info.path[:1],
        "PSProvider": "Microsoft.PowerShell.Core\\FileSystem",
        "PSIsContainer": info.is_dir,
        "Mode": "d-----" if info.is_dir else "-a----",
        "BaseName": (base if dot and not info.is_dir else name),
        "Name": name,
    }
    if info.is_dir:
        props.update({"FullName": info.path, "Parent": P.leaf(parent), "Exists": True,
                      "Root": "/" if local else info.path[:3],
                      "Extension": "", "CreationTime": info.last_write_time, "LastAccessTime": info.last_write_time,
                      "LastWriteTime": info.last_write_time, "Attributes": "Directory"})
        type_names = ["System.IO.DirectoryInfo", "System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"]
    else:
        props.update({"Length": info.length, "DirectoryName": parent, "Directory": parent, "IsReadOnly": False,
                      "Exists": True, "FullName": info.path, "Extension": (dot + ext) if dot else "",
                      "CreationTime": info.last_write_time, "LastAccessTime": info.last_write_time,
                      "LastWriteTime": info.last_write_time, "Attributes": "Archive",
                      "VersionInfo": version_info(info)})
        type_names = ["System.IO.FileInfo", "System.IO.FileSystemInfo", "System.MarshalByRefObject", "System.Object"]
    return PSObject(props, type_names)


def version_info(info: FileInfo) -> PSObject:
    """FileInfo.VersionInfo (a ScriptProperty: FileVersionInfo.GetVersionInfo of the file): the
    version resource's strings, null for a file without one; the numeric parts are 0 then."""
    def parts(text: str | None) -> list[int]:
        numbers = (text or "").split(" ")[0].split(".")
        return ([int(n) if n.isdigit() else 0 for n in numbers] + [0, 0, 0, 0])[:4]

    product, file = parts(info.product_version), parts(info.file_version)
    props: dict[str, Any] = {
        "Comments": None if info.product_version is None else "", "CompanyName": info.company_name,
        "FileBuildPart": file[2], "FileDescription": info.file_description, "FileMajorPart": file[0],
        "FileMinorPart": file[1], "FileName": info.path, "FilePrivatePart": file[3],
        "FileVersion": info.file_version, "InternalName": None if info.product_version is None else info.name,
        "IsDebug": False, "IsPatched": False, "IsPrivateBuild": False, "IsPreRelease": False,
        "IsSpecialBuild": False, "Language": None if info.product_version is None else "English (United States)",
        "LegalCopyright": None if info.product_version is None else "\u00a9 Microsoft Corporation. All rights reserved.",
        "OriginalFilename": None if info.product_version is None else info.name + ".mui",
        "ProductBuildPart": product[2], "ProductMajorPart": product[0], "ProductMinorPart": product[1],
        "ProductName": info.product_name, "ProductPrivatePart": product[3], "ProductVersion": info.product_version,
    }
    return PSObject(props, ["System.Diagnostics.FileVersionInfo", "System.Object"])


class _FileCmdlet(Cmdlet):
    @property
    def files(self) -> Any:
        return self.ctx.services.files

    def path_error(self, path: str, *, error_id: str = "PathNotFound") -> None:
        self.ctx.write_error(self.ctx.error_record(
            f"Cannot find path '{path}' because it does not exist.", f"{error_id}",
            "ObjectNotFound", target_object=path,
            exception_type="System.Management.Automation.ItemNotFoundException"))

    def file_error(self, exc: FileViewError, prefix: str, path: str, *, io_catch_all: bool = False) -> None:
        """A failed write as the FileSystem provider reports it: `<prefix><exception>` ids
        (GetContentWriterDirectoryNotFoundError, NewItemUnauthorizedAccessError, ...). Where the
        provider catches every IOException at once (`io_catch_all`: New-Item), a missing folder
        is `<prefix>IOError`."""
        suffix, category = exc.id_suffix, exc.category
        if io_catch_all and isinstance(exc, PartOfPathNotFound):
            suffix, category = "IOError", "WriteError"
        self.ctx.write_error(self.ctx.error_record(
            exc.message, prefix + suffix, category, target_object=path, exception_type=exc.exception_type))

    def info(self, path: str) -> FileInfo | None:
        getter = getattr(self.files, "info", None)
        if getter is not None:
            result: FileInfo | None = getter(path)
            return result
        return None

    def listing(self, path: str) -> list[FileInfo]:
        lister = getattr(self.files, "list_info", None)
        if lister is None:
            raise not_supported("Listing folders of this host")
        try:
            result: list[FileInfo] = lister(path)
        except FileViewError as exc:  # a folder of this machine the user may not read
            self.file_error(exc, "Dir", path)
            return []
        return result

    def expand(self, raw: str, literal: bool = False) -> list[FileInfo]:
        """A -Path argument: a path, or a wildcard pattern in its last components."""
        path = self.ctx.resolve_path(raw)
        if literal or not has_wildcards(path):
            info = self.info(path)
            if info is None:
                self.path_error(path)
                return []
            return [info]
        folder, pattern = P.parent(path), P.leaf(path)
        if has_wildcards(folder):
            raise not_supported("Wildcards in folder names of a path")
        parent = self.info(folder)
        if parent is None or not parent.is_dir:
            return []
        return [f for f in self.listing(folder) if wildcard_match(f.name, pattern)]

    def read_text(self, path: str) -> str:
        reader = getattr(self.files, "read_bytes", None)
        default = "utf-8" if options.is_core() else "cp1252"
        if reader is not None:
            return decode_text(reader(path), default)
        text: str = self.files.read_text(path)
        return text

    def write_text(self, path: str, text: str, encoding: str | None, append: bool, out_file: bool) -> None:
        data = encode_text(text, encoding, out_file=out_file, append=append and self.files.exists(path))
        writer = getattr(self.files, "write_bytes", None)
        if writer is not None:
            writer(path, data, append)
        else:
            self.files.write_text(path, data.decode("utf-8", "replace"), append)


_ENCODINGS = {
    "ascii": ("ascii", b""), "utf8": ("utf-8", codecs.BOM_UTF8), "utf8bom": ("utf-8", codecs.BOM_UTF8),
    "utf8nobom": ("utf-8", b""), "unicode": ("utf-16-le", codecs.BOM_UTF16_LE),
    "bigendianunicode": ("utf-16-be", codecs.BOM_UTF16_BE), "utf32": ("utf-32-le", codecs.BOM_UTF32_LE),
    "default": ("cp1252", b""), "oem": ("cp437", b""), "string": ("utf-16-le", codecs.BOM_UTF16_LE),
    "unknown": ("utf-16-le", codecs.BOM_UTF16_LE), "byte": ("latin-1", b""),
}


def encode_text(text: str, encoding: str | None, *, out_file: bool, append: bool) -> bytes:
    if encoding is None:
        if options.is_core():
            name, bom = "utf-8", b""
        elif out_file:
            name, bom = "utf-16-le", codecs.BOM_UTF16_LE
        else:
            name, bom = "cp1252", b""
    else:
        key = encoding.replace("-", "").casefold()
        if key not in _ENCODINGS:
            raise not_supported(f"The encoding '{encoding}'")
        name, bom = _ENCODINGS[key]
        if key == "utf8" and options.is_core():
            bom = b""
    return (b"" if append else bom) + text.encode(name, "replace")


def _lines_of(values: Any) -> str:
    items = C.enumerate_value(values) if values is not None else []
    return "".join(C.to_string(v) + "\r\n" for v in items)


@cmdlet("Get-ChildItem", aliases=("gci", "ls", "dir"), module=MGMT, class_name=NS + "GetChildItemCommand",
        default_set="Items")
class GetChildItem(_FileCmdlet):
    Path = Param("string[]", InSet("Items", position=0, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralItems", mandatory=True, pipeline_by_property=True), aliases=("PSPath", "LP"))
    Filter = Param("string", position=1)
    Include = Param("string[]")
    Exclude = Param("string[]")
    Recurse = Param("switch", aliases=("s",))
    Depth = Param("uint32")
    Force = Param("switch")
    Name = Param("switch")
    File = Param("switch")
    Directory = Param("switch", aliases=("ad", "d"))
    Attributes = Param("object")

    def process_record(self) -> Iterator[Any]:
        if self.is_bound("Attributes"):
            raise not_supported("Get-ChildItem -Attributes")
        literal = self.is_bound("LiteralPath")
        raws = [str(p) for p in (self.LiteralPath if literal else (self.Path or ["."]))]
        for raw in raws:
            keys = registry_listing(self.ctx, raw, bool(self.Recurse))
            if keys is not None:
                yield from keys
                continue
            for item in self.expand(raw, literal):
                if item.is_dir and not has_wildcards(raw):
                    yield from self._walk(item.path, 0)
                else:
                    yield from self._emit(item)

    def _walk(self, folder: str, depth: int) -> Iterator[Any]:
        for child in self.listing(folder):
            yield from self._emit(child)
            max_depth = int(self.Depth) if self.is_bound("Depth") else None
            if (self.Recurse or max_depth is not None) and child.is_dir and (max_depth is None or depth < max_depth):
                yield from self._walk(child.path, depth + 1)

    def _emit(self, item: FileInfo) -> Iterator[Any]:
        if self.File and item.is_dir or self.Directory and not item.is_dir:
            return
        if self.Filter and not wildcard_match(item.name, str(self.Filter)):
            return
        if self.Include and not any(wildcard_match(item.name, str(p)) for p in self.Include):
            return
        if self.Exclude and any(wildcard_match(item.name, str(p)) for p in self.Exclude):
            return
        yield item.name if self.Name else item_object(item)


@cmdlet("Get-Item", aliases=("gi",), module=MGMT, class_name=NS + "GetItemCommand", default_set="Path")
class GetItem(_FileCmdlet):
    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True), aliases=("PSPath", "LP"))
    Force = Param("switch")

    def process_record(self) -> Iterator[Any]:
        literal = self.is_bound("LiteralPath")
        for raw in (self.LiteralPath if literal else self.Path) or []:
            keys = registry_listing(self.ctx, str(raw), children=False)
            if keys is not None:
                yield from keys
                continue
            for item in self.expand(str(raw), literal):
                yield item_object(item)


@cmdlet("Get-Content", aliases=("gc", "cat", "type"), module=MGMT, class_name=NS + "GetContentCommand",
        default_set="Path")
class GetContent(_FileCmdlet):
    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True), aliases=("PSPath", "LP"))
    Raw = Param("switch")
    TotalCount = Param("long", aliases=("First", "Head"), default=-1)
    Tail = Param("int", aliases=("Last",))
    Encoding = Param("string")
    Delimiter = Param("string")

    def process_record(self) -> Iterator[Any]:
        literal = self.is_bound("LiteralPath")
        for raw in (self.LiteralPath if literal else self.Path) or []:
            for item in self.expand(str(raw), literal):
                if item.is_dir:
                    self.ctx.write_error(self.ctx.error_record(
                        f"Unable to get content because it is a directory: '{item.path}'. Please use 'Get-ChildItem' instead.",
                        "GetContentReaderUnauthorizedAccessError", "PermissionDenied", target_object=item.path,
                        exception_type="System.UnauthorizedAccessException"))
                    continue
                text = self.read_text(item.path)
                if self.Raw:
                    yield text
                    continue
                lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
                if lines and lines[-1] == "":
                    lines.pop()
                count = int(self.TotalCount)
                if count >= 0:
                    lines = lines[:count]
                if self.is_bound("Tail"):
                    lines = lines[-int(self.Tail):] if int(self.Tail) > 0 else []
                yield from lines


class _WriteContent(_FileCmdlet):
    append = False
    out_file = False

    def begin_processing(self) -> None:
        self._chunks: list[Any] = []

    def target(self) -> str:
        raise NotImplementedError

    def end_processing(self) -> None:
        path = self.ctx.resolve_path(self.target())
        info = self.info(path)
        if info is not None and info.is_dir:
            self.ctx.throw_terminating(f"Access to the path '{path}' is denied.", "UnauthorizedAccess",
                                       "PermissionDenied", target_object=path)
        if not self.ctx.should_process(path, self.__cmdlet_info__.name.split("-")[0] + " Content"):
            return
        try:
            self.write_text(path, self.render(self._chunks), self.ctx.bound.get("Encoding"), self.append,
                            self.out_file)
        except FileViewError as exc:
            if self.out_file:
                # Out-File opens its stream up front and stops there (PathUtils.ReportFileOpenFailure)
                self.ctx.throw_terminating(exc.message, "FileOpenFailure", "OpenError",
                                           exception_type=exc.exception_type)
            # Set-Content / Add-Content: the provider's content writer writes the error and goes on
            self.file_error(exc, "GetContentWriter", path)

    def render(self, chunks: list[Any]) -> str:
        if self.ctx.bound.get("NoNewline"):
            return "".join(C.to_string(v) for v in chunks)
        return _lines_of(chunks)


@cmdlet("Set-Content", aliases=("sc",), module=MGMT, class_name=NS + "SetContentCommand",
        supports_should_process=True)
class SetContent(_WriteContent):
    Path = Param("string[]", position=0, mandatory=True, pipeline_by_property=True)
    Value = Param("object[]", position=1, pipeline=True)
    Encoding = Param("string")
    NoNewline = Param("switch")
    Force = Param("switch")

    def target(self) -> str:
        return str(self.Path[0] if isinstance(self.Path, list) else self.Path)

    def process_record(self) -> None:
        if self.Value is not None:
            self._chunks.extend(C.enumerate_value(self.Value))


@cmdlet("Add-Content", aliases=("ac",), module=MGMT, class_name=NS + "AddContentCommand",
        supports_should_process=True)
class AddContent(SetContent):
    append = True


@cmdlet("Out-File", module="Microsoft.PowerShell.Utility", class_name=NS + "OutFileCommand",
        supports_should_process=True)
class OutFile(_WriteContent):
    FilePath = Param("string", position=0, mandatory=True, aliases=("Path", "PSPath"))
    InputObject = Param("object", pipeline=True)
    Encoding = Param("string", position=1)
    Append = Param("switch")
    NoNewline = Param("switch")
    Width = Param("int")
    Force = Param("switch")

    out_file = True

    def target(self) -> str:
        return str(self.FilePath)

    def begin_processing(self) -> None:
        super().begin_processing()
        # Out-File opens its file before the first object arrives: a folder that does not exist
        # or a path of this machine stops it at once
        path = self.ctx.resolve_path(self.target())
        check = getattr(self.files, "check_writable", None)
        try:
            if check is not None:
                check(path)
        except FileViewError as exc:
            self.ctx.throw_terminating(exc.message, "FileOpenFailure", "OpenError", exception_type=exc.exception_type)

    def process_record(self) -> None:
        if self.InputObject is not None:
            self._chunks.append(self.InputObject)

    def end_processing(self) -> None:
        self.append = bool(self.Append)
        super().end_processing()

    def render(self, chunks: list[Any]) -> str:
        from hyperv_emu.psshim.cmdlets.utility import format_settings
        from hyperv_emu.psshim.format.out_default import out_string

        text = out_string(chunks, format_settings(self.ctx), int(self.Width) if self.is_bound("Width") else None,
                          adapters=self.ctx.adapters)
        assert isinstance(text, str)
        return text.replace("\n", "\r\n")


@cmdlet("New-Item", aliases=("ni",), module=MGMT, class_name=NS + "NewItemCommand", supports_should_process=True)
class NewItem(_FileCmdlet):
    Path = Param("string[]", position=0, pipeline_by_property=True)
    Name = Param("string", pipeline_by_property=True)
    ItemType = Param("string", aliases=("Type",))
    Value = Param("object", pipeline=True)
    Force = Param("switch")

    def process_record(self) -> Iterator[Any]:
        folders = [str(p) for p in (self.Path or ["."])]
        for folder in folders:
            keys = registry_new_key(self.ctx, P.join(folder, str(self.Name)) if self.Name else folder,
                                    bool(self.Force))
            if keys is not None:
                yield from keys
                continue
            path = self.ctx.resolve_path(P.join(folder, str(self.Name)) if self.Name else folder)
            kind = str(self.ItemType or "File").casefold()
            existing = self.info(path)
            if existing is not None and not (self.Force and kind == "directory"):
                self.ctx.write_error(self.ctx.error_record(
                    f"An item with the specified name {path} already exists.", "DirectoryExist" if existing.is_dir else "NewItemIOError",
                    "ResourceExists", target_object=path, exception_type="System.IO.IOException"))
                continue
            if not self.ctx.should_process(path, "Create " + ("Directory" if kind == "directory" else "File")):
                continue
            if kind not in ("directory", "file"):
                raise not_supported(f"New-Item -ItemType {self.ItemType}")
            try:
                if kind == "directory":
                    self.files.make_dir(path)
                else:
                    self._new_file(path)
            except FileViewError as exc:
                self.file_error(exc, "CreateDirectory" if kind == "directory" else "NewItem", path,
                                io_catch_all=True)
                continue
            info = self.info(path)
            if info is not None:
                yield item_object(info)


    def _new_file(self, path: str) -> None:
        parent = P.parent(path)
        if self.Force and parent and self.info(parent) is None:
            self.files.make_dir(parent)  # -Force creates the missing folders
        self.write_text(path, "" if self.Value is None else C.to_string(self.Value), None, False, False)


@cmdlet("Remove-Item", aliases=("ri", "rm", "del", "erase", "rd", "rmdir"), module=MGMT,
        class_name=NS + "RemoveItemCommand", supports_should_process=True)
class RemoveItem(_FileCmdlet):
    Path = Param("string[]", InSet("Path", position=0, mandatory=True, pipeline=True, pipeline_by_property=True))
    LiteralPath = Param("string[]", InSet("LiteralPath", mandatory=True, pipeline_by_property=True), aliases=("PSPath", "LP"))
    Recurse = Param("switch")
    Force = Param("switch")

    def process_record(self) -> None:
        from hyperv_emu.sdk.errors import FileInUseError, HyperVError

        literal = self.is_bound("LiteralPath")
        for raw in (self.LiteralPath if literal else self.Path) or []:
            for item in self.expand(str(raw), literal):
                if not self.ctx.should_process(item.path, "Remove File" if not item.is_dir else "Remove Directory"):
                    continue
                try:
                    self._remove(item)
                except HyperVError as exc:
                    message = exc.message
                    if isinstance(exc, FileInUseError):  # FileSystemProvider.RemoveItem's wording
                        message = f"Cannot remove item {item.path}: {exc.message}"
                    self.ctx.write_error(self.ctx.error_record(
                        message, "RemoveFileSystemItemIOError", "WriteError", target_object=item.path,
                        exception_type="System.IO.IOException"))
                except FileViewError as exc:
                    self.ctx.write_error(self.ctx.error_record(
                        exc.message, "RemoveFileSystemItemUnAuthorizedAccess", "PermissionDenied",
                        target_object=item.path, exception_type=exc.exception_type))

    def _remove(self, item: FileInfo) -> None:
        if item.is_dir:
            children = self.listing(item.path)
            if children and not self.Recurse:
                raise not_supported("Removing a non-empty folder without -Recurse (PowerShell would prompt)")
            for child in children:
                self._remove(child)
        self.files.delete(item.path)


def setup(registry: Any) -> None:
    """A FileViewError that escapes a cmdlet (a file of this machine it may not read or
    change) is that .NET exception's error record, never an internal error."""
    previous = registry.exception_mapper

    def mapper(exc: BaseException, ctx: Any) -> Any:
        if isinstance(exc, FileViewError):
            return ctx.error_record(exc.message, exc.exception_type.rsplit(".", 1)[-1], exc.category,
                                    target_object=exc.path, exception_type=exc.exception_type)
        return previous(exc, ctx) if previous is not None else None

    registry.exception_mapper = mapper

