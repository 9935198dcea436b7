"""The Hyper-V module's VHD cmdlets: New-VHD, Test-VHD, Merge-VHD, Resize-VHD, Optimize-VHD.

Thin adapters over `sdk.HyperVClient` (`new_vhd`, `test_vhd`, `merge_vhd`, `resize_vhd`,
`optimize_vhd`); the rules are the emulator's (`emulator/vhdrules.py`) or the real host's. Get-VHD
is in `hyperv.py`. Not emulated: New-VHD -SourceDisk, Test-VHD -SupportPersistentReservations,
Merge-VHD -Force, Optimize-VHD -Mode Retrim (a mounted disk's; each fails with "not supported by
hvemu" when bound). Optimize-VHD's other modes (Full, Quick, Pretrimmed, Prezeroed) compact an
unattached disk alike: the emulator's disks hold no reclaimable blocks beyond what it already frees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import DiskError, HyperVError
from hyperv_emu.sdk.types import VHD


class _VhdCmdlet(HyperVCmdlet):
    Path = Bound()
    ComputerName = Bound()

    def paths(self) -> list[str]:
        return [self.ctx.resolve_path(str(p)) for p in self._bound_list("Path")]

    def per_path(self, text: Callable[[HyperVClient, str], str], act: Any, *, always_write: bool = False) -> Iterator[Any]:
        """For each client and -Path: ShouldProcess (the module's text for the path), one SDK
        call, its error non-terminating."""
        for client in self.clients():
            for path in self.paths():
                if not self.ctx.should_process(path, text=text(client, path)):
                    continue
                try:
                    result = act(client, path)
                except HyperVError as exc:
                    self.report(exc, path)
                    continue
                if always_write or self.passthru():
                    yield result


@hyperv_cmdlet("New-VHD")
class NewVHD(_VhdCmdlet):
    ParentPath = Bound()
    SizeBytes = Bound()
    Dynamic = Bound()
    Fixed = Bound()
    Differencing = Bound()
    BlockSizeBytes = Bound()
    LogicalSectorSizeBytes = Bound()
    PhysicalSectorSizeBytes = Bound()
    AsJob = Bound()

    def process(self) -> Iterator[Any]:
        parent = self.ctx.resolve_path(str(self.ParentPath)) if self.is_bound("ParentPath") else None

        def make(client: HyperVClient, path: str) -> VHD:
            return client.new_vhd(
                path, int(self.SizeBytes or 0), fixed=bool(self.Fixed), parent_path=parent,
                block_size=int(self.BlockSizeBytes or 0), logical_sector_size=int(self.LogicalSectorSizeBytes or 0),
                physical_sector_size=int(self.PhysicalSectorSizeBytes or 0))

        yield from self.per_path(lambda c, p: f'New-VHD will create a new virtual hard disk with the path "{p}".', make, always_write=True)


@hyperv_cmdlet("Test-VHD")
class TestVHD(_VhdCmdlet):
    def process(self) -> Iterator[Any]:
        for client in self.clients():
            for path in self.paths():
                try:
                    result = client.test_vhd(path)
                except HyperVError as exc:
                    self.report(exc, path)
                    continue
                if not result.ok:
                    self.report(DiskError(result.problem, error_id="InvalidOperation", category="InvalidOperation",
                                          target=path), path)
                yield result.ok


@hyperv_cmdlet("Merge-VHD")
class MergeVHD(_VhdCmdlet):
    DestinationPath = Bound()
    AsJob = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        dest = self.ctx.resolve_path(str(self.DestinationPath)) if self.is_bound("DestinationPath") else None
        def text(client: HyperVClient, path: str) -> str:
            into = dest
            if into is None:
                try:
                    into = client.get_vhd(path).parent_path
                except HyperVError:
                    into = None
            return f'Merge-VHD will merge the virtual hard disk "{path}" into its parent "{into or ""}".'

        yield from self.per_path(text, lambda client, path: client.merge_vhd(path, dest))


@hyperv_cmdlet("Resize-VHD")
class ResizeVHD(_VhdCmdlet):
    SizeBytes = Bound()
    ToMinimumSize = Bound()
    AsJob = Bound()
    Passthru = Bound()

    def process(self) -> Iterator[Any]:
        # -ToMinimumSize:$false leaves no size: the module resizes to 0 bytes, which the disk refuses
        size = None if self.ToMinimumSize else int(self.SizeBytes or 0)
        yield from self.per_path(lambda c, p: f'Resize-VHD will resize the virtual hard disk "{p}".',
                                 lambda client, path: client.resize_vhd(path, size))


@hyperv_cmdlet("Optimize-VHD")
class OptimizeVHD(_VhdCmdlet):
    AsJob = Bound()
    Passthru = Bound()
    Mode = Bound()

    def process(self) -> Iterator[Any]:
        if self.is_bound("Mode") and int(self.Mode) == 2:  # VhdCompactMode.Retrim
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("Optimize-VHD -Mode Retrim")
        yield from self.per_path(lambda c, p: f'Optimize-VHD will compact the virtual hard disk "{p}" to reduce disk space usage.',
                                 lambda client, path: client.optimize_vhd(path))
