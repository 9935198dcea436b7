"""Get-NetAdapter (the NetAdapter module): the host's network adapters, which scripts read before
New-VMSwitch -NetAdapterName (`Get-NetAdapter -Physical | Where-Object Status -eq Up`) and to
match an External switch's NetAdapterInterfaceDescription.

A thin adapter over `HyperVClient.get_net_adapters` (`sdk.vmparts.NetAdapter`, typed as
MSFT_NetAdapter): the emulated host's physical adapters (`HostRecord.physical_adapters`), then
one "vEthernet (<switch>)" per switch it shares (emulator.switches). -Name, -InterfaceDescription
and -InterfaceIndex select (wildcards allowed but for the index); an exact value that matches
nothing is the module's CmdletizationQuery_NotFound error. Not emulated: -CimSession,
-ThrottleLimit, -AsJob, hidden adapters (-IncludeHidden lists the same ones).
"""

from __future__ import annotations

from typing import Any, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.dotnet_regex import has_wildcards, wildcard_match
from hyperv_emu.psshim.runtime.errors import not_supported
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.vmparts import NetAdapter

MODULE = "NetAdapter"
CIM_JOB_EXCEPTION = "Microsoft.PowerShell.Cmdletization.Cim.CimJobException"


def _not_found(ctx: Any, prop: str, value: str) -> Any:
    return ctx.error_record(
        f"No MSFT_NetAdapter objects found with property '{prop}' equal to '{value}'.  Verify the value of the "
        "property and retry.", f"CmdletizationQuery_NotFound_{prop}", "ObjectNotFound", target_object=value,
        exception_type=CIM_JOB_EXCEPTION)


@cmdlet("Get-NetAdapter", module=MODULE, class_name="Get-NetAdapter", default_set="ByName")
class GetNetAdapter(Cmdlet):
    """The host's adapters, in interface order (physical ones first)."""

    Name = Param("string[]", InSet("ByName", position=0), aliases=("ifAlias", "InterfaceAlias"))
    InterfaceDescription = Param("string[]", InSet("ByInstanceID", mandatory=True), aliases=("ifDesc",))
    InterfaceIndex = Param("uint32[]", InSet("ByIfIndex", mandatory=True), aliases=("ifIndex",))
    IncludeHidden = Param("switch")
    Physical = Param("switch")
    CimSession = Param("object[]", aliases=("Session",))
    ThrottleLimit = Param("int")
    AsJob = Param("switch")

    def process_record(self) -> Iterator[Any]:
        for name in ("CimSession", "ThrottleLimit", "AsJob"):
            if self.is_bound(name):
                raise not_supported(f"Get-NetAdapter -{name}")
        client: HyperVClient = self.ctx.hyperv
        try:
            found = client.get_net_adapters()
        except HyperVError as exc:
            self.ctx.write_error(self.ctx.error_record(exc.message, exc.error_id, exc.category))
            return
        if self.Physical:
            found = [a for a in found if not a.virtual]
        if self.is_bound("InterfaceIndex"):
            wanted = [int(C.to_string(i)) for i in C.as_list(self.InterfaceIndex)]
            yield from (a for a in found if a.if_index in wanted)
            for index in wanted:
                if not any(a.if_index == index for a in found):
                    self.ctx.write_error(_not_found(self.ctx, "InterfaceIndex", str(index)))
            return
        if self.is_bound("InterfaceDescription"):
            yield from self._select(found, [C.to_string(d) for d in C.as_list(self.InterfaceDescription)],
                                    "InterfaceDescription", lambda a: a.interface_description)
            return
        if self.is_bound("Name"):
            yield from self._select(found, [C.to_string(n) for n in C.as_list(self.Name)], "Name", lambda a: a.name)
            return
        yield from found

    def _select(self, found: list[NetAdapter], patterns: list[str], prop: str,
                value: Any) -> Iterator[NetAdapter]:
        yield from (a for a in found if any(wildcard_match(value(a), p) for p in patterns))
        for p in patterns:
            if not has_wildcards(p) and not any(wildcard_match(value(a), p) for a in found):
                self.ctx.write_error(_not_found(self.ctx, prop, p))
