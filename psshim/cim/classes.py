"""The emulated WMI classes: each class's instances read from the SDK, and its methods mapped
to the SDK calls the Hyper-V cmdlets make (the emulator applies the same rules either way).

Namespace `root\\virtualization\\v2`: Msvm_ComputerSystem (the host and its VMs; RequestStateChange),
Msvm_VirtualSystemSettingData (each VM's realized settings and each checkpoint),
Msvm_VirtualSystemSnapshotService (CreateSnapshot, DestroySnapshot, DestroySnapshotTree,
ApplySnapshot) and Msvm_ConcreteJob (the jobs those methods return). Namespace `root\\cimv2`:
Win32_ComputerSystem and Win32_OperatingSystem of the host.

Property names, values and method signatures follow Microsoft's class pages
(learn.microsoft.com/windows/win32/hyperv_v2/msvm-computersystem, -virtualsystemsettingdata,
-virtualsystemsnapshotservice and its method pages, -concretejob). The methods are asynchronous
on a host: they return 4096 ("Method Parameters Checked - Job Started") and a Msvm_ConcreteJob;
here the job has finished when the call returns: JobState 7 (Completed), or 10 (Exception) with
ErrorCode 32768 and the Hyper-V error text in ErrorDescription; the jobs of a run are kept (in
the list the caller passes) for Get-CimInstance Msvm_ConcreteJob and `[wmi]$result.Job`. A
reference argument that names no instance returns 4 (Invalid Parameter) and no job.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Callable

from hyperv_emu.psshim.cim.objects import Instance
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM, Checkpoint, SnapshotType

V2 = "root\\virtualization\\v2"
CIMV2 = "root\\cimv2"

COMPLETED, JOB_STARTED, NOT_SUPPORTED, INVALID_PARAMETER = 0, 4096, 1, 4


class CimClassError(Exception):
    """`kind` is "namespace" (no such namespace), "class" (no such class: WBEM_E_INVALID_CLASS),
    "method" (no such method) or "not_emulated" (it exists on Windows, hvemu does not emulate it)."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(name)
        self.kind = kind
        self.name = name


# Classes of each namespace that exist on a host but are not emulated: a name with one of these
# prefixes is "not supported by hvemu", any other name an invalid class (Msvm_ComputerSystem asked
# of root\cimv2, the default namespace, is invalid there as on Windows).
_REAL_PREFIXES = {V2: ("msvm_", "cim_", "__"), CIMV2: ("win32_", "cim_", "__", "msft_")}

_SNAPSHOT_TYPES = {
    SnapshotType.Standard: "Microsoft:Hyper-V:Snapshot:Realized",
    SnapshotType.Recovery: "Microsoft:Hyper-V:Snapshot:Recovery",
    SnapshotType.Planned: "Microsoft:Hyper-V:Snapshot:Planned",
    SnapshotType.Missing: "Microsoft:Hyper-V:Snapshot:Missing",
    SnapshotType.Replica: "Microsoft:Hyper-V:Snapshot:Replica:Standard",
    SnapshotType.AppConsistentReplica: "Microsoft:Hyper-V:Snapshot:Replica:ApplicationConsistent",
    SnapshotType.SyncedReplica: "Microsoft:Hyper-V:Snapshot:Replica:PlannedFailover",
}

# in-parameters of each method, in the order `InvokeMethod` / `.Method(...)` takes them
METHODS: dict[str, dict[str, tuple[str, ...]]] = {
    "msvm_virtualsystemsnapshotservice": {
        "CreateSnapshot": ("AffectedSystem", "SnapshotSettings", "SnapshotType"),
        "DestroySnapshot": ("AffectedSnapshot",),
        "DestroySnapshotTree": ("SnapshotSettingData",),
        "ApplySnapshot": ("Snapshot",),
    },
    "msvm_computersystem": {"RequestStateChange": ("RequestedState", "TimeoutPeriod")},
}


