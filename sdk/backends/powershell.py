"""The PowerShell backend: the SDK over a real Hyper-V host, through Hyper-V's own cmdlets.

Each SDK call becomes ONE script built from a fixed template (`sdk.backends.ps_script`), in which
every user value is a quoted literal made by `ps_quote` (never interpolated code). A transport
(`sdk.backends.transports`) runs it; the script answers with one JSON line (`ConvertTo-Json` of
exactly the properties the SDK types need, plus the error records and warnings it collected), and
`sdk.backends.ps_json` turns that into SDK values. Error records map to the SDK exceptions the
emulator raises, through one table (`ERROR_TABLE`), keeping the host's message and error id.

    from hyperv_emu.sdk.backends.powershell import PowerShellBackend, backend_for_url, script_for
    from hyperv_emu.sdk.backends.transports import LocalPowerShellTransport
    hv = HyperVClient(PowerShellBackend(LocalPowerShellTransport("pwsh")))
    print(script_for("checkpoint_vm", None, "1c4f0e52-…", "Before KB5034567"))   # the exact script

URL forms (`sdk.connect(url)` calls `backend_for_url(url)`):

| URL | Transport |
|-----|-----------|
| `powershell:` · `powershell://localhost` · `powershell://.` | local PowerShell (`powershell.exe` on Windows, else `pwsh`) |
| `powershell://HV01` | local PowerShell; Hyper-V cmdlets get `-ComputerName HV01`, host calls run in `Invoke-Command -ComputerName HV01` |
| `winrm://[user@]host[:port][/path]` · `psrp://…` | WinRM/PSRP via pypsrp; TLS by default (port 5986) |
| `https://[user@]host[:port]/wsman` · `http://…` | the same, TLS from the scheme (ports 5986 / 5985) |

Query options. Local: `exe=powershell.exe|pwsh|<path>`, `timeout=<seconds>` (default 600),
`edition=5.1|7` (a hint; it picks the executable when `exe` is absent). WinRM: `auth=negotiate|
ntlm|kerberos|credssp|basic|certificate` (default negotiate), `ssl=1|0`, `cert_validation=1|0|<CA
bundle path>`, `password_env=<VAR>`, `user=<name>` (instead of `user@`; `DOMAIN%5Cuser` works in
both), `configuration=<session configuration>` (default Microsoft.PowerShell),
`operation_timeout=<s>`, `read_timeout=<s>`, `connection_timeout=<s>`, `encryption=auto|always|never`,
`certificate_pem=<path>&certificate_key_pem=<path>` (auth=certificate), `computer=<host>` (a default
`-ComputerName`). The password comes from the environment variable `password_env`
names, else `HVEMU_WINRM_PASSWORD`; a URL that carries a password (`user:secret@host`) is refused,
and no message repeats it. Kerberos can go without a password (the ticket cache).

Differences from the emulator that a real host imposes, on purpose kept visible:
- `sleep()` really sleeps and `clock_is_virtual()` is False: a real host's clock is real.
- `set_faults()` raises BackendError: fault injection is an emulator feature.
- `new_vm()` refuses a name an existing VM has (case-insensitively), as the emulator does, though
  Hyper-V itself would allow the duplicate.
- `lookup_vms()` returns VMs in the order Get-VM gives them (per name), each once.

docs/real-hosts.md has the whole story: URL forms, auth, the scripts, the error table.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from hyperv_emu.sdk import contains_wildcards, errors, wildcard_match
from hyperv_emu.sdk.backends import ps_importscript, ps_json, ps_netscript, ps_vmscript
from hyperv_emu.sdk.backends.ps_json import get_ci
from hyperv_emu.sdk.backends.ps_json import Envelope, HostErrorRecord
from hyperv_emu.sdk.backends.ps_script import Script, ScriptBuilder
from hyperv_emu.sdk.backends.transports import (
    AUTH_METHODS,
    LocalPowerShellTransport,
    Transport,
    WinRMTransport,
    env_password,
)
from hyperv_emu.sdk.types import (
    VHD,
    Checkpoint,
    DvdDrive,
    FileInfo,
    HardDrive,
    HostEvent,
    NetworkAdapter,
    ScsiController,
    SnapshotType,
    StopMode,
    VhdTestResult,
    VM,
    VMLookup,
    VMSwitch,
)
from hyperv_emu.sdk.compat import ImportOptions, OperationType, VMCompatibilityError, VMCompatibilityReport
from hyperv_emu.sdk.metering import VMMeteringReport
from hyperv_emu.sdk.backends.ps_devices import PowerShellDevices
from hyperv_emu.sdk.vmparts import AdapterSettings, NetAdapter, NewAdapterSpec, SwitchSettings, VMFirmware, VMHostInfo, VMSettings

log = logging.getLogger("hyperv_emu.sdk.backends.powershell")

_GUID = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")

NO_SNAPSHOT = "Unable to find a snapshot matching the given criteria."
MORE_THAN_ONE = "More than one snapshot was found matching the given criteria."

# --- error mapping: one table -------------------------------------------------------------------------

VM_CMDLETS = frozenset({"Get-VM", "New-VM", "Remove-VM", "Set-VM", "Start-VM", "Stop-VM", "Suspend-VM",
                        "Resume-VM", "Checkpoint-VM", "Import-VM", "Get-VMHardDiskDrive"})
CHECKPOINT_CMDLETS = frozenset({"Get-VMSnapshot", "Restore-VMSnapshot", "Remove-VMSnapshot", "Rename-VMSnapshot",
                                "Export-VMSnapshot", "Get-VMCheckpoint", "Restore-VMCheckpoint",
                                "Remove-VMCheckpoint", "Rename-VMCheckpoint", "Export-VMCheckpoint"})
DRIVE_CALLS = frozenset({"add_hard_drive", "remove_hard_drive", "set_hard_drive"})
VHD_CALLS = frozenset({"get_vhd", "new_vhd", "test_vhd", "merge_vhd", "resize_vhd", "optimize_vhd"})
FILE_CALLS = frozenset({"list_dir", "file_info", "read_file", "write_file", "make_dir", "delete_file"})
PATH_ERROR_IDS = frozenset({"PathNotFound", "ItemNotFoundException", "FileNotFoundException",
                            "DirectoryNotFoundException", "DriveNotFound", "HvEmu.NotAFolder", "HvEmu.IsAFolder"})


@attrs.frozen
class ErrorRule:
    """Maps a host error record to an SDK exception when every given criterion holds: the error
    id (first part of FullyQualifiedErrorId), the category, the message (a regex, searched
    case-insensitively), the SDK call, or the cmdlet (CategoryInfo.Activity)."""

    exception: type[errors.HyperVError]
    error_ids: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    message: str | None = None
    calls: frozenset[str] = frozenset()
    activities: frozenset[str] = frozenset()

    def matches(self, record: HostErrorRecord, call: str) -> bool:
        if self.error_ids and record.error_id.casefold() not in {i.casefold() for i in self.error_ids}:
            return False
        if self.categories and record.category.casefold() not in {c.casefold() for c in self.categories}:
            return False
        if self.message is not None and not re.search(self.message, record.message, re.I | re.S):
            return False
        if self.calls and call not in self.calls:
            return False
        if self.activities and record.activity.casefold() not in {a.casefold() for a in self.activities}:
            return False
        return True


def _rule(exc: type[errors.HyperVError], *, ids: Iterable[str] = (), categories: Iterable[str] = (),
          message: str | None = None, calls: Iterable[str] = (), activities: Iterable[str] = ()) -> ErrorRule:
    return ErrorRule(exc, frozenset(ids), frozenset(categories), message, frozenset(calls), frozenset(activities))


# First match wins. Messages are Hyper-V's (hyperv-reference.md §6) and PowerShell's.
VM_SETTINGS_CALLS = frozenset({"configure_vm", "set_integration_service", "wait_vm", "set_vm_host", "restart_vm",
                               "remove_saved_state", "remove_checkpoint_saved_state"})

ERROR_TABLE: tuple[ErrorRule, ...] = (
    # the backend's own checks (Write-Error -ErrorId HvEmu.*)
    _rule(errors.AlreadyExistsError, ids={"HvEmu.VMAlreadyExists"}),
    _rule(errors.ExportImportError, ids={"HvEmu.NoExport"}),
    # the script could not run as written: no Hyper-V module, a parse error
    _rule(errors.BackendError, ids={"CommandNotFoundException"}),
    _rule(errors.BackendError, categories={"ParserError"}),
    # Hyper-V's own texts
    _rule(errors.VMNotFoundError, message=r"unable to find a virtual machine"),
    _rule(errors.CheckpointNotFoundError, message=r"unable to find a (snapshot|checkpoint)"),
    _rule(errors.MultipleCheckpointsError, message=r"more than one (snapshot|checkpoint)"),
    _rule(errors.MeteringDisabledError, message=r"resource metering is not enabled"),
    # a -ComputerName the Hyper-V module cannot reach (the emulator's text, then Hyper-V's)
    _rule(errors.HostNotFoundError, message=r"unable to find the computer|error trying to access an object on computer"),
    _rule(errors.InvalidPatternError, message=r"wildcard character pattern is not valid"),
    _rule(errors.InvalidStateError, ids={"InvalidState"}),
    _rule(errors.InvalidStateError, message=r"cannot be performed while the virtual machine is in its current state"),
    # Stop-VM asks before turning off a VM whose guest cannot shut down; non-interactive hosts refuse.
    _rule(errors.InvalidStateError, calls={"stop_vm"}, message=r"NonInteractive|prompt"),
    _rule(errors.CheckpointFailedError, message=r"checkpoint operation failed|taking a checkpoint|checkpoints have been disabled"),
    _rule(errors.InvalidNameError, ids={"ParameterArgumentValidationError", "InvalidParameter"},
          calls={"checkpoint_vm", "rename_checkpoint", "new_vm", "get_checkpoints", "find_checkpoint",
                 "lookup_vms"}),
    _rule(errors.CheckpointFailedError, calls={"checkpoint_vm"}, activities={"Checkpoint-VM"}),
    _rule(errors.ExportImportError, calls={"import_vm", "compare_import", "import_report"}, ids=PATH_ERROR_IDS),
    _rule(errors.ExportImportError, calls={"export_vm"}, activities={"Export-VM"}, ids={"OperationFailed"}),
    _rule(errors.ExportImportError, calls={"export_checkpoint", "import_vm", "compare_import", "import_report"},
          activities={"Export-VMSnapshot", "Import-VM", "Compare-VM"}),
    _rule(errors.FileInUseError, calls=VHD_CALLS | DRIVE_CALLS, message=r"being used by another process"),
    _rule(errors.HostPathError, calls=DRIVE_CALLS, message=r"cannot find the file specified"),
    _rule(errors.HostPathError, calls=VHD_CALLS, categories={"ObjectNotFound"}),
    _rule(errors.DiskError, calls=VHD_CALLS - {"get_vhd"}),
    _rule(errors.HostPathError, ids=PATH_ERROR_IDS),
    _rule(errors.HostPathError, calls=FILE_CALLS | {"get_vhd"}, categories={"ObjectNotFound"}),
    _rule(errors.CheckpointNotFoundError, categories={"ObjectNotFound"}, activities=CHECKPOINT_CMDLETS),
    _rule(errors.VMNotFoundError, categories={"ObjectNotFound"}, activities=VM_CMDLETS),
    _rule(errors.HostNotFoundError, message=r"WinRM cannot (process|complete) the (request|operation)|cannot find the computer|"
                                            r"computer .* (cannot|could not) be (found|resolved)"),
    # VM settings and Wait-VM (emulator.vmsettings' refusals, Wait-VM's timeout)
    _rule(errors.OperationTimeoutError, ids={"OperationTimeout"}),
    _rule(errors.OperationTimeoutError, calls={"wait_vm"}, message=r"condition is not satisfied in the specified time-out"),
    _rule(errors.AlreadyExistsError, calls={"configure_vm"}, message=r"already exists"),
    _rule(errors.InvalidArgumentError, ids={"InvalidArgument"}, calls=VM_SETTINGS_CALLS),
    _rule(errors.HyperVError),
)


def map_error(record: HostErrorRecord, call: str, context: Mapping[str, str] | None = None) -> errors.HyperVError:
    """The SDK exception for one host error record (the message kept, or, for the backend's own
    `HvEmu.*` checks, the emulator's text for the same situation)."""
    context = context or {}
    for rule in ERROR_TABLE:
        if rule.matches(record, call):
            cls = rule.exception
            break
    else:  # pragma: no cover - the last rule matches everything
        cls = errors.HyperVError
    message, target = record.message, record.target
    error_id: str | None = record.error_id or None
    category: str | None = record.category or None
    if record.error_id.startswith("HvEmu."):
        error_id = category = None  # the exception's defaults, as the emulator raises them
        if record.error_id == "HvEmu.VMAlreadyExists":
            name = context.get("name", "")
            message, target = f"A virtual machine named '{name}' already exists on '{record.target}'.", name
        elif record.error_id in ("HvEmu.NotAFolder", "HvEmu.IsAFolder"):
            message = f"Cannot find path '{record.target}' because it does not exist."
        elif record.error_id == "HvEmu.NoExport":
            path = context.get("path", "")
            message, target = f"Cannot find an exported virtual machine at '{path}'.", path
    elif record.error_id == "CommandNotFoundException":
        message = f"{record.message} (Is the Hyper-V PowerShell module installed on the host?)"
    return cls(message or "The host reported an error without a message.", error_id=error_id, category=category,
               target=target)


# --- the backend -------------------------------------------------------------------------------------------

def _is_guid(value: str) -> bool:
    return isinstance(value, str) and bool(_GUID.match(value))


class PowerShellBackend(PowerShellDevices):
    """An SDK backend that runs Hyper-V cmdlet scripts through a `Transport`.

    `edition_hint` ("5.1" or "7") is informational (the parser reads both editions); the edition
    a host really runs is in `ps_version` after the first call. `default_computer` is used for
    calls whose `computer` is None. `last_script` holds the text of the last script run."""

    def __init__(self, transport: Transport, edition_hint: str | None = None, *,
                 default_computer: str | None = None) -> None:
        self.transport = transport
        self.edition_hint = edition_hint
        self.default_computer = default_computer
        self.scripts = ScriptBuilder()
        self.last_script: str | None = None
        self.ps_version: str | None = None

    def __repr__(self) -> str:
        return f"PowerShellBackend({self.transport!r}, default_computer={self.default_computer!r})"

    def close(self) -> None:
        closer = getattr(self.transport, "close", None)
        if closer is not None:
            closer()

    # --- running ------------------------------------------------------------------------------

    def _c(self, computer: str | None) -> str | None:
        return computer if computer is not None else self.default_computer

    def _run(self, script: Script, *, context: Mapping[str, str] | None = None,
             tolerate: Callable[[errors.HyperVError], bool] | None = None) -> Envelope:
        """Run the script; raise the first error the host reported (unless `tolerate` accepts it)."""
        self.last_script = script.text
        log.debug("PowerShell script for %s:\n%s", script.call, script.text)
        result = self.transport.run(script.text)
        envelope = ps_json.find_envelope(result.stdout)
        if envelope is None:
            records = ps_json.errors_from_stderr(result.stderr)
            if records:
                raise map_error(records[0], script.call, context)
            tail = (result.stdout.strip()[-500:] or "(no output)")
            raise errors.BackendError(f"PowerShell returned no result for {script.call} (exit code "
                                      f"{result.exit_code}): {tail}")
        if result.stderr.strip():
            log.debug("standard error besides the result of %s: %s", script.call, result.stderr.strip()[:2000])
        if envelope.ps_version:
            self.ps_version = envelope.ps_version
        for record in envelope.errors:
            exc = map_error(record, script.call, context)
            if tolerate is not None and tolerate(exc):
                log.debug("tolerated for %s: %s", script.call, record)
                continue
            raise exc
        return envelope

    @staticmethod
    def _one(envelope: Envelope, what: str) -> Any:
        if not envelope.items:
            raise errors.BackendError(f"The host returned no {what}.")
        return envelope.items[0]

    @staticmethod
    def _vm_id(vm_id: str) -> str:
        if not _is_guid(vm_id):
            raise errors.VMNotFoundError(f'Hyper-V was unable to find a virtual machine with id "{vm_id}".',
                                         target=str(vm_id))
        return vm_id

    @staticmethod
    def _cp_id(checkpoint_id: str) -> str:
        if not _is_guid(checkpoint_id):
            raise errors.CheckpointNotFoundError(NO_SNAPSHOT, target=str(checkpoint_id))
        return checkpoint_id

    # --- VMs ----------------------------------------------------------------------------------------

    def lookup_vms(self, computer: str | None, names: Sequence[str] | None) -> VMLookup:
        names = list(names) if names is not None else None
        if names == []:
            return VMLookup((), ())
        env = self._run(self.scripts.lookup_vms(self._c(computer), names),
                        tolerate=lambda e: isinstance(e, errors.VMNotFoundError))
        found: list[VM] = []
        seen: set[str] = set()
        for vm in (ps_json.vm_from_json(i) for i in env.items):
            if vm.id not in seen:
                seen.add(vm.id)
                found.append(vm)
        missing = [] if names is None else [
            n for n in names if not contains_wildcards(n) and not any(wildcard_match(n, v.name) for v in found)]
        return VMLookup(tuple(found), tuple(missing))

    def get_vm_by_id(self, computer: str | None, vm_id: str) -> VM:
        env = self._run(self.scripts.get_vm_by_id(self._c(computer), self._vm_id(vm_id)))
        if not env.items:
            raise errors.VMNotFoundError(f'Hyper-V was unable to find a virtual machine with id "{vm_id}".',
                                         target=vm_id)
        return ps_json.vm_from_json(env.items[0])

    def new_vm(self, computer: str | None, name: str, *, memory_startup: int, generation: int, path: str | None,
               new_vhd_path: str | None, new_vhd_size: int, vhd_path: str | None,
               boot_device: str | None = None) -> VM:
        script = self.scripts.new_vm(self._c(computer), name, memory_startup=memory_startup, generation=generation,
                                     path=path, new_vhd_path=new_vhd_path, new_vhd_size=new_vhd_size,
                                     vhd_path=vhd_path, boot_device=boot_device)
        env = self._run(script, context={"name": name})
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def remove_vm(self, computer: str | None, vm_id: str) -> None:
        self._run(self.scripts.remove_vm(self._c(computer), self._vm_id(vm_id)))

    def set_vm(self, computer: str | None, vm_id: str, *, checkpoint_type: str | None = None,
               automatic_checkpoints_enabled: bool | None = None, snapshot_file_location: str | None = None,
               memory_startup: int | None = None, processor_count: int | None = None,
               notes: str | None = None) -> VM:
        script = self.scripts.set_vm(
            self._c(computer), self._vm_id(vm_id), checkpoint_type=checkpoint_type,
            automatic_checkpoints_enabled=automatic_checkpoints_enabled,
            snapshot_file_location=snapshot_file_location, memory_startup=memory_startup,
            processor_count=processor_count, notes=notes)
        env = self._run(script)
        for w in env.warnings:
            log.info("Set-VM warning: %s", w)
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def start_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._run(self.scripts.start_vm(self._c(computer), self._vm_id(vm_id))).warnings)

    def stop_vm(self, computer: str | None, vm_id: str, mode: StopMode, force: bool) -> list[str]:
        return list(self._run(self.scripts.stop_vm(self._c(computer), self._vm_id(vm_id), mode, force)).warnings)

    def suspend_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._run(self.scripts.suspend_vm(self._c(computer), self._vm_id(vm_id))).warnings)

    def resume_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._run(self.scripts.resume_vm(self._c(computer), self._vm_id(vm_id))).warnings)

    # --- VM settings and actions around them (scripts: ps_vmscript) ---------------------------------

    def configure_vm(self, computer: str | None, vm_id: str, settings: VMSettings) -> VM:
        env = self._run(ps_vmscript.configure_vm(self._c(computer), self._vm_id(vm_id), settings))
        for w in env.warnings:
            log.info("Set-VM warning: %s", w)
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def restart_vm(self, computer: str | None, vm_id: str) -> list[str]:
        return list(self._run(ps_vmscript.restart_vm(self._c(computer), self._vm_id(vm_id))).warnings)

    def remove_saved_state(self, computer: str | None, vm_id: str) -> None:
        self._run(ps_vmscript.remove_saved_state(self._c(computer), self._vm_id(vm_id)))

    def remove_checkpoint_saved_state(self, computer: str | None, checkpoint_id: str) -> None:
        self._run(ps_vmscript.remove_checkpoint_saved_state(self._c(computer), checkpoint_id))

    def set_integration_service(self, computer: str | None, vm_id: str, name: str, enabled: bool) -> VM:
        env = self._run(ps_vmscript.set_integration_service(self._c(computer), self._vm_id(vm_id), name, enabled))
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def set_resource_metering(self, computer: str | None, vm_id: str, action: str) -> VM:
        env = self._run(ps_vmscript.set_resource_metering(self._c(computer), self._vm_id(vm_id), action))
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def measure_vm(self, computer: str | None, vm_id: str) -> VMMeteringReport:
        env = self._run(ps_vmscript.measure_vm(self._c(computer), self._vm_id(vm_id)))
        return ps_json.value_from_json(VMMeteringReport, self._one(env, "metering report"))

    def wait_vm(self, computer: str | None, vm_id: str, condition: str, timeout: float | None, delay: float) -> None:
        self._run(ps_vmscript.wait_vm(self._c(computer), self._vm_id(vm_id), condition, timeout, delay))

    def state_generation(self) -> int | None:
        return None  # a real host's state changes without this backend's calls

    def get_vm_host(self, computer: str | None) -> VMHostInfo:
        env = self._run(ps_vmscript.get_vm_host(self._c(computer)))
        return ps_json.value_from_json(VMHostInfo, self._one(env, "host"))

    def set_vm_host(self, computer: str | None, *, virtual_hard_disk_path: str | None,
                    virtual_machine_path: str | None) -> VMHostInfo:
        env = self._run(ps_vmscript.set_vm_host(self._c(computer), virtual_hard_disk_path=virtual_hard_disk_path,
                                                virtual_machine_path=virtual_machine_path))
        return ps_json.value_from_json(VMHostInfo, self._one(env, "host"))

    # --- checkpoints --------------------------------------------------------------------------------

    def checkpoint_vm(self, computer: str | None, vm_id: str, name: str | None) -> Checkpoint:
        env = self._run(self.scripts.checkpoint_vm(self._c(computer), self._vm_id(vm_id), name))
        for w in env.warnings:
            log.info("Checkpoint-VM warning: %s", w)
        return ps_json.checkpoint_from_json(self._one(env, "checkpoint"))

    def get_checkpoints(self, computer: str | None, vm_ids: Sequence[str] | None, *, name: str | None = None,
                        parent_of: str | None = None, child_of: str | None = None,
                        snapshot_type: str | None = None) -> list[Checkpoint]:
        filtered = name is not None or parent_of is not None or child_of is not None or snapshot_type is not None
        ids = None if vm_ids is None else [i for i in vm_ids if _is_guid(i)]
        if snapshot_type is not None:
            canonical = next((m.name for m in SnapshotType if m.name.casefold() == snapshot_type.casefold()), None)
            if canonical is None:
                raise errors.CheckpointNotFoundError(NO_SNAPSHOT)
            snapshot_type = canonical
        for of in (parent_of, child_of):
            if of is not None and not _is_guid(of):
                raise errors.CheckpointNotFoundError(NO_SNAPSHOT, target=of)
        if ids == [] and parent_of is None and child_of is None:
            if filtered:
                raise errors.CheckpointNotFoundError(NO_SNAPSHOT)
            return []
        script = self.scripts.get_checkpoints(self._c(computer), ids, name=name, parent_of=parent_of,
                                              child_of=child_of, snapshot_type=snapshot_type)
        not_found: list[errors.HyperVError] = []

        def tolerate(e: errors.HyperVError) -> bool:
            if isinstance(e, errors.CheckpointNotFoundError):
                not_found.append(e)
                return True
            return False

        env = self._run(script, tolerate=tolerate)
        cps = [ps_json.checkpoint_from_json(i) for i in env.items]
        if ids is not None:
            wanted = {i.casefold() for i in ids}
            cps = [c for c in cps if c.vm_id.casefold() in wanted]
        cps.sort(key=lambda c: c.creation_time)
        if filtered and not cps:
            raise not_found[0] if not_found else errors.CheckpointNotFoundError(NO_SNAPSHOT)
        return cps

    def get_checkpoint(self, computer: str | None, checkpoint_id: str) -> Checkpoint:
        env = self._run(self.scripts.get_checkpoint(self._c(computer), self._cp_id(checkpoint_id)))
        if not env.items:
            raise errors.CheckpointNotFoundError(NO_SNAPSHOT, target=checkpoint_id)
        return ps_json.checkpoint_from_json(env.items[0])

    def find_checkpoint(self, computer: str | None, vm_id: str, name: str) -> Checkpoint:
        not_found: list[errors.HyperVError] = []

        def tolerate(e: errors.HyperVError) -> bool:
            if isinstance(e, errors.CheckpointNotFoundError):
                not_found.append(e)
                return True
            return False

        env = self._run(self.scripts.find_checkpoint(self._c(computer), self._vm_id(vm_id), name), tolerate=tolerate)
        cps = [ps_json.checkpoint_from_json(i) for i in env.items]
        if not cps:
            raise not_found[0] if not_found else errors.CheckpointNotFoundError(NO_SNAPSHOT)
        if len(cps) > 1:
            raise errors.MultipleCheckpointsError(MORE_THAN_ONE)
        return cps[0]

    def restore_checkpoint(self, computer: str | None, checkpoint_id: str) -> list[str]:
        return list(self._run(self.scripts.restore_checkpoint(self._c(computer), self._cp_id(checkpoint_id))).warnings)

    def remove_checkpoint(self, computer: str | None, checkpoint_id: str, include_children: bool) -> Checkpoint:
        env = self._run(self.scripts.remove_checkpoint(self._c(computer), self._cp_id(checkpoint_id),
                                                       include_children))
        return ps_json.checkpoint_from_json(self._one(env, "checkpoint"))

    def rename_checkpoint(self, computer: str | None, checkpoint_id: str, new_name: str) -> Checkpoint:
        env = self._run(self.scripts.rename_checkpoint(self._c(computer), self._cp_id(checkpoint_id), new_name))
        return ps_json.checkpoint_from_json(self._one(env, "checkpoint"))

    def export_checkpoint(self, computer: str | None, checkpoint_id: str, path: str) -> str:
        env = self._run(self.scripts.export_checkpoint(self._c(computer), self._cp_id(checkpoint_id), path),
                        context={"path": path})
        cp = ps_json.checkpoint_from_json(self._one(env, "checkpoint"))
        return path.rstrip("\\/") + "\\" + cp.vm_name

    def export_vm(self, computer: str | None, vm_id: str, path: str) -> str:
        env = self._run(self.scripts.export_vm(self._c(computer), self._vm_id(vm_id), path), context={"path": path})
        vm = ps_json.vm_from_json(self._one(env, "virtual machine"))
        return path.rstrip("\\/") + "\\" + vm.name

    def move_vm_storage(self, computer: str | None, vm_id: str, destination: str) -> VM:
        env = self._run(self.scripts.move_vm_storage(self._c(computer), self._vm_id(vm_id), destination))
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def import_vm(self, computer: str | None, path: str, options: ImportOptions) -> VM:
        env = self._run(self.scripts.import_vm(self._c(computer), path, options), context={"path": path})
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    # --- disks, events, faults -------------------------------------------------------------------

    def get_vhd(self, computer: str | None, path: str) -> VHD:
        env = self._run(self.scripts.get_vhd(self._c(computer), path))
        if not env.items:
            raise errors.HostPathError(f"The system cannot find the file specified: '{path}'.", target=path)
        return ps_json.vhd_from_json(env.items[0])

    def new_vhd(self, computer: str | None, path: str, *, vhd_type: str, size: int, parent_path: str | None,
                block_size: int, logical_sector_size: int, physical_sector_size: int) -> VHD:
        env = self._run(self.scripts.new_vhd(self._c(computer), path, vhd_type=vhd_type, size=size,
                                             parent_path=parent_path, block_size=block_size,
                                             logical_sector_size=logical_sector_size,
                                             physical_sector_size=physical_sector_size))
        return ps_json.vhd_from_json(self._one(env, "virtual hard disk"))

    def test_vhd(self, computer: str | None, path: str) -> VhdTestResult:
        raw = self._one(self._run(self.scripts.test_vhd(self._c(computer), path)), "Test-VHD result")
        if not isinstance(raw, dict):
            raise errors.BackendError("The host sent a Test-VHD result the SDK cannot read.")
        return VhdTestResult(path=str(ps_json.get_ci(raw, "Path") or path), ok=bool(ps_json.get_ci(raw, "Ok")),
                             problem=str(ps_json.get_ci(raw, "Problem") or ""))

    def merge_vhd(self, computer: str | None, path: str, destination: str | None) -> VHD:
        env = self._run(self.scripts.merge_vhd(self._c(computer), path, destination))
        return ps_json.vhd_from_json(self._one(env, "virtual hard disk"))

    def resize_vhd(self, computer: str | None, path: str, size: int | None) -> VHD:
        env = self._run(self.scripts.resize_vhd(self._c(computer), path, size))
        return ps_json.vhd_from_json(self._one(env, "virtual hard disk"))

    def optimize_vhd(self, computer: str | None, path: str) -> VHD:
        env = self._run(self.scripts.optimize_vhd(self._c(computer), path))
        return ps_json.vhd_from_json(self._one(env, "virtual hard disk"))

    def add_hard_drive(self, computer: str | None, vm_id: str, path: str, *, controller_type: str | None,
                       controller_number: int | None, controller_location: int | None) -> HardDrive:
        env = self._run(self.scripts.add_hard_drive(self._c(computer), self._vm_id(vm_id), path,
                                                    controller_type=controller_type,
                                                    controller_number=controller_number,
                                                    controller_location=controller_location))
        return ps_json.value_from_json(HardDrive, self._one(env, "hard disk drive"))

    def remove_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                          controller_location: int) -> None:
        self._run(self.scripts.remove_hard_drive(self._c(computer), self._vm_id(vm_id), controller_type,
                                                 controller_number, controller_location))

    def set_hard_drive(self, computer: str | None, vm_id: str, controller_type: str, controller_number: int,
                       controller_location: int, *, path: str | None, to_controller_type: str | None,
                       to_controller_number: int | None, to_controller_location: int | None) -> HardDrive:
        env = self._run(self.scripts.set_hard_drive(
            self._c(computer), self._vm_id(vm_id), controller_type, controller_number, controller_location,
            path=path, to_controller_type=to_controller_type, to_controller_number=to_controller_number,
            to_controller_location=to_controller_location))
        return ps_json.value_from_json(HardDrive, self._one(env, "hard disk drive"))

    def compare_import(self, computer: str | None, path: str, options: ImportOptions) -> VMCompatibilityReport:
        env = self._run(ps_importscript.compare_import(self._c(computer), path, options), context={"path": path})
        return _report(self._one(env, "compatibility report"), options)

    def recompare(self, computer: str | None, report: VMCompatibilityReport) -> VMCompatibilityReport:
        return self.compare_import(computer, report.path, report.options)

    def import_report(self, computer: str | None, report: VMCompatibilityReport) -> VM:
        script = ps_importscript.import_report(self._c(computer), report.path, report.options)
        env = self._run(script, context={"path": report.path})
        return ps_json.vm_from_json(self._one(env, "virtual machine"))

    def connect_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                switch: str | None) -> list[NetworkAdapter]:
        env = self._run(ps_importscript.connect_network_adapter(self._c(computer), self._vm_id(vm_id), adapter, switch))
        return [ps_json.value_from_json(NetworkAdapter, i) for i in env.items]

    def configure_network_adapter(self, computer: str | None, vm_id: str, adapter: str,
                                  changes: AdapterSettings) -> list[NetworkAdapter]:
        env = self._run(ps_importscript.configure_network_adapter(self._c(computer), self._vm_id(vm_id), adapter,
                                                                  changes))
        return [ps_json.value_from_json(NetworkAdapter, i) for i in env.items]

    def network_adapters(self, computer: str | None, vm_id: str) -> list[NetworkAdapter]:
        env = self._run(self.scripts.network_adapters(self._c(computer), self._vm_id(vm_id)))
        return [ps_json.value_from_json(NetworkAdapter, i) for i in env.items]

    def switches(self, computer: str | None) -> list[VMSwitch]:
        env = self._run(self.scripts.switches(self._c(computer)))
        return [ps_json.value_from_json(VMSwitch, i) for i in env.items]

    def management_os_adapters(self, computer: str | None) -> list[NetworkAdapter]:
        env = self._run(ps_netscript.management_os_adapters(self._c(computer)))
        return [ps_json.value_from_json(NetworkAdapter, i) for i in env.items]

    def net_adapters(self, computer: str | None) -> list[NetAdapter]:
        env = self._run(ps_netscript.net_adapters(self._c(computer)))
        return [ps_json.value_from_json(NetAdapter, i) for i in env.items]

    def add_network_adapter(self, computer: str | None, vm_id: str, spec: NewAdapterSpec) -> NetworkAdapter:
        env = self._run(ps_netscript.add_network_adapter(self._c(computer), self._vm_id(vm_id), spec))
        return ps_json.value_from_json(NetworkAdapter, self._one(env, "network adapter"))

    def remove_network_adapter(self, computer: str | None, vm_id: str, adapter: str) -> None:
        self._run(ps_netscript.remove_network_adapter(self._c(computer), self._vm_id(vm_id), adapter))

    def new_switch(self, computer: str | None, settings: SwitchSettings) -> VMSwitch:
        env = self._run(ps_netscript.new_switch(self._c(computer), settings))
        return ps_json.value_from_json(VMSwitch, self._one(env, "virtual switch"))

    def set_switch(self, computer: str | None, switch_id: str, settings: SwitchSettings) -> VMSwitch:
        env = self._run(ps_netscript.set_switch(self._c(computer), switch_id, settings))
        return ps_json.value_from_json(VMSwitch, self._one(env, "virtual switch"))

    def remove_switch(self, computer: str | None, switch_id: str) -> None:
        self._run(ps_netscript.remove_switch(self._c(computer), switch_id))

    def events(self, computer: str | None) -> list[HostEvent]:
        env = self._run(self.scripts.events(self._c(computer)),
                        tolerate=lambda e: e.error_id in ("NoMatchingEventsFound", "NoMatchingLogsFound"))
        out = [ps_json.event_from_json(i) for i in env.items]
        out.sort(key=lambda e: e.time_created)
        return out

    def set_faults(self, computer: str | None, vm_id: str, *, guest_vss_failing: bool | None,
                   pass_through_disks: int | None) -> VM:
        raise errors.BackendError("set_faults is not available on a real host: fault injection is an emulator "
                                  "feature.", error_id="NotSupported", category="NotImplemented")

    def guest_reachable(self, computer: str | None, vm_id: str) -> bool:
        raise errors.BackendError("guest_reachable is not available on a real host: it is a world setting of the "
                                  "emulator.", error_id="NotSupported", category="NotImplemented")

    # --- guest data: the emulator's, not a real host's ---------------------------------------------

    @staticmethod
    def _no_guest(call: str) -> errors.BackendError:
        return errors.BackendError(f"{call} is not available on a real host: the guest's disks and memory are "
                                   "reached only in the emulator.", error_id="NotSupported",
                                   category="NotImplemented")

    def write_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, data: bytes) -> None:
        raise self._no_guest("write_guest_disk")

    def read_guest_disk(self, computer: str | None, vm_id: str, disk: int, offset: int, length: int) -> bytes:
        raise self._no_guest("read_guest_disk")

    def set_guest_memory(self, computer: str | None, vm_id: str, offset: int, data: bytes) -> None:
        raise self._no_guest("set_guest_memory")

    def read_guest_memory(self, computer: str | None, vm_id: str, offset: int, length: int) -> bytes:
        raise self._no_guest("read_guest_memory")

    # --- the host: name, clock, files ------------------------------------------------------------

    def host_name(self, computer: str | None) -> str:
        # unwrap: through Invoke-Command, 5.1 serialises a string with its remoting notes as
        # {"value": "HV01", "PSComputerName": …} (ConvertTo-Json keeps a scalar's ETS members)
        return str(ps_json.unwrap(self._one(self._run(self.scripts.host_name(self._c(computer))), "host name")))

    def now(self, computer: str | None) -> dt.datetime:
        return ps_json.parse_date(self._one(self._run(self.scripts.now(self._c(computer))), "time"))

    def sleep(self, computer: str | None, seconds: float) -> None:
        time.sleep(max(0.0, float(seconds)))

    def clock_is_virtual(self) -> bool:
        return False

    def list_dir(self, computer: str | None, path: str) -> list[FileInfo]:
        env = self._run(self.scripts.list_dir(self._c(computer), path))
        out = [ps_json.file_info_from_json(i) for i in env.items]
        out.sort(key=lambda f: f.name.casefold())
        return out

    def file_info(self, computer: str | None, path: str) -> FileInfo | None:
        env = self._run(self.scripts.file_info(self._c(computer), path))
        return ps_json.file_info_from_json(env.items[0]) if env.items else None

    def read_file(self, computer: str | None, path: str) -> bytes:
        env = self._run(self.scripts.read_file(self._c(computer), path))
        text = ps_json.unwrap(env.items[0]) if env.items else ""  # unwrap: see host_name
        try:
            return base64.b64decode(str(text or ""), validate=True)
        except ValueError as exc:
            raise errors.BackendError(f"The host sent file contents that are not base64: {exc}.") from exc

    def write_file(self, computer: str | None, path: str, data: bytes) -> None:
        self._run(self.scripts.write_file(self._c(computer), path, data))

    def make_dir(self, computer: str | None, path: str) -> None:
        self._run(self.scripts.make_dir(self._c(computer), path))

    def delete_file(self, computer: str | None, path: str) -> None:
        self._run(self.scripts.delete_file(self._c(computer), path))


