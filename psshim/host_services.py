"""The services a psshim run gets from an SDK backend: the host's clock and Windows files.

`SdkServices(client, environment)` is what `hvemu run` and the test fixtures hand to a
Runspace: the Hyper-V cmdlets use `hyperv` (the SDK client), Start-Sleep and Get-Date use
`clock` (the emulator's virtual or real clock), and the file cmdlets use `files` — the host's
Windows file system as `hvemu path` resolves it, case-insensitively, without the emulator's own
metadata (which lives outside the host folders).
"""

from __future__ import annotations

import builtins
import codecs
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import attrs

from hyperv_emu.psshim.runtime.fileerrors import AccessDenied, LocalPathReadOnly, PartOfPathNotFound
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import FileInfo
from hyperv_emu.sdk.fieldwise import MutableFieldwise


class SdkClock:
    def __init__(self, client: HyperVClient) -> None:
        self.client = client
        self._virtual = client.clock_is_virtual

    def now(self) -> dt.datetime:
        return self.client.now()

    def sleep(self, seconds: float) -> None:
        self.client.sleep(seconds)

    @property
    def is_virtual(self) -> bool:
        return self._virtual


def decode_text(data: bytes, default: str = "cp1252") -> str:
    """Text as Get-Content reads it: a BOM decides, else the edition's default encoding."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith(codecs.BOM_UTF16_LE):
        return data[2:].decode("utf-16-le", "replace")
    if data.startswith(codecs.BOM_UTF16_BE):
        return data[2:].decode("utf-16-be", "replace")
    try:
        return data.decode("utf-8") if default == "utf-8" else data.decode(default)
    except UnicodeDecodeError:
        return data.decode("latin-1")


class SdkFileView:
    """The FileView protocol of psshim.runtime.services over an SDK client's host files."""

    def __init__(self, client: HyperVClient, default_encoding: str = "cp1252") -> None:
        self.client = client
        self.default_encoding = default_encoding

    def info(self, path: str) -> FileInfo | None:
        try:
            return self.client.file_info(path)
        except HyperVError:
            return None

    def exists(self, path: str) -> bool:
        return self.info(path) is not None

    def is_dir(self, path: str) -> bool:
        info = self.info(path)
        return info is not None and info.is_dir

    def list(self, path: str) -> list[str]:
        return [f.name for f in self.client.list_dir(path)]

    def list_info(self, path: str) -> builtins.list[FileInfo]:
        return self.client.list_dir(path)

    def read_bytes(self, path: str) -> bytes:
        return self.client.read_file(path)

    def read_text(self, path: str) -> str:
        try:
            return decode_text(self.client.read_file(path), self.default_encoding)
        except HyperVError as exc:
            raise FileNotFoundError(path) from exc

    def check_writable(self, path: str) -> None:
        """Raise what .NET's FileStream would when opening `path` for writing."""
        if not self._folder_exists(path):
            # .NET opens a file only in a folder that exists (the emulator would create it)
            raise PartOfPathNotFound(path)

    def write_bytes(self, path: str, data: bytes, append: bool = False) -> None:
        self.check_writable(path)
        if append and self.exists(path):
            data = self.client.read_file(path) + data
        self.client.write_file(path, data)

    def _folder_exists(self, path: str) -> bool:
        from hyperv_emu.psshim.runtime import paths

        folder = paths.parent(paths.normalize(path))
        drive_root = len(folder) == 3 and folder[1:] == ":\\"
        return not folder or drive_root or self.is_dir(folder)

    def write_text(self, path: str, text: str, append: bool = False) -> None:
        self.write_bytes(path, text.encode(self.default_encoding, "replace"), append)

    def make_dir(self, path: str) -> None:
        self.client.make_dir(path)

    def delete(self, path: str) -> None:
        self.client.delete_file(path)