class CimProvider:
    """The emulated classes over one SDK client (one host). `new_guid` names the jobs."""

    def __init__(self, client: HyperVClient, new_guid: Callable[[], uuid.UUID],
                 jobs: list[Instance] | None = None) -> None:
        self.client = client
        self.new_guid = new_guid
        self.jobs: list[Instance] = [] if jobs is None else jobs
        self._this: Instance | None = None  # the instance whose method runs
        self.server = client.host_name.split(".")[0].upper()
        self._classes: dict[tuple[str, str], tuple[str, Callable[[], list[Instance]]]] = {
            (V2, "msvm_computersystem"): ("Msvm_ComputerSystem", self._computer_systems),
            (V2, "msvm_virtualsystemsettingdata"): ("Msvm_VirtualSystemSettingData", self._settings),
            (V2, "msvm_virtualsystemsnapshotservice"): ("Msvm_VirtualSystemSnapshotService", self._snapshot_service),
            (V2, "msvm_concretejob"): ("Msvm_ConcreteJob", lambda: list(self.jobs)),
            (CIMV2, "win32_computersystem"): ("Win32_ComputerSystem", self._win32_computer),
            (CIMV2, "win32_operatingsystem"): ("Win32_OperatingSystem", self._win32_os),
        }

    # --- classes and instances ----------------------------------------------------------------

    @staticmethod
    def namespace(name: str | None) -> str:
        """The namespace as WMI names it (`root/virtualization/v2` and `ROOT\\cimv2` alike);
        CimClassError for one that is not emulated."""
        ns = (name or CIMV2).replace("/", "\\").strip("\\").lower()
        if ns == V2.lower():
            return V2
        if ns == CIMV2:
            return CIMV2
        raise CimClassError("not_emulated", name or "")

    def class_name(self, namespace: str, name: str) -> str:
        entry = self._classes.get((namespace, name.casefold()))
        if entry is not None:
            return entry[0]
        if name.casefold().startswith(_REAL_PREFIXES[namespace]):
            raise CimClassError("not_emulated", name)
        raise CimClassError("class", name)

    def instances(self, namespace: str, name: str) -> list[Instance]:
        self.class_name(namespace, name)
        return self._classes[(namespace, name.casefold())][1]()

    def property_names(self, namespace: str, name: str) -> list[str]:
        """The class's properties (what a WQL query may name), from a sample instance."""
        cls = self.class_name(namespace, name)
        sample = {"Msvm_ConcreteJob": lambda: [self._job("", None, keep=False)]}.get(
            cls, lambda: self.instances(namespace, name))()
        if sample:
            return list(sample[0].props)
        return list(self._checkpoint_settings_props())

    def _instance(self, cls: str, props: dict[str, Any], keys: tuple[str, ...], namespace: str = V2,
                  derivation: tuple[str, ...] = ()) -> Instance:
        return Instance(cls, namespace, self.server, props, keys, derivation[0] if derivation else "", derivation)

    def _vm_system(self, vm: VM) -> Instance:
        return self._instance("Msvm_ComputerSystem", {
            "Caption": "Virtual Machine", "Description": "Microsoft Virtual Machine", "ElementName": vm.name,
            "InstallDate": vm.creation_time, "Name": vm.id.upper(), "OperationalStatus": [int(s) for s in vm.operational_status],
            "StatusDescriptions": [vm.status], "Status": "OK", "HealthState": 5, "EnabledState": int(vm.state),
            "EnabledDefault": 2, "CreationClassName": "Msvm_ComputerSystem",
            "OnTimeInMilliseconds": int(vm.uptime.total_seconds() * 1000),
        }, ("CreationClassName", "Name"), derivation=_COMPUTER_SYSTEM)

    def _computer_systems(self) -> list[Instance]:
        host = self._instance("Msvm_ComputerSystem", {
            "Caption": "Hosting Computer System", "Description": "Microsoft Hosting Computer System",
            "ElementName": self.server, "InstallDate": None, "Name": self.server, "OperationalStatus": [2],
            "StatusDescriptions": ["OK"], "Status": "OK", "HealthState": 5, "EnabledState": 2, "EnabledDefault": 2,
            "CreationClassName": "Msvm_ComputerSystem", "OnTimeInMilliseconds": None,
        }, ("CreationClassName", "Name"), derivation=_COMPUTER_SYSTEM)
        return [host] + [self._vm_system(vm) for vm in self.client.get_vms()]

    def _settings_path(self, checkpoint_id: str) -> str:
        return self._instance("Msvm_VirtualSystemSettingData", {"InstanceID": f"Microsoft:{checkpoint_id.upper()}"},
                              ("InstanceID",)).path

    def _vm_settings(self, vm: VM) -> Instance:
        return self._instance("Msvm_VirtualSystemSettingData", {
            "Caption": "Virtual Machine Settings", "ElementName": vm.name,
            "InstanceID": f"Microsoft:{vm.id.upper()}", "ConfigurationID": vm.id.upper(),
            "VirtualSystemIdentifier": vm.id.upper(), "VirtualSystemType": "Microsoft:Hyper-V:System:Realized",
            "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{vm.generation}", "Version": vm.version,
            "CreationTime": vm.creation_time,
            "Parent": self._settings_path(vm.parent_snapshot_id) if vm.parent_snapshot_id else None,
            "IsSaved": int(vm.state) == 6, "IsAutomaticSnapshot": False,
            "UserSnapshotType": int(vm.checkpoint_type), "AutomaticSnapshotsEnabled": vm.automatic_checkpoints_enabled,
            "ConfigurationDataRoot": vm.configuration_location, "SnapshotDataRoot": vm.snapshot_file_location,
            "Notes": [vm.notes],
        }, ("InstanceID",), derivation=_SETTING_DATA)

    def _checkpoint_settings(self, vm: VM, cp: Checkpoint) -> Instance:
        return self._instance("Msvm_VirtualSystemSettingData", {
            "Caption": "Virtual Machine Settings", "ElementName": cp.name,
            "InstanceID": f"Microsoft:{cp.id.upper()}", "ConfigurationID": cp.id.upper(),
            "VirtualSystemIdentifier": vm.id.upper(),
            "VirtualSystemType": _SNAPSHOT_TYPES.get(cp.snapshot_type, "Microsoft:Hyper-V:Snapshot:Realized"),
            "VirtualSystemSubType": f"Microsoft:Hyper-V:SubType:{cp.generation}", "Version": cp.version,
            "CreationTime": cp.creation_time,
            "Parent": self._settings_path(cp.parent_snapshot_id) if cp.parent_snapshot_id else None,
            "IsSaved": int(cp.state) == 6, "IsAutomaticSnapshot": cp.is_automatic_checkpoint,
            "UserSnapshotType": None, "AutomaticSnapshotsEnabled": None,
            "ConfigurationDataRoot": cp.path, "SnapshotDataRoot": None, "Notes": [cp.notes],
        }, ("InstanceID",), derivation=_SETTING_DATA)

    @staticmethod
    def _checkpoint_settings_props() -> tuple[str, ...]:
        """The properties of Msvm_VirtualSystemSettingData (for a query on a host without VMs)."""
        return ("Caption", "ElementName", "InstanceID", "ConfigurationID", "VirtualSystemIdentifier",
                "VirtualSystemType", "VirtualSystemSubType", "Version", "CreationTime", "Parent", "IsSaved",
                "IsAutomaticSnapshot", "UserSnapshotType", "AutomaticSnapshotsEnabled", "ConfigurationDataRoot",
                "SnapshotDataRoot", "Notes")

    def _settings(self) -> list[Instance]:
        vms = self.client.get_vms()
        by_id = {vm.id: vm for vm in vms}
        out = [self._vm_settings(vm) for vm in vms]
        out += [self._checkpoint_settings(by_id[cp.vm_id], cp) for cp in self.client.get_checkpoints()
                if cp.vm_id in by_id]
        return out

    def _snapshot_service(self) -> list[Instance]:
        return [self._instance("Msvm_VirtualSystemSnapshotService", {
            "Caption": "Hyper-V Virtual System Snapshot Service", "Description": "Hyper-V Virtual System Snapshot Service",
            "ElementName": "Microsoft Hyper-V Virtual System Snapshot Service", "Name": "vssnapsvc",
            "CreationClassName": "Msvm_VirtualSystemSnapshotService", "SystemCreationClassName": "Msvm_ComputerSystem",
            "SystemName": self.server, "EnabledState": 2, "HealthState": 5, "OperationalStatus": [2],
            "Started": True, "StartMode": "Automatic", "Status": "OK",
        }, ("CreationClassName", "Name", "SystemCreationClassName", "SystemName"),
            derivation=("CIM_VirtualSystemSnapshotService", "CIM_Service", "CIM_EnabledLogicalElement",
                        "CIM_LogicalElement", "CIM_ManagedSystemElement", "CIM_ManagedElement"))]

    def _win32_computer(self) -> list[Instance]:
        name = self.client.host_name
        domain = name.split(".", 1)[1] if "." in name else "WORKGROUP"
        return [self._instance("Win32_ComputerSystem", {
            "Caption": self.server, "Description": "AT/AT COMPATIBLE", "DNSHostName": name.split(".")[0],
            "Domain": domain, "PartOfDomain": "." in name, "Workgroup": None if "." in name else "WORKGROUP",
            "Manufacturer": "hvemu", "Model": "Emulated Hyper-V host", "Name": self.server,
            "PrimaryOwnerName": "Windows User", "TotalPhysicalMemory": None,
            "HypervisorPresent": True, "SystemType": "x64-based PC", "Status": "OK",
        }, ("Name",), CIMV2, ("CIM_UnitaryComputerSystem", "CIM_ComputerSystem", "CIM_System",
                               "CIM_LogicalElement", "CIM_ManagedSystemElement"))]

    def _win32_os(self) -> list[Instance]:
        caption = "Microsoft Windows Server 2022 Datacenter"
        return [self._instance("Win32_OperatingSystem", {
            "Caption": caption, "BuildNumber": "20348", "Version": "10.0.20348", "CSName": self.server,
            "Organization": "", "RegisteredUser": "Windows User", "SerialNumber": None,
            "LocalDateTime": self.client.now(), "OSArchitecture": "64-bit", "OSType": 18, "ProductType": 3,
            "SystemDirectory": "C:\\Windows\\system32", "WindowsDirectory": "C:\\Windows", "SystemDrive": "C:",
            "Name": f"{caption}|C:\\Windows|\\Device\\Harddisk0\\Partition2", "Status": "OK",
        }, ("Name",), CIMV2, ("CIM_OperatingSystem", "CIM_LogicalElement", "CIM_ManagedSystemElement"))]

    def find(self, inst: Instance) -> Instance | None:
        """The instance with the same class and keys as it is now (None: gone)."""
        try:
            current = self.instances(inst.namespace, inst.class_name)
        except CimClassError:
            return None
        for fresh in current:
            if all(str(fresh.get(k)).casefold() == str(inst.get(k)).casefold() for k in inst.keys):
                return fresh
        return None

    # --- references -----------------------------------------------------------------------------

    def resolve(self, ref: Any, class_name: str) -> Instance | None:
        """The instance a reference argument names: an Instance of the class, or its path (WMI
        passes references as path strings); None when it names none."""
        if isinstance(ref, Instance):
            return self.find(ref) if ref.class_name.casefold() == class_name.casefold() else None
        if not isinstance(ref, str):
            return None
        # [\\SERVER\]namespace:Class.Key="v" (key values may hold colons), or Class.Key="v" (root\cimv2)
        head, sep, relpath = ref.partition(":")
        if not sep or any(c in head for c in '.="'):
            head, relpath = "", ref
        cls, _, keytext = relpath.partition(".")
        if cls.casefold() != class_name.casefold():
            return None
        namespace_text = head.lstrip("\\").split("\\", 1)[1] if head.startswith("\\\\") else head
        pairs = dict(_parse_keys(keytext))
        try:
            candidates = self.instances(self.namespace(namespace_text), cls)
        except CimClassError:
            return None
        for inst in candidates:
            if all(str(inst.get(k)).casefold() == str(pairs.get(k.casefold(), "")).casefold() for k in inst.keys):
                return inst
        return None

    # --- methods ----------------------------------------------------------------------------------

    def method_params(self, instance: Instance, method: str) -> tuple[str, tuple[str, ...]]:
        """The method's name as the class spells it and its in-parameters; CimClassError otherwise."""
        for name, params in METHODS.get(instance.class_name.casefold(), {}).items():
            if name.casefold() == method.casefold():
                return name, params
        raise CimClassError("method", method)

    def invoke(self, instance: Instance, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Runs a method; its out-parameters by name (ReturnValue, Job, ResultingSnapshot)."""
        name, params = self.method_params(instance, method)
        folded = {k.casefold(): v for k, v in args.items()}
        values = {p: folded.get(p.casefold()) for p in params}
        handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, "_m_" + name)
        self._this = instance
        return handler(values)

    def _run(self, description: str, action: Callable[[], Any]) -> tuple[dict[str, Any], Any]:
        try:
            result = action()
        except HyperVError as exc:
            return {"ReturnValue": JOB_STARTED, "Job": self._job(description, exc)}, None
        return {"ReturnValue": JOB_STARTED, "Job": self._job(description, None)}, result

    def _checkpoint_ref(self, ref: Any) -> Checkpoint | None:
        inst = self.resolve(ref, "Msvm_VirtualSystemSettingData")
        if inst is None or not str(inst.get("VirtualSystemType")).startswith("Microsoft:Hyper-V:Snapshot"):
            return None
        try:
            return self.client.get_checkpoint(str(inst.get("ConfigurationID")).lower())
        except HyperVError:
            return None

    def _m_CreateSnapshot(self, args: dict[str, Any]) -> dict[str, Any]:
        system = self.resolve(args["AffectedSystem"], "Msvm_ComputerSystem")
        if system is None or system.get("Caption") != "Virtual Machine":
            return {"ReturnValue": INVALID_PARAMETER, "Job": None, "ResultingSnapshot": None}
        try:
            kind = 2 if args["SnapshotType"] is None else int(args["SnapshotType"])
        except (TypeError, ValueError):
            return {"ReturnValue": INVALID_PARAMETER, "Job": None, "ResultingSnapshot": None}
        if kind != 2:
            raise CimClassError("not_emulated", f"CreateSnapshot with SnapshotType {kind}")
        if args["SnapshotSettings"]:
            raise CimClassError("not_emulated", "CreateSnapshot with SnapshotSettings")
        try:
            vm = self.client.get_vm_by_id(str(system.get("Name")).lower())
        except HyperVError:
            return {"ReturnValue": INVALID_PARAMETER, "Job": None, "ResultingSnapshot": None}
        out, cp = self._run("Creating Snapshot", lambda: self.client.checkpoint_vm(vm))
        out["ResultingSnapshot"] = None if cp is None else self._checkpoint_settings(vm, cp)
        return out

    def _m_ApplySnapshot(self, args: dict[str, Any]) -> dict[str, Any]:
        cp = self._checkpoint_ref(args["Snapshot"])
        if cp is None:
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        return self._run("Applying Snapshot", lambda: self.client.restore_checkpoint(cp))[0]

    def _m_DestroySnapshot(self, args: dict[str, Any]) -> dict[str, Any]:
        cp = self._checkpoint_ref(args["AffectedSnapshot"])
        if cp is None:
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        return self._run("Deleting Snapshot", lambda: self.client.remove_checkpoint(cp))[0]

    def _m_DestroySnapshotTree(self, args: dict[str, Any]) -> dict[str, Any]:
        cp = self._checkpoint_ref(args["SnapshotSettingData"])
        if cp is None:
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        return self._run("Deleting Snapshot Tree",
                         lambda: self.client.remove_checkpoint(cp, include_children=True))[0]

    def _m_RequestStateChange(self, args: dict[str, Any]) -> dict[str, Any]:
        """RequestedState 2 Enabled (start, or resume a paused VM), 3 Disabled (turn off), 4 Shut
        Down (guest shutdown), 6 Offline (save), 9 Quiesce (pause): Start-VM, Stop-VM -TurnOff,
        Stop-VM, Save-VM and Suspend-VM's SDK calls."""
        system = self._this
        if system is None or system.get("Caption") != "Virtual Machine":
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        requested = args["RequestedState"]
        try:
            state = int(requested)
        except (TypeError, ValueError):
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        try:
            vm = self.client.get_vm_by_id(str(system.get("Name")).lower())
        except HyperVError:
            return {"ReturnValue": INVALID_PARAMETER, "Job": None}
        actions: dict[int, Callable[[], Any]] = {
            2: lambda: self.client.resume_vm(vm) if int(vm.state) == 9 else self.client.start_vm(vm),
            3: lambda: self.client.stop_vm(vm, turn_off=True),
            4: lambda: self.client.stop_vm(vm, force=True),
            6: lambda: self.client.stop_vm(vm, save=True),
            9: lambda: self.client.suspend_vm(vm),
        }
        action = actions.get(state)
        if action is None:
            raise CimClassError("not_emulated", f"RequestStateChange to state {state}")
        return self._run("Changing the state of the virtual machine", action)[0]

    def _job(self, description: str, error: HyperVError | None, keep: bool = True) -> Instance:
        now = self.client.now()
        failed = error is not None
        job = self._instance("Msvm_ConcreteJob", {
            "Caption": description, "Description": description, "ElementName": description,
            "InstanceID": str(self.new_guid()).upper() if keep else "", "JobState": 10 if failed else 7,
            "JobStatus": "Job failed" if failed else "Job completed successfully",
            "ErrorCode": 32768 if failed else 0, "ErrorDescription": str(error) if failed else None,
            "ErrorSummaryDescription": str(error) if failed else None, "PercentComplete": 100,
            "Status": "Error" if failed else "OK", "TimeSubmitted": now, "StartTime": now,
            "TimeOfLastStateChange": now, "ElapsedTime": dt.timedelta(0),
        }, ("InstanceID",), derivation=("CIM_ConcreteJob", "CIM_Job", "CIM_LogicalElement",
                                        "CIM_ManagedSystemElement", "CIM_ManagedElement"))
        if keep:
            self.jobs.append(job)
        return job


def _parse_keys(text: str) -> list[tuple[str, str]]:
    """`A="x",B=2` -> [("a", "x"), ("b", "2")] (names case-folded, quotes and escapes removed)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        eq = text.find("=", i)
        if eq < 0:
            break
        name = text[i:eq].strip().casefold()
        i = eq + 1
        if i < len(text) and text[i] == '"':
            j = i + 1
            buf: list[str] = []
            while j < len(text) and text[j] != '"':
                if text[j] == "\\" and j + 1 < len(text):
                    j += 1
                buf.append(text[j])
                j += 1
            out.append((name, "".join(buf)))
            i = j + 2
        else:
            end = text.find(",", i)
            end = len(text) if end < 0 else end
            out.append((name, text[i:end]))
            i = end + 1
    return out


_COMPUTER_SYSTEM = ("CIM_ComputerSystem", "CIM_System", "CIM_EnabledLogicalElement", "CIM_LogicalElement",
                    "CIM_ManagedSystemElement", "CIM_ManagedElement")
_SETTING_DATA = ("CIM_VirtualSystemSettingData", "CIM_SettingData", "CIM_ManagedElement")
