"""Import-VM and Compare-VM of an exported configuration, as thin adapters over the SDK
(`import_vm`, `compare_vm_import`, `compare_report`, `import_report`).

Import-VM: the Register (in place, the default) and Copy sets, and -CompatibilityReport.
Compare-VM: the Register and Copy sets and -CompatibilityReport; its report's VM is a planned VM
that scripts may change (Set-VMMemory, Set-VMProcessor, Set-VM, Connect-/Disconnect-
VMNetworkAdapter) before Import-VM -CompatibilityReport brings it in. The migration sets (-Name
or -VM with -DestinationHost) are not emulated. The -WhatIf texts are the module's
(CmdletResources.ShouldProcess_ImportVM / _CompareVM).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hyperv_emu.psshim.cmdlets.hyperv import HyperVCmdlet
from hyperv_emu.psshim.cmdlets.hyperv_declare import Bound, hyperv_cmdlet
from hyperv_emu.sdk.compat import ImportOptions, VMCompatibilityReport
from hyperv_emu.sdk.errors import HyperVError

IMPORT_TEXT = "Import-VM will import the virtual machine from the provided configuration file or compatibility report."
COMPARE_TEXT = "Compare-VM will test the compatibility of the virtual machine with the target host system."


class _ImportOrCompare(HyperVCmdlet):
    Path = Bound()
    Register = Bound()
    Copy = Bound()
    GenerateNewId = Bound()
    VirtualMachinePath = Bound()
    SnapshotFilePath = Bound()
    SmartPagingFilePath = Bound()
    VhdDestinationPath = Bound()
    VhdSourcePath = Bound()
    CompatibilityReport = Bound()
    ComputerName = Bound()

    def _path_of(self, name: str) -> str | None:
        return self.ctx.resolve_path(str(self.ctx.bound[name])) if self.is_bound(name) else None

    def options(self) -> ImportOptions:
        return ImportOptions(copy=bool(self.Copy), generate_new_id=bool(self.GenerateNewId),
                             virtual_machine_path=self._path_of("VirtualMachinePath"),
                             snapshot_file_path=self._path_of("SnapshotFilePath"),
                             smart_paging_file_path=self._path_of("SmartPagingFilePath"),
                             vhd_destination_path=self._path_of("VhdDestinationPath"),
                             vhd_source_path=self._path_of("VhdSourcePath"))

    def report_or_none(self) -> VMCompatibilityReport | None:
        report = self.CompatibilityReport if self.is_bound("CompatibilityReport") else None
        return report if isinstance(report, VMCompatibilityReport) else None


@hyperv_cmdlet("Import-VM")
class ImportVM(_ImportOrCompare):
    def process(self) -> Iterator[Any]:
        report = self.report_or_none()
        if report is not None:
            if not self.ctx.should_process("", text=IMPORT_TEXT):
                return
            client = self.client(None if report.vm.client is None else report.vm.client.computer_name)
            try:
                yield client.import_report(report)
            except HyperVError as exc:
                self.report(exc, report.path)
            return
        path = self._path_of("Path") or ""
        for client in self.clients():
            if not self.ctx.should_process(path, text=IMPORT_TEXT):
                continue
            o = self.options()
            try:
                yield client.import_vm(path, generate_new_id=o.generate_new_id, copy=o.copy,
                                       virtual_machine_path=o.virtual_machine_path,
                                       snapshot_file_path=o.snapshot_file_path,
                                       smart_paging_file_path=o.smart_paging_file_path,
                                       vhd_destination_path=o.vhd_destination_path, vhd_source_path=o.vhd_source_path)
            except HyperVError as exc:
                self.report(exc, path)


@hyperv_cmdlet("Compare-VM")
class CompareVM(_ImportOrCompare):
    def process(self) -> Iterator[Any]:
        report = self.report_or_none()
        if report is not None:
            if not self.ctx.should_process("", text=COMPARE_TEXT):
                return
            client = self.client(None if report.vm.client is None else report.vm.client.computer_name)
            try:
                yield client.compare_report(report)
            except HyperVError as exc:
                self.report(exc, report.path)
            return
        path = self._path_of("Path") or ""
        for client in self.clients():
            if not self.ctx.should_process(path, text=COMPARE_TEXT):
                continue
            try:
                yield client.compare_vm_import(path, self.options())
            except HyperVError as exc:
                self.report(exc, path)
