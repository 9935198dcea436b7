"""The .NET security types admin scripts check first, as the emulated host answers them: the
session runs as the local Administrator, elevated.

- `[Security.Principal.WindowsIdentity]::GetCurrent()` -> `WindowsIdentity` (Name
  `COMPUTERNAME\\USERNAME` from the run's environment);
- `[Security.Principal.WindowsPrincipal]$identity` / `::new($identity)` / `New-Object ...`:
  `IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)` is True (an elevated
  administrator is in Administrators and Users, in no other built-in group);
- `SecureString` (ConvertTo-SecureString, Read-Host -AsSecureString), `[PSCredential]` with
  `GetNetworkCredential()`, `[PSCredential]::Empty`;
- `[GC]`: Collect, WaitForPendingFinalizers, GetTotalMemory, CollectionCount.

A class here is the `py_class` of its PSType (`psshim.cmdlets.admin.setup` registers them in
the runtime's type table): `ps_static_get(name, env)`, `ps_static_invoke(name, args, env)`
answer `[T]::Member` (NOT_FOUND when unknown), `ps_new(args)` is `[T]::new(...)`/New-Object,
`ps_convert_from(value)` a cast (None: no conversion).
"""

from __future__ import annotations

import enum
from typing import Any, Mapping

from hyperv_emu.psshim.runtime.errors import runtime_error
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative


class WindowsBuiltInRole(enum.IntEnum):
    Administrator = 544
    User = 545
    Guest = 546
    PowerUser = 547
    AccountOperator = 548
    SystemOperator = 549
    PrintOperator = 550
    BackupOperator = 551
    Replicator = 552


setattr(WindowsBuiltInRole, "__ps_type_name__", "System.Security.Principal.WindowsBuiltInRole")

# the groups of an elevated local administrator's token, by the names IsInRole accepts
_MEMBER_OF = {"administrators": 544, "builtin\\administrators": 544, "users": 545, "builtin\\users": 545,
              "s-1-5-32-544": 544, "s-1-5-32-545": 545}
_ELEVATED_ROLES = {WindowsBuiltInRole.Administrator, WindowsBuiltInRole.User}
ADMIN_SID = "S-1-5-21-3623811015-3361044348-30300820-500"


def _env(env: Any, key: str, default: str) -> str:
    mapping: Mapping[str, str] = getattr(env, "environment", {}) or {}
    for k, v in mapping.items():
        if k.casefold() == key.casefold():
            return v
    return default


class SecurityIdentifier(PSNative):
    __ps_type_names__ = ["System.Security.Principal.SecurityIdentifier",
                         "System.Security.Principal.IdentityReference", "System.Object"]

    def __init__(self, value: str) -> None:
        self.value = value

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("BinaryLength", 28), ("AccountDomainSid", None), ("Value", self.value)]

    def __ps_string__(self) -> str:
        return self.value


class WindowsIdentity(PSNative):
    __ps_type_names__ = ["System.Security.Principal.WindowsIdentity", "System.Security.Claims.ClaimsIdentity",
                         "System.Object"]

    def __init__(self, name: str) -> None:
        self.name = name

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("AuthenticationType", "NTLM"), ("ImpersonationLevel", "None"), ("IsAuthenticated", True),
                ("IsGuest", False), ("IsSystem", False), ("IsAnonymous", False), ("Name", self.name),
                ("Owner", SecurityIdentifier("S-1-5-32-544")), ("User", SecurityIdentifier(ADMIN_SID))]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        if name.casefold() == "dispose":
            return None
        return NOT_FOUND

    def __ps_string__(self) -> str:
        return "System.Security.Principal.WindowsIdentity"

    @classmethod
    def ps_static_get(cls, name: str, env: Any) -> Any:
        return NOT_FOUND

    @classmethod
    def ps_static_invoke(cls, name: str, args: list[Any], env: Any) -> Any:
        if name.casefold() == "getcurrent":
            return cls(f"{_env(env, 'COMPUTERNAME', 'HV-HOST01')}\\{_env(env, 'USERNAME', 'Administrator')}")
        return NOT_FOUND

    @classmethod
    def ps_new(cls, args: list[Any]) -> Any:
        if len(args) == 1 and isinstance(args[0], str):
            return cls(args[0])
        return NOT_FOUND


