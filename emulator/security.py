r"""A generation 2 VM's virtual TPM and key protector: Enable-/Disable-VMTPM, Set-/Get-VMKeyProtector,
Get-VMSecurity.

The rules (the cmdlets' reference pages):

- The virtual TPM is a generation 2 device; a generation 1 VM has none (the cmdlets refuse it).
- A VM's TPM state is encrypted with its key protector, so Enable-VMTPM needs one first:
  `Set-VMKeyProtector -NewLocalKeyProtector` (a local guardian's protector, the usual step of
  build scripts such as Packer's) or `-KeyProtector <bytes>`.
- Enabling or disabling the TPM, and changing the key protector, need the VM Off.
- Get-VMKeyProtector writes the protector's bytes (none: an empty array [U]).
- Set-VMSecurity's two switches (state and migration traffic encryption, the VBS opt-out) are
  settings kept for Get-VMSecurity; they change only while the VM is Off [U].

The protector is kept as hex text; a new local one is a small descriptor naming the host's local
guardian and a fresh id [U: a real protector is an opaque blob of about 1-3 KB].
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from hyperv_emu.emulator import winpath
from hyperv_emu.emulator.errors import InvalidArgument, InvalidVMState
from hyperv_emu.emulator.fieldwise import Fieldwise
from hyperv_emu.emulator.model import HostRecord, VirtualMachineRecord, VMStateName

if TYPE_CHECKING:
    from hyperv_emu.emulator.transaction import Transaction

LOCAL_GUARDIAN = "UntrustedGuardian"


@attrs.frozen(eq=False, repr=False)
class SecurityView(Fieldwise):
    """Get-VMSecurity."""

    vm_name: str
    vm_id: str
    computer_name: str
    tpm_enabled: bool
    shielded: bool = False
    encrypt_state_and_vm_migration_traffic: bool = False
    virtualization_based_security_opt_out: bool = False


def _require_gen2(vm: VirtualMachineRecord) -> None:
    if vm.generation < 2:
        err = InvalidArgument(f"The virtual machine '{vm.name}' is a generation 1 virtual machine: it cannot have a "
                              f"virtual TPM (a generation 2 virtual machine is needed).", target=vm.name)
        err.error_id = "InvalidParameter"
        raise err


def _require_off(vm: VirtualMachineRecord) -> None:
    if vm.state is not VMStateName.OFF:
        raise InvalidVMState(vm.name)


def view(host: HostRecord, vm: VirtualMachineRecord) -> SecurityView:
    return SecurityView(vm.name, vm.id, winpath.netbios_name(host.name), vm.tpm_enabled and vm.generation >= 2,
                        encrypt_state_and_vm_migration_traffic=vm.encrypt_state,
                        virtualization_based_security_opt_out=vm.vbs_opt_out)


def configure(vm: VirtualMachineRecord, encrypt_state: bool | None, vbs_opt_out: bool | None) -> None:
    """Set-VMSecurity -EncryptStateAndVmMigrationTraffic / -VirtualizationBasedSecurityOptOut (VM Off [U])."""
    if (encrypt_state is not None and encrypt_state != vm.encrypt_state) or (
            vbs_opt_out is not None and vbs_opt_out != vm.vbs_opt_out):
        _require_off(vm)
    if encrypt_state is not None:
        vm.encrypt_state = encrypt_state
    if vbs_opt_out is not None:
        vm.vbs_opt_out = vbs_opt_out


def set_tpm(vm: VirtualMachineRecord, enabled: bool) -> None:
    """Enable-VMTPM / Disable-VMTPM."""
    _require_gen2(vm)
    if enabled and not vm.key_protector:
        err = InvalidArgument(f"Failed to enable the virtual TPM of '{vm.name}': the virtual machine has no key "
                              f"protector. Set one first (Set-VMKeyProtector -NewLocalKeyProtector).", target=vm.name)
        err.error_id, err.category = "InvalidOperation", "InvalidOperation"
        raise err
    _require_off(vm)
    vm.tpm_enabled = enabled


def set_key_protector(tx: "Transaction", vm: VirtualMachineRecord, protector: bytes | None) -> None:
    """Set-VMKeyProtector -KeyProtector <bytes>, or -NewLocalKeyProtector (protector None)."""
    _require_gen2(vm)
    if protector is not None and not protector:
        raise InvalidArgument(f"The key protector given for '{vm.name}' is empty.", target=vm.name)
    _require_off(vm)
    if protector is None:
        protector = f"<KeyProtector Guardian='{LOCAL_GUARDIAN}' Id='{tx.new_id()}'/>".encode("utf-16-le")
    vm.key_protector = protector.hex()


def key_protector(vm: VirtualMachineRecord) -> bytes:
    """Get-VMKeyProtector."""
    _require_gen2(vm)
    return bytes.fromhex(vm.key_protector)