# --- seeing the scripts -------------------------------------------------------------------------------------


def script_for(call: str, *args: Any, **kwargs: Any) -> str:
    """The exact script the backend runs for `call` with these arguments (the `Backend` method's
    arguments, `computer` first): `script_for("lookup_vms", None, ["SRV*"])`."""
    builder = ScriptBuilder()
    method = getattr(builder, call, None) if not call.startswith("_") else None
    if method is None:
        raise ValueError(f"no PowerShell script for {call!r}")
    script = method(*args, **kwargs)
    assert isinstance(script, Script)
    return script.text


# --- URLs ---------------------------------------------------------------------------------------------------

_LOCAL_OPTIONS = {"exe", "timeout", "edition"}
_WINRM_OPTIONS = {"auth", "ssl", "cert_validation", "password_env", "user", "username", "configuration",
                  "operation_timeout", "read_timeout", "connection_timeout", "encryption", "computer", "edition",
                  "path", "port", "certificate_pem", "certificate_key_pem"}
_LOCAL_HOSTS = {"", "localhost", ".", "127.0.0.1", "::1"}


def _flag(value: str, option: str) -> bool:
    v = value.strip().casefold()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise errors.BackendError(f"The URL option {option} takes 1 or 0, not '{value}'.",
                              error_id="InvalidArgument", category="InvalidArgument")