class WindowsPrincipal(PSNative):
    __ps_type_names__ = ["System.Security.Principal.WindowsPrincipal", "System.Security.Claims.ClaimsPrincipal",
                         "System.Object"]

    def __init__(self, identity: WindowsIdentity) -> None:
        self.identity = identity

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Identity", self.identity)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        if name.casefold() != "isinrole" or len(args) != 1:
            return NOT_FOUND
        role = args[0]
        if isinstance(role, WindowsBuiltInRole):
            return role in _ELEVATED_ROLES
        if isinstance(role, bool):
            return False
        if isinstance(role, int):
            return role in (544, 545)
        if isinstance(role, SecurityIdentifier):
            role = role.value
        return str(role).casefold() in _MEMBER_OF

    def __ps_string__(self) -> str:
        return "System.Security.Principal.WindowsPrincipal"

    @classmethod
    def ps_new(cls, args: list[Any]) -> Any:
        if len(args) == 1 and isinstance(args[0], WindowsIdentity):
            return cls(args[0])
        return NOT_FOUND

    @classmethod
    def ps_convert_from(cls, value: Any) -> Any:
        return cls(value) if isinstance(value, WindowsIdentity) else None


class SecureString(PSNative):
    """A SecureString: its text is kept (nothing on the emulated host can read memory)."""

    __ps_type_names__ = ["System.Security.SecureString", "System.Object"]

    def __init__(self, text: str = "") -> None:
        self._text = text
        self.read_only = False

    def plain(self) -> str:
        return self._text

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Length", len(self._text))]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        n = name.casefold()
        if n == "appendchar" and len(args) == 1:
            self._text += str(args[0])[:1]
            return None
        if n == "makereadonly":
            self.read_only = True
            return None
        if n == "isreadonly":
            return self.read_only
        if n == "clear":
            self._text = ""
            return None
        if n == "copy":
            return SecureString(self._text)
        if n == "dispose":
            return None
        return NOT_FOUND

    def __ps_string__(self) -> str:
        return "System.Security.SecureString"

    @classmethod
    def ps_new(cls, args: list[Any]) -> Any:
        return cls() if not args else NOT_FOUND


class NetworkCredential(PSNative):
    __ps_type_names__ = ["System.Net.NetworkCredential", "System.Object"]

    def __init__(self, user: str, password: str) -> None:
        domain, sep, name = user.rpartition("\\")
        self.user, self.domain, self.password = (name, domain, password) if sep else (user, "", password)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("UserName", self.user), ("Password", self.password), ("SecurePassword", SecureString(self.password)),
                ("Domain", self.domain)]


class PSCredential(PSNative):
    __ps_type_names__ = ["System.Management.Automation.PSCredential", "System.Object"]

    def __init__(self, user: str | None, password: SecureString | None) -> None:
        self.user = user
        self.password = password

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("UserName", self.user), ("Password", self.password)]

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        if name.casefold() == "getnetworkcredential" and not args:
            return NetworkCredential(self.user or "", self.password.plain() if self.password else "")
        return NOT_FOUND

    def __ps_string__(self) -> str:
        return "System.Management.Automation.PSCredential"

    @classmethod
    def ps_static_get(cls, name: str, env: Any) -> Any:
        return cls(None, None) if name.casefold() == "empty" else NOT_FOUND

    @classmethod
    def ps_static_invoke(cls, name: str, args: list[Any], env: Any) -> Any:
        return NOT_FOUND

    @classmethod
    def ps_new(cls, args: list[Any]) -> Any:
        if len(args) != 2:
            return NOT_FOUND
        user, password = args
        if not isinstance(password, SecureString):
            text = "" if password is None else str(password)
            raise runtime_error(
                f'Cannot convert argument "password", with value: "{text}", for "PSCredential" to type '
                f'"System.Security.SecureString": "Cannot convert the "{text}" value of type "System.String" to '
                f'type "System.Security.SecureString"."', "PSArgumentException", "NotSpecified",
                exception_type="System.Management.Automation.MethodException")
        if user is None or str(user) == "":
            raise runtime_error('Exception calling ".ctor" with "2" argument(s): "Cannot process argument because '
                                'the value of argument "userName" is not valid. Change the value of the "userName" '
                                'argument and run the operation again."', "ArgumentException", "NotSpecified",
                                exception_type="System.Management.Automation.MethodInvocationException")
        return cls(str(user), password)


class GC:
    """`[GC]`: collecting is a no-op on the emulated host; memory is a constant."""

    @classmethod
    def ps_static_get(cls, name: str, env: Any) -> Any:
        return 2 if name.casefold() == "maxgeneration" else NOT_FOUND

    @classmethod
    def ps_static_invoke(cls, name: str, args: list[Any], env: Any) -> Any:
        n = name.casefold()
        if n in ("collect", "waitforpendingfinalizers", "suppressfinalize", "keepalive", "reregisterforfinalize",
                 "addmemorypressure", "removememorypressure"):
            from hyperv_emu.psshim.runtime.conversions import AutomationNull

            return AutomationNull()
        if n == "gettotalmemory":
            return 48_234_496
        if n == "collectioncount":
            return 0
        if n == "getgeneration":
            return 0
        return NOT_FOUND