@attrs.define(eq=False, repr=False)
class SdkServices(MutableFieldwise):
    """Services of a run against an SDK backend (see psshim.runtime.services.Services)."""

    hyperv: HyperVClient
    environment: Mapping[str, str]
    clock: SdkClock = attrs.field(default=None)
    files: Any = attrs.field(default=None)
    deterministic_guids: bool = False
    _guid_counter: int = 0

    def __attrs_post_init__(self) -> None:
        if self.clock is None:
            self.clock = SdkClock(self.hyperv)
        if self.files is None:
            self.files = SdkFileView(self.hyperv)

    def for_computer(self, computer: str) -> "SdkServices | None":
        """The services of a remote session on `computer` (Invoke-Command -ComputerName): that
        host's Hyper-V, clock and files, and `COMPUTERNAME` its NetBIOS name; None when the
        backend knows no such host."""
        client = self.hyperv.host(computer)
        try:
            name = client.host_name
            here = self.hyperv.host_name
        except HyperVError:
            return None
        env = dict(self.environment)
        if name.casefold() != here.casefold():
            env["COMPUTERNAME"] = name.split(".")[0][:15].upper()
        encoding = str(getattr(self.files, "default_encoding", None) or getattr(
            getattr(self.files, "host", None), "default_encoding", "cp1252"))
        return SdkServices(client, env, files=SdkFileView(client, encoding),
                           deterministic_guids=self.deterministic_guids)

    def new_guid(self) -> uuid.UUID:
        if not self.deterministic_guids:
            return uuid.uuid4()
        self._guid_counter += 1
        return uuid.UUID(int=self._guid_counter, version=4)


class LocalAndHostFiles:
    """The files a script run by `hvemu run` sees: the emulated host's Windows paths, plus this
    machine's files, read-only (so `. $PSScriptRoot\\lib.ps1`, `Import-Module` of a module beside
    the script or in a local `$env:PSModulePath` folder work). A path is local when it is
    absolute POSIX (`/…`, see psshim.runtime.localpaths); anything else (`C:\\…`) is the
    emulated host's. Every write to a local path raises LocalPathReadOnly."""

    def __init__(self, host: SdkFileView, script_dir: str | None) -> None:
        self.host = host
        self.script_dir = script_dir
        # where relative code paths not found on the host are looked for (the run's current
        # folder on this machine; pipeline.local_code_path)
        self.local_cwd = script_dir if script_dir and script_dir.startswith("/") else None

    @staticmethod
    def _local(path: str) -> str | None:
        from hyperv_emu.psshim.runtime import localpaths

        if localpaths.is_local(path):
            return localpaths.normalize(path)
        return None

    def info(self, path: str) -> FileInfo | None:
        import os

        local = self._local(path)
        if local is None:
            return self.host.info(path)
        try:
            st = os.stat(local)
        except OSError:  # missing, or in a folder this user cannot search
            return None
        return FileInfo(path=local, name=os.path.basename(local.rstrip("/")) or "/", is_dir=os.path.isdir(local),
                        length=0 if os.path.isdir(local) else st.st_size,
                        last_write_time=dt.datetime.fromtimestamp(st.st_mtime))

    def exists(self, path: str) -> bool:
        return self.info(path) is not None

    def is_dir(self, path: str) -> bool:
        info = self.info(path)
        return info is not None and info.is_dir

    def list(self, path: str) -> builtins.list[str]:
        return [f.name for f in self.list_info(path)]

    def list_info(self, path: str) -> builtins.list[FileInfo]:
        import os

        local = self._local(path)
        if local is None:
            return self.host.list_info(path)
        out = []
        try:
            names = os.listdir(local)
        except OSError as exc:
            raise AccessDenied(local) from exc
        for name in sorted(names, key=str.casefold):
            info = self.info(local.rstrip("/") + "/" + name)
            if info is not None:
                out.append(info)
        return out

    def read_bytes(self, path: str) -> bytes:
        local = self._local(path)
        if local is None:
            return self.host.read_bytes(path)
        import os
        import stat

        try:
            # regular files only: a device or a pipe (/dev/zero, a FIFO) would never end
            if not stat.S_ISREG(os.stat(local).st_mode):
                raise AccessDenied(local)
            with open(local, "rb") as f:
                return f.read()
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise AccessDenied(local) from exc

    def read_text(self, path: str) -> str:
        local = self._local(path)
        if local is None:
            return self.host.read_text(path)
        return decode_text(self.read_bytes(path), "utf-8")

    def _refuse_local(self, path: str) -> None:
        local = self._local(path)
        if local is not None:
            raise LocalPathReadOnly(local)

    def check_writable(self, path: str) -> None:
        self._refuse_local(path)
        self.host.check_writable(path)

    def write_bytes(self, path: str, data: bytes, append: bool = False) -> None:
        self._refuse_local(path)
        self.host.write_bytes(path, data, append)

    def write_text(self, path: str, text: str, append: bool = False) -> None:
        self._refuse_local(path)
        self.host.write_text(path, text, append)

    def make_dir(self, path: str) -> None:
        self._refuse_local(path)
        self.host.make_dir(path)

    def delete(self, path: str) -> None:
        self._refuse_local(path)
        self.host.delete(path)