def _number(value: str, option: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise errors.BackendError(f"The URL option {option} takes a number, not '{value}'.",
                                  error_id="InvalidArgument", category="InvalidArgument") from None


def _host_as_written(parts: urllib.parse.SplitResult) -> str:
    """The URL's host in its own case (urlsplit lowercases `hostname`; computer names keep theirs)."""
    host = parts.netloc.rpartition("@")[2]
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return urllib.parse.unquote(host.partition(":")[0])


def backend_for_url(url: str) -> PowerShellBackend:
    """A PowerShellBackend for a `powershell:`, `winrm:`, `psrp:`, `http:` or `https:` URL (forms in
    the module docstring). Messages never repeat the URL's user-info."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        raise errors.BackendError("The host URL is malformed (check the port).",
                                  error_id="InvalidArgument", category="InvalidArgument") from None
    scheme = parts.scheme.casefold()
    query: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        query[key.casefold()] = value
    if scheme == "powershell":
        unknown = set(query) - _LOCAL_OPTIONS
        if unknown:
            raise errors.BackendError(f"Unknown option(s) for a local PowerShell URL: {', '.join(sorted(unknown))} "
                                      f"(known: {', '.join(sorted(_LOCAL_OPTIONS))}).",
                                      error_id="InvalidArgument", category="InvalidArgument")
        edition = query.get("edition")
        exe = query.get("exe") or ({"5.1": "powershell.exe", "7": "pwsh"}.get(edition or "") if edition else None)
        timeout = _number(query["timeout"], "timeout") if "timeout" in query else 600.0
        host = _host_as_written(parts)
        computer = None if host.casefold() in _LOCAL_HOSTS else host
        return PowerShellBackend(LocalPowerShellTransport(exe, timeout=timeout), edition,
                                 default_computer=computer)
    if scheme in ("winrm", "psrp", "http", "https"):
        if parts.password is not None:
            raise errors.BackendError(
                "The host URL carries a password; put it in an environment variable instead "
                "(password_env=VAR in the URL, or HVEMU_WINRM_PASSWORD).",
                error_id="InvalidArgument", category="SecurityError")
        unknown = set(query) - _WINRM_OPTIONS
        if unknown:
            raise errors.BackendError(f"Unknown option(s) for a WinRM URL: {', '.join(sorted(unknown))} "
                                      f"(known: {', '.join(sorted(_WINRM_OPTIONS))}).",
                                      error_id="InvalidArgument", category="InvalidArgument")
        winrm_host = parts.hostname
        if not winrm_host:
            raise errors.BackendError("A WinRM URL needs a host: winrm://[user@]host[:port].",
                                      error_id="InvalidArgument", category="InvalidArgument")
        if scheme in ("http", "https"):
            ssl = scheme == "https"
        else:
            ssl = _flag(query["ssl"], "ssl") if "ssl" in query else True
        username = urllib.parse.unquote(parts.username) if parts.username else (
            query.get("user") or query.get("username") or None)
        auth = (query.get("auth") or "negotiate").casefold()
        if auth not in AUTH_METHODS:
            raise errors.BackendError(f"Unknown WinRM authentication '{auth}' (use one of {', '.join(AUTH_METHODS)}).",
                                      error_id="InvalidArgument", category="InvalidArgument")
        cert: bool | str = True
        if "cert_validation" in query:
            raw = query["cert_validation"]
            cert = _flag(raw, "cert_validation") if raw.strip().casefold() in (
                "1", "0", "true", "false", "yes", "no", "on", "off") else raw
        if port is None and "port" in query:
            port = int(_number(query["port"], "port"))
        path = parts.path.strip("/") or query.get("path") or "wsman"
        wsman_options: dict[str, Any] = {k: query[k] for k in ("certificate_pem", "certificate_key_pem") if k in query}
        transport = WinRMTransport(
            winrm_host, port=port, username=username, password=env_password(query.get("password_env")), auth=auth,
            ssl=ssl, cert_validation=cert, path=path,
            configuration_name=query.get("configuration") or "Microsoft.PowerShell",
            operation_timeout=int(_number(query.get("operation_timeout", "20"), "operation_timeout")),
            read_timeout=int(_number(query.get("read_timeout", "30"), "read_timeout")),
            connection_timeout=int(_number(query.get("connection_timeout", "30"), "connection_timeout")),
            encryption=query.get("encryption") or "auto", wsman_options=wsman_options,
        )
        return PowerShellBackend(transport, query.get("edition"), default_computer=query.get("computer") or None)
    raise errors.BackendError(f"Not a PowerShell backend URL scheme: '{parts.scheme}:'.",
                              error_id="InvalidArgument", category="InvalidArgument")


__all__ = ["ERROR_TABLE", "ErrorRule", "PowerShellBackend", "backend_for_url", "map_error", "script_for"]


def _report(raw: dict[str, Any], options: ImportOptions) -> VMCompatibilityReport:
    """A compatibility report from the JSON of ps_importscript's selection."""
    def text(name: str) -> str | None:
        value = get_ci(raw, name)
        return None if value in (None, "") else str(value)

    problems = get_ci(raw, "Incompatibilities") or []
    return VMCompatibilityReport(
        vm=ps_json.vm_from_json(get_ci(raw, "VM")), operation_type=OperationType(int(get_ci(raw, "OperationType") or 1)),
        destination=text("Destination") or "", path=text("Path") or "", snapshot_path=text("SnapshotPath"),
        vhd_destination_path=text("VhdDestinationPath"), vhd_source_path=text("VhdSourcePath"),
        incompatibilities=tuple(VMCompatibilityError(
            message=str(get_ci(p, "Message")), message_id=int(get_ci(p, "MessageId")),
            source=ps_json.value_from_json(NetworkAdapter, get_ci(p, "Source")) if get_ci(p, "Source") else None)
            for p in (problems if isinstance(problems, list) else [problems])),
        options=options)
