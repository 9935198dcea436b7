"""The emulated host's registry, as the Registry provider shows it (`HKLM:\\`, `HKCU:\\`,
`Registry::HKEY_LOCAL_MACHINE\\...`).

It holds the keys Hyper-V scripts read: `SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion` (a
Windows Server 2022 Datacenter host, build 20348.2849, as `$PSVersionTable.BuildVersion` says),
its `Virtualization` subkey (the host's default VM and disk folders), the Hyper-V services
(`vmms`, `vmcompute`), the PowerShell engine key, the computer name, and the user's `Environment`
key. A run gets its own copy (`Hive.default(computer, user, ...)`): writes (New-Item,
Set-/New-/Remove-ItemProperty) last for the run only.

Values are typed as .NET gives them: REG_SZ and REG_EXPAND_SZ as strings, REG_DWORD as Int32,
REG_QWORD as Int64, REG_MULTI_SZ as string arrays, REG_BINARY as byte arrays.
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime.values import Int64

ROOTS = {"hklm": "HKEY_LOCAL_MACHINE", "hkcu": "HKEY_CURRENT_USER", "hkey_local_machine": "HKEY_LOCAL_MACHINE",
         "hkey_current_user": "HKEY_CURRENT_USER", "hkcr": "HKEY_CLASSES_ROOT", "hku": "HKEY_USERS",
         "hkey_classes_root": "HKEY_CLASSES_ROOT", "hkey_users": "HKEY_USERS"}
DRIVES = {"HKEY_LOCAL_MACHINE": "HKLM", "HKEY_CURRENT_USER": "HKCU"}
PROVIDER = "Microsoft.PowerShell.Core\\Registry"


def split_registry_path(path: str) -> tuple[str, str] | None:
    """`HKLM:\\SOFTWARE\\x` / `Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\x` -> ("HKEY_LOCAL_MACHINE",
    "SOFTWARE\\x"); None for a path of another provider."""
    p = path.strip().replace("/", "\\")
    low = p.casefold()
    for prefix in ("microsoft.powershell.core\\registry::", "registry::"):
        if low.startswith(prefix):
            p = p[len(prefix):]
            head, _, rest = p.partition("\\")
            root = ROOTS.get(head.casefold())
            return (root, rest.strip("\\")) if root else None
    drive, colon, rest = p.partition(":")
    if not colon or drive.casefold() not in ("hklm", "hkcu"):
        return None
    return ROOTS[drive.casefold()], rest.strip("\\")


def is_registry_path(path: str) -> bool:
    return split_registry_path(path) is not None


class Key:
    """A registry key: its values (name -> (kind, data)), in the order they were set, and its
    subkeys."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[str, tuple[str, Any]] = {}
        self.subkeys: dict[str, Key] = {}

    def child(self, name: str) -> "Key | None":
        return self.subkeys.get(name.casefold())

    def add(self, name: str) -> "Key":
        key = self.subkeys.get(name.casefold())
        if key is None:
            key = self.subkeys[name.casefold()] = Key(name)
        return key

    def value(self, name: str) -> tuple[str, tuple[str, Any]] | None:
        for k, v in self.values.items():
            if k.casefold() == name.casefold():
                return k, v
        return None

    def set(self, name: str, kind: str, data: Any) -> None:
        found = self.value(name)
        if found is not None:
            del self.values[found[0]]
            name = found[0] if found[0] else name
        self.values[name] = (kind, data)


