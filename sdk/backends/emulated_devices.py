"""The emulated backend's device calls (`sdk.backend_devices.DeviceBackend`): DVD drives,
controllers, boot order, BIOS, TPM and key protector, mapped from the emulator's views.
`EmulatedBackend` inherits them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from hyperv_emu.emulator.bootorder import BiosView, BootEntryView, DeviceRef
from hyperv_emu.emulator.devices import VideoView
from hyperv_emu.emulator.drives import ControllerView, DvdView
from hyperv_emu.emulator.firmware import FirmwareView
from hyperv_emu.emulator.host import Host
from hyperv_emu.emulator.host_devices import FloppyView
from hyperv_emu.emulator.security import SecurityView
from hyperv_emu.emulator.views import DriveView
from hyperv_emu.sdk.devices import BootDevice, BootTarget, FloppyDrive, IdeController, VMBios, VMBootSource, VMBootSourceType, VMSecurity, VMVideo, ResolutionType
from hyperv_emu.sdk.types import ControllerType, DvdDrive, HardDrive, NetworkAdapter, ScsiController
from hyperv_emu.sdk.vmparts import OnOffState, VMFirmware

T = TypeVar("T")
# the diskette drive's device instance in its Id (Microsoft:<VM id>\<instance>) [U]
_FLOPPY_INSTANCE = "2F6F7A8E-1A5C-4D43-9E5B-0C6A1F7B2D11\\0\\0\\D"


def dvd_from_view(d: DvdView) -> DvdDrive:
    return DvdDrive(path=d.path, dvd_media_type="ISO" if d.path else "None", controller_location=d.controller_location,
                    controller_number=d.controller_number, controller_type=ControllerType[d.controller_type],
                    vm_id=d.vm_id, vm_name=d.vm_name, computer_name=d.computer_name)


def _hard(d: DriveView) -> HardDrive:
    return HardDrive(vm_name=d.vm_name, vm_id=d.vm_id, path=d.path, controller_type=ControllerType[d.controller_type],
                     controller_number=d.controller_number, controller_location=d.controller_location,
                     computer_name=d.computer_name)


def _attached(c: ControllerView) -> tuple[HardDrive | DvdDrive, ...]:
    return tuple(dvd_from_view(d) if isinstance(d, DvdView) else _hard(d) for d in c.drives)


def scsi_from_view(c: ControllerView) -> ScsiController:
    return ScsiController(controller_number=c.controller_number, drives=_attached(c), vm_id=c.vm_id,
                          vm_name=c.vm_name, computer_name=c.computer_name)


def _ref(t: BootTarget) -> DeviceRef:
    if t.kind is VMBootSourceType.Network:
        return DeviceRef("Network", adapter_name=t.adapter_name)
    return DeviceRef("Drive", ControllerType(t.controller_type).name, t.controller_number, t.controller_location)


def _bios(b: BiosView) -> VMBios:
    return VMBios(num_lock_enabled=b.num_lock_enabled, startup_order=tuple(BootDevice[n] for n in b.startup_order),
                  vm_name=b.vm_name, vm_id=b.vm_id, computer_name=b.computer_name)


def _floppy(f: FloppyView) -> FloppyDrive:
    return FloppyDrive(path=f.path, id=f"Microsoft:{f.vm_id.upper()}\\{_FLOPPY_INSTANCE}", vm_id=f.vm_id,
                       vm_name=f.vm_name, computer_name=f.computer_name)


def _video(v: VideoView) -> VMVideo:
    return VMVideo(resolution_type=ResolutionType[v.resolution_type], horizontal_resolution=v.horizontal_resolution,
                   vertical_resolution=v.vertical_resolution, vm_name=v.vm_name, vm_id=v.vm_id,
                   computer_name=v.computer_name)


def _security(s: SecurityView) -> VMSecurity:
    return VMSecurity(tpm_enabled=s.tpm_enabled, shielded=s.shielded,
                      encrypt_state_and_vm_migration_traffic=s.encrypt_state_and_vm_migration_traffic,
                      virtualization_based_security_opt_out=s.virtualization_based_security_opt_out,
                      vm_name=s.vm_name, vm_id=s.vm_id, computer_name=s.computer_name)


class EmulatedDevices:
    """Mixed into `EmulatedBackend`, which provides `_host` and `_call`."""

    def _host(self, computer: str | None) -> Host:
        raise NotImplementedError

    def _call(self, fn: Callable[[], T]) -> T:
        raise NotImplementedError

    def network_adapters(self, computer: str | None, vm_id: str) -> list[NetworkAdapter]:
        raise NotImplementedError

    def _firmware(self, computer: str | None, f: FirmwareView) -> VMFirmware:
        adapters: list[NetworkAdapter] | None = None
        drives: dict[tuple[str, int, int], Any] = {}
        if f.boot_order:
            for c in self._call(lambda: self._host(computer).controllers_of(f.vm_id, "SCSI")):
                for d in _attached(c):
                    drives[(d.controller_type.name, d.controller_number, d.controller_location)] = d
        entries = []
        for e in f.boot_order:
            device: Any = None
            if e.boot_type == "Network":
                if adapters is None:
                    adapters = self.network_adapters(computer, f.vm_id)
                device = next((a for a in adapters if a.name == e.adapter_name), None)
            else:
                device = drives.get((e.controller_type, e.controller_number, e.controller_location))
            entries.append(_boot_source(f, e, device))
        return VMFirmware(vm_name=f.vm_name, vm_id=f.vm_id, computer_name=f.computer_name,
                          secure_boot=OnOffState.On if f.secure_boot else OnOffState.Off,
                          secure_boot_template=f.secure_boot_template,
                          secure_boot_template_id=f.secure_boot_template_id, boot_order=tuple(entries))

    def firmware(self, computer: str | None, vm_id: str) -> VMFirmware:
        return self._firmware(computer, self._call(lambda: self._host(computer).vm_firmware(vm_id)))

    def configure_firmware(self, computer: str | None, vm_id: str, secure_boot: bool | None,
                           template: str | None, first_boot_device: BootTarget | None = None,
                           boot_order: tuple[BootTarget, ...] | None = None) -> VMFirmware:
        first = None if first_boot_device is None else _ref(first_boot_device)
        order = None if boot_order is None else [_ref(t) for t in boot_order]
        view = self._call(lambda: self._host(computer).configure_firmware(vm_id, secure_boot, template, first, order))
        return self._firmware(computer, view)

    def scsi_controllers(self, computer: str | None, vm_id: str) -> list[ScsiController]:
        return [scsi_from_view(c) for c in self._call(lambda: self._host(computer).controllers_of(vm_id, "SCSI"))]

    def ide_controllers(self, computer: str | None, vm_id: str) -> list[IdeController]:
        return [IdeController(controller_number=c.controller_number, drives=_attached(c), vm_id=c.vm_id,
                              vm_name=c.vm_name, computer_name=c.computer_name)
                for c in self._call(lambda: self._host(computer).controllers_of(vm_id, "IDE"))]

    def add_scsi_controller(self, computer: str | None, vm_id: str) -> ScsiController:
        return scsi_from_view(self._call(lambda: self._host(computer).add_scsi_controller(vm_id)))

    def remove_scsi_controller(self, computer: str | None, vm_id: str, controller_number: int) -> None:
        self._call(lambda: self._host(computer).remove_scsi_controller(vm_id, controller_number))

    def dvd_drives(self, computer: str | None, vm_id: str) -> list[DvdDrive]:
        return [dvd_from_view(d) for d in self._call(lambda: self._host(computer).dvd_drives(vm_id))]

    def add_dvd_drive(self, computer: str | None, vm_id: str, path: str | None, controller_number: int | None,
                      controller_location: int | None) -> DvdDrive:
        return dvd_from_view(self._call(lambda: self._host(computer).add_dvd_drive(
            vm_id, path, controller_number, controller_location)))

    def set_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                      controller_location: int, *, path: str | None, change_path: bool,
                      to_controller_number: int | None, to_controller_location: int | None) -> DvdDrive:
        return dvd_from_view(self._call(lambda: self._host(computer).set_dvd_drive(
            vm_id, controller_type, controller_number, controller_location, path=path, change_path=change_path,
            to_controller_number=to_controller_number, to_controller_location=to_controller_location)))

    def remove_dvd_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                         controller_location: int) -> None:
        self._call(lambda: self._host(computer).remove_dvd_drive(vm_id, controller_type, controller_number,
                                                                 controller_location))

    def bios(self, computer: str | None, vm_id: str) -> VMBios:
        return _bios(self._call(lambda: self._host(computer).vm_bios(vm_id)))

    def configure_bios(self, computer: str | None, vm_id: str, startup_order: tuple[str, ...] | None,
                       num_lock: bool | None) -> VMBios:
        order = None if startup_order is None else list(startup_order)
        return _bios(self._call(lambda: self._host(computer).configure_bios(vm_id, order, num_lock)))

    def security(self, computer: str | None, vm_id: str) -> VMSecurity:
        return _security(self._call(lambda: self._host(computer).vm_security(vm_id)))

    def set_tpm(self, computer: str | None, vm_id: str, enabled: bool) -> VMSecurity:
        return _security(self._call(lambda: self._host(computer).set_tpm(vm_id, enabled)))

    def set_key_protector(self, computer: str | None, vm_id: str, protector: bytes | None) -> None:
        self._call(lambda: self._host(computer).set_key_protector(vm_id, protector))

    def configure_security(self, computer: str | None, vm_id: str, encrypt_state: bool | None,
                           vbs_opt_out: bool | None) -> VMSecurity:
        return _security(self._call(lambda: self._host(computer).configure_security(vm_id, encrypt_state,
                                                                                    vbs_opt_out)))

    def floppy_drive(self, computer: str | None, vm_id: str) -> FloppyDrive | None:
        view = self._call(lambda: self._host(computer).floppy_drive(vm_id))
        return None if view is None else _floppy(view)

    def set_floppy_drive(self, computer: str | None, vm_id: str, path: str | None) -> FloppyDrive:
        return _floppy(self._call(lambda: self._host(computer).set_floppy_drive(vm_id, path)))

    def video(self, computer: str | None, vm_id: str) -> VMVideo:
        return _video(self._call(lambda: self._host(computer).vm_video(vm_id)))

    def configure_video(self, computer: str | None, vm_id: str, resolution_type: str | None,
                        horizontal: int | None, vertical: int | None) -> VMVideo:
        return _video(self._call(lambda: self._host(computer).configure_video(vm_id, resolution_type, horizontal,
                                                                              vertical)))

    def virtualization_extensions(self, computer: str | None, vm_id: str) -> bool:
        return self._call(lambda: self._host(computer).virtualization_extensions(vm_id))

    def key_protector(self, computer: str | None, vm_id: str) -> bytes:
        return self._call(lambda: self._host(computer).key_protector(vm_id))


def _boot_source(f: FirmwareView, e: BootEntryView, device: Any) -> VMBootSource:
    return VMBootSource(boot_type=VMBootSourceType[e.boot_type], description=e.description,
                        firmware_path=e.firmware_path, device=device, vm_name=f.vm_name, vm_id=f.vm_id,
                        computer_name=f.computer_name)