class Hive:
    """The registry of one run."""

    def __init__(self) -> None:
        self.roots = {r: Key(r) for r in ("HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER")}

    def find(self, root: str, sub: str) -> Key | None:
        key: Key | None = self.roots.get(root)
        for part in [s for s in sub.split("\\") if s]:
            if key is None:
                return None
            key = key.child(part)
        return key

    def ensure(self, root: str, sub: str) -> Key:
        key = self.roots[root]
        for part in [s for s in sub.split("\\") if s]:
            key = key.add(part)
        return key

    def put(self, path: str, **values: tuple[str, Any]) -> None:
        root, _, sub = path.partition("\\")
        key = self.ensure(root, sub)
        for name, (kind, data) in values.items():
            key.set("" if name == "Default" else name, kind, data)

    @classmethod
    def default(cls, computer: str, user: str, vm_path: str = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V",
                vhd_path: str = "C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks") -> "Hive":
        h = cls()
        nt = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
        h.put(nt,
              SystemRoot=("String", "C:\\Windows"), BuildBranch=("String", "fe_release"),
              BuildLab=("String", "20348.fe_release.210507-1500"),
              BuildLabEx=("String", "20348.1.amd64fre.fe_release.210507-1500"),
              CompositionEditionID=("String", "ServerDatacenter"), CurrentBuild=("String", "20348"),
              CurrentBuildNumber=("String", "20348"), CurrentMajorVersionNumber=("DWord", 10),
              CurrentMinorVersionNumber=("DWord", 0), CurrentType=("String", "Multiprocessor Free"),
              CurrentVersion=("String", "6.3"), DisplayVersion=("String", "21H2"),
              EditionID=("String", "ServerDatacenter"), InstallationType=("String", "Server"),
              InstallDate=("DWord", 1704067200), ProductName=("String", "Windows Server 2022 Datacenter"),
              ReleaseId=("String", "2009"), RegisteredOrganization=("String", ""),
              RegisteredOwner=("String", "Windows User"), UBR=("DWord", 2849),
              PathName=("String", "C:\\Windows"))
        h.put(nt + "\\Virtualization", DefaultExternalDataRoot=("String", vm_path),
              DefaultVirtualHardDiskPath=("String", vhd_path))
        h.put("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Virtualization\\Worker")
        h.put("HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\PowerShell\\3\\PowerShellEngine",
              ApplicationBase=("String", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0"),
              PSCompatibleVersion=("String", "1.0, 2.0, 3.0, 4.0, 5.0, 5.1"),
              PowerShellVersion=("String", "5.1.20348.1"), RuntimeVersion=("String", "v4.0.30319"))
        services = "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services"
        h.put(services + "\\vmms", DisplayName=("String", "Hyper-V Virtual Machine Management"),
              ImagePath=("ExpandString", "C:\\Windows\\system32\\vmms.exe"), Start=("DWord", 2), Type=("DWord", 16),
              ObjectName=("String", "LocalSystem"))
        h.put(services + "\\vmcompute", DisplayName=("String", "Hyper-V Host Compute Service"),
              ImagePath=("ExpandString", "C:\\Windows\\system32\\vmcompute.exe"), Start=("DWord", 3),
              Type=("DWord", 16), ObjectName=("String", "LocalSystem"))
        h.put("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName",
              ComputerName=("String", computer))
        h.put("HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName",
              ComputerName=("String", computer))
        h.put("HKEY_CURRENT_USER\\Environment", TEMP=("ExpandString", f"C:\\Users\\{user}\\AppData\\Local\\Temp"),
              TMP=("ExpandString", f"C:\\Users\\{user}\\AppData\\Local\\Temp"))
        h.put("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer")
        return h


def convert_value(kind: str, value: Any) -> Any:
    """A value given to New-/Set-ItemProperty, as the registry stores it for `kind`."""
    from hyperv_emu.psshim.runtime import conversions as C
    from hyperv_emu.psshim.runtime import types as T

    k = kind.casefold()
    if k == "dword":
        return C.to_integer(value, T.UINT32) if not isinstance(value, int) or value >= 0 else value
    if k == "qword":
        return Int64(C.to_integer(value, T.INT64))
    if k == "multistring":
        return [C.to_string(v) for v in C.as_list(value)]
    if k == "binary":
        return [C.to_integer(v, T.BYTE) for v in C.as_list(value)]
    return C.to_string(value)


def kind_of(value: Any) -> str:
    """The kind Set-ItemProperty gives a new value from its .NET type."""
    if isinstance(value, bool):
        return "String"
    if isinstance(value, Int64):
        return "QWord"
    if isinstance(value, int):
        return "DWord"
    if isinstance(value, list):
        return "MultiString"
    return "String"


KINDS = ("String", "ExpandString", "Binary", "DWord", "MultiString", "QWord", "Unknown")
