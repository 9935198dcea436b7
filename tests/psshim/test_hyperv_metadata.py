"""The Hyper-V module bound from generated metadata (issue 11, points 1 and 5).

- every cmdlet of hyperv_metadata.json is registered, and its declaration matches the data
  (sets, default set, positions, mandatory, pipeline, aliases, ValidateSet) with only the
  documented overrides applied;
- binding errors are PowerShell's (texts from ParameterBinderStrings.resx / Metadata.resx;
  5.1's AmbiguousParameterSet text as Windows PowerShell prints it);
- a cmdlet that is not emulated binds exactly, then fails with NotSupportedByHvemu naming it;
- an emulated cmdlet given a parameter its handler does not honour fails the same way;
- the metadata is read lazily.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hvemu_testlib import base_world, memory_url, vm_table

from hyperv_emu.psshim.cmdlets import default_registry, hyperv_index
from hyperv_emu.psshim.cmdlets.hyperv_declare import DATA_FILE, NotEmulated, declared_sets
from hyperv_emu.psshim.cmdlets.hyperv_overrides import OVERRIDES
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.runtime.registry import ALL_SETS, Registry, ValidateSet
from hyperv_emu.psshim.session import Session

DATA: dict[str, Any] = json.loads(DATA_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry() -> Registry:
    return default_registry()


# --- the data and the registry ----------------------------------------------------------------


def test_the_data_names_its_source_commit_and_the_index_agrees() -> None:
    source = DATA["source"]
    assert source["repository"] == "MicrosoftDocs/windows-powershell-docs"
    assert len(source["commit"]) == 40 and source["path"] == "docset/winserver2022-ps/Hyper-V"
    assert hyperv_index.SOURCE_COMMIT == source["commit"]
    assert list(hyperv_index.CMDLETS) == list(DATA["cmdlets"])
    assert hyperv_index.ALIASES == DATA["aliases"]
    stub = source["stub"]
    assert stub["repository"] == "dsccommunity/HyperVDsc" and len(stub["commit"]) == 40
    # the whole module: 226 cmdlets on the winserver2022-ps pages and 14 more that only the module's
    # metadata (the reflection stub) has, such as Wait-VM; plus the five *-VMCheckpoint aliases
    from_pages = [n for n, c in DATA["cmdlets"].items() if c.get("source") != "stub"]
    assert len(from_pages) == 226 and len(DATA["cmdlets"]) == 240
    assert DATA["cmdlets"]["Wait-VM"]["source"] == "stub"
    assert {"Get-VM", "Checkpoint-VM", "Set-VMNetworkAdapterVlan", "New-VHD", "Get-VMHostNumaNode"} <= set(DATA["cmdlets"])


def test_every_cmdlet_and_alias_is_registered_in_the_hyperv_module(registry: Registry) -> None:
    for name in DATA["cmdlets"]:
        info = registry.find(name)
        assert info is not None, name
        assert info.module == "Hyper-V"
    for alias, target in DATA["aliases"].items():
        assert registry.resolve_alias(alias) == target


def _expected_sets(cmdlet: str, entry: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    fix = OVERRIDES.get(cmdlet)
    pfix = fix.parameters.get(entry["name"]) if fix else None
    if pfix is not None and pfix.sets is not None:
        return {s.name: (s.position, s.mandatory, s.pipeline, s.pipeline_by_property) for s in pfix.sets}
    return {name: tuple(spec) for name, spec in entry["sets"].items()}


@pytest.mark.parametrize("cmdlet", list(DATA["cmdlets"]))
def test_declaration_matches_the_data(registry: Registry, cmdlet: str) -> None:
    page = DATA["cmdlets"][cmdlet]
    info = registry.find(cmdlet)
    assert info is not None
    meta = info.metadata(registry.types)
    assert meta.default_set == page["default_set"]
    fix = OVERRIDES.get(cmdlet)
    assert meta.confirm_impact == (fix.confirm_impact if fix and fix.confirm_impact else
                                   page.get("confirm_impact") or "Medium")
    assert info.confirm_impact == meta.confirm_impact
    assert meta.supports_should_process == page["supports_should_process"]
    sets = declared_sets(meta)
    own = [p for p in meta.parameters if not p.is_common]
    assert [p.name for p in own] == [e["name"] for e in page["parameters"]]
    for entry, param in zip(page["parameters"], own):
        assert sets[param.name] == _expected_sets(cmdlet, entry), (cmdlet, param.name)
        fix = OVERRIDES.get(cmdlet)
        pfix = fix.parameters.get(param.name) if fix else None
        aliases = pfix.aliases if pfix is not None and pfix.aliases is not None else tuple(entry.get("aliases", ()))
        assert param.aliases == aliases
        assert param.type.full_name.casefold() == entry["type"].casefold(), (cmdlet, param.name)
        assert param.is_switch == (entry["type"] == "System.Management.Automation.SwitchParameter")
        extra = pfix.validators if pfix is not None else ()
        expected = [v[0] for v in entry.get("validators", ()) if not v[0].startswith("Allow")]
        assert [v.name for v in param.validators] == expected + [v.name for v in extra], (cmdlet, param.name)
        for v, spec in zip(param.validators, entry.get("validators", ())):
            if isinstance(v, ValidateSet):
                assert v.values == tuple(spec[1:])
        element = param.type.element if param.type.is_array else param.type
        assert element is not None
        members = DATA["enums"].get(entry["type"].removesuffix("[]"))
        if "enum" in entry or members:
            assert element.kind == "enum" and element.py_class is not None, (cmdlet, param.name)
            names = {m.name: int(m.value) for m in element.py_class}  # type: ignore[attr-defined]
            assert set(names) >= set(entry.get("enum", ()))
            if members and element.py_class.__module__ != "hyperv_emu.sdk.types":
                assert names == members


def test_whatif_and_confirm_come_with_supports_should_process(registry: Registry) -> None:
    from hyperv_emu.psshim.runtime.registry import with_common_parameters

    meta = registry.find("Stop-VM").metadata(registry.types)  # type: ignore[union-attr]
    names = [p.name for p in with_common_parameters(meta)]
    assert "WhatIf" in names and "Confirm" in names
    meta = registry.find("Get-VM").metadata(registry.types)  # type: ignore[union-attr]
    assert "WhatIf" not in [p.name for p in with_common_parameters(meta)]


def test_the_rest_of_the_module_is_not_emulated_and_the_handlers_remain(registry: Registry) -> None:
    assert registry.find("Add-VMKeyStorageDrive").cls is NotEmulated  # type: ignore[union-attr]
    assert registry.find("Get-VM").cls is not NotEmulated  # type: ignore[union-attr]
    assert registry.find("Checkpoint-VM").cls is not NotEmulated  # type: ignore[union-attr]


def test_the_metadata_is_read_lazily() -> None:
    code = (
        "import sys, hyperv_emu.psshim.cmdlets.hyperv_declare as d\n"
        "from hyperv_emu.psshim.cmdlets import default_registry\n"
        "r = default_registry()\n"
        "print(d._data_text.cache_info().currsize, sum(i._metadata is not None for i in r.cmdlets.values()),\n"
        "      'json' in sys.modules)\n"
        "r.find('Add-VMDvdDrive').metadata(r.types)\n"
        "print(d._data_text.cache_info().currsize, d.cmdlet_data.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "0", "False", "1", "1"]


def test_one_cmdlets_entry_parses_alone_as_in_the_whole_file() -> None:
    from hyperv_emu.psshim.cmdlets.hyperv_declare import cmdlet_data, enum_data

    assert enum_data() == DATA["enums"]
    for name, page in DATA["cmdlets"].items():
        assert cmdlet_data(name) == page


# --- binding through the runtime ----------------------------------------------------------------


def run(script: str) -> tuple[list[str], list[ErrorRecord]]:
    world = base_world(extra=vm_table("SRV-APP01", state="Running"))
    session = Session.from_world_text(world, memory_url(), edition="5.1")
    out: list[str] = []
    rs = session.runspace(out.append, lambda _text: None)
    rs.run_script(script, "C:\\scripts\\t.ps1")
    return "".join(out).splitlines(), list(reversed(rs.errors))


def one_error(script: str) -> ErrorRecord:
    _out, errors = run(script)
    assert len(errors) == 1, [e.message for e in errors]
    return errors[0]


NOT_SUPPORTED = "NotSupportedByHvemu"


def test_unknown_parameter() -> None:
    rec = one_error("Add-VMDvdDrive -VMName SRV-APP01 -Bogus 1")
    assert rec.message == "A parameter cannot be found that matches parameter name 'Bogus'."
    assert rec.fully_qualified_error_id == "NamedParameterNotFound,Microsoft.HyperV.PowerShell.Commands.AddVMDvdDrive"


def test_missing_mandatory_parameter_in_a_non_interactive_run() -> None:
    # no argument: the default set (VMName) is taken, and its mandatory -VMName is missing
    rec = one_error("Get-VMSnapshot")
    assert rec.message == "Cannot process command because of one or more missing mandatory parameters: VMName."
    assert rec.fully_qualified_error_id == "MissingMandatoryParameter,Microsoft.HyperV.PowerShell.Commands.GetVMSnapshot"
    rec = one_error("Add-VMHardDiskDrive")
    assert rec.message == "Cannot process command because of one or more missing mandatory parameters: VMName."


def test_ambiguous_parameter_set() -> None:
    # -ManagementOS (set ManagementOS) with -VMName (set VMName) of Get-VMNetworkAdapter
    rec = one_error("Get-VMNetworkAdapter -ManagementOS -VMName SRV-APP01")
    assert rec.message == "Parameter set cannot be resolved using the specified named parameters."
    assert rec.fully_qualified_error_id == \
        "AmbiguousParameterSet,Microsoft.HyperV.PowerShell.Commands.GetVMNetworkAdapter"
    assert rec.category_info.category == "InvalidArgument"


def test_validate_set_failure() -> None:
    # New-VM -Generation is [ValidateSet('1','2')] (the module's metadata; the page's Accepted values agree)
    rec = one_error("New-VM -Name X -Generation 3")
    assert rec.message == (
        "Cannot validate argument on parameter 'Generation'. The argument \"3\" does not belong to the set \"1,2\" "
        "specified by the ValidateSet attribute. Supply an argument that is in the set and then try the command "
        "again.")
    assert rec.fully_qualified_error_id == "ParameterArgumentValidationError,Microsoft.HyperV.PowerShell.Commands.NewVM"


def test_enum_parameter_conversion_failure_names_the_enumerators() -> None:
    rec = one_error("Set-VM -Name SRV-APP01 -AutomaticStartAction Sometimes")
    assert rec.message.startswith(
        "Cannot bind parameter 'AutomaticStartAction'. Cannot convert value \"Sometimes\" to type "
        "\"Microsoft.HyperV.PowerShell.StartAction\". Error: \"Unable to match the identifier name Sometimes to a "
        "valid enumerator name. Specify one of the following enumerator names and try again:")
    assert rec.message.endswith("Nothing, StartIfRunning, Start\"")


def test_enum_values_are_the_modules() -> None:
    # StartAction: Nothing=2, StartIfRunning=3, Start=4 (the module's metadata; hyperv-object-model.md agrees)
    out, errors = run("[int][Microsoft.HyperV.PowerShell.StartAction]::Start; "
                      "[Microsoft.HyperV.PowerShell.StopAction]'ShutDown' -as [int]; "
                      "[Microsoft.HyperV.PowerShell.StartAction]::Nothing.GetType().FullName")
    assert errors == [] and out == ["4", "4", "Microsoft.HyperV.PowerShell.StartAction"]
    # enums no parameter uses are type literals too (VM.Heartbeat's type); the SDK's own win
    out, errors = run("[int][Microsoft.HyperV.PowerShell.VMHeartbeatStatus]::OkApplicationsHealthy; "
                      "[int][Microsoft.Vhd.PowerShell.VhdType]'Differencing'; "
                      "(Get-VM SRV-APP01).State -is [Microsoft.HyperV.PowerShell.VMState]")
    assert errors == [] and out == ["6", "4", "True"]


def test_validate_not_null_or_empty_from_the_modules_metadata() -> None:
    rec = one_error("Get-VM -Name ''")
    assert rec.message == ("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an "
                           "argument that is not null or empty, and then try the command again.")
    assert rec.fully_qualified_error_id == "ParameterArgumentValidationError,Microsoft.HyperV.PowerShell.Commands.GetVM"


def test_validate_range_of_a_not_emulated_cmdlet() -> None:
    # Set-VMComPort -Number [ValidateRange(1, 2)] (Wait-VM, the earlier example, is emulated now)
    rec = one_error("Set-VMComPort -VMName SRV-APP01 -Number 0 -Path x")
    assert rec.message == ("Cannot validate argument on parameter 'Number'. The 0 argument is less than the minimum "
                           "allowed range of 1. Supply an argument that is greater than or equal to 1 and then try "
                           "the command again.")
    rec = one_error("Set-VMComPort -VMName SRV-APP01 -Number 1 -Path x")
    assert rec.message == "Set-VMComPort is not supported by hvemu."


def test_validate_range_of_wait_vm_delay() -> None:
    # Wait-VM -Delay [ValidateRange(1, 65535)] (a cmdlet only the module's metadata has)
    rec = one_error("Wait-VM -Name SRV-APP01 -Delay 0")
    assert rec.message == ("Cannot validate argument on parameter 'Delay'. The 0 argument is less than the minimum "
                           "allowed range of 1. Supply an argument that is greater than or equal to 1 and then try "
                           "the command again.")


def test_not_emulated_cmdlet_binds_then_fails_naming_it() -> None:
    rec = one_error("Add-VMKeyStorageDrive -VMName SRV-APP01 -ControllerNumber 0")
    assert rec.message == "Add-VMKeyStorageDrive is not supported by hvemu."
    assert rec.fully_qualified_error_id.startswith(NOT_SUPPORTED)
    # positional binding and parameter aliases work as declared (VMName p0; Passthru switch)
    rec = one_error("Get-VMNetworkAdapterAcl SRV-APP01")
    assert rec.message == "Get-VMNetworkAdapterAcl is not supported by hvemu."


def test_not_emulated_cmdlet_reports_the_binding_error_first() -> None:
    # CannotConvertArgumentNoMessage: "Cannot bind parameter '{1}'. {6}", {6} the conversion's message
    rec = one_error("Add-VMDvdDrive -VMName SRV-APP01 -ControllerNumber lots")
    assert rec.message == ('Cannot bind parameter \'ControllerNumber\'. Cannot convert value "lots" to type '
                           '"System.Int32". Error: "Input string was not in a correct format."')
    assert rec.fully_qualified_error_id == \
        "CannotConvertArgumentNoMessage,Microsoft.HyperV.PowerShell.Commands.AddVMDvdDrive"
    # a ValidateSet of a not-emulated cmdlet (New-VHD -LogicalSectorSizeBytes: 512, 4096)
    rec = one_error("New-VHD -Path D:\\x.vhdx -SizeBytes 1GB -Dynamic -LogicalSectorSizeBytes 1024")
    assert rec.message == (
        "Cannot validate argument on parameter 'LogicalSectorSizeBytes'. The argument \"1024\" does not belong to "
        "the set \"512,4096\" specified by the ValidateSet attribute. Supply an argument that is in the set and then "
        "try the command again.")
    assert rec.fully_qualified_error_id == \
        "ParameterArgumentValidationError,Microsoft.Vhd.PowerShell.Commands.NewVHD"
    # a parameter of another set: the set cannot be resolved
    rec = one_error("New-VHD -Path D:\\x.vhdx -SizeBytes 1GB -Fixed -ParentPath D:\\p.vhdx")
    assert rec.message == "Parameter set cannot be resolved using the specified named parameters."


def test_pipeline_input_binds_before_the_not_supported_error() -> None:
    rec = one_error("Get-VM SRV-APP01 | Get-VMFibreChannelHba")
    assert rec.message == "Get-VMFibreChannelHba is not supported by hvemu."
    # a string cannot bind to Get-VMNetworkAdapterAcl -ManagementOS's set (no pipeline parameter):
    # PowerShell's non-terminating InputObjectNotBound for that object, then the cmdlet ends (not
    # supported)
    _out, errors = run("'x' | Get-VMNetworkAdapterAcl -ManagementOS")
    assert [e.fully_qualified_error_id for e in errors] == [
        "InputObjectNotBound,Microsoft.HyperV.PowerShell.Commands.GetVMNetworkAdapterAcl", NOT_SUPPORTED]


def test_module_qualified_names_and_aliases_resolve() -> None:
    rec = one_error("Hyper-V\\Add-VMKeyStorageDrive -VMName SRV-APP01")
    assert rec.message == "Add-VMKeyStorageDrive is not supported by hvemu."
    out, errors = run("(Hyper-V\\Get-VM).Name; (Get-VMCheckpoint -VMName SRV-APP01 | Measure-Object).Count")
    assert errors == [] and out == ["SRV-APP01", "0"]


def test_an_emulated_cmdlet_rejects_a_parameter_its_handler_does_not_honour() -> None:
    rec = one_error("Set-VM -Name SRV-APP01 -GuestControlledCacheTypes $true")
    assert rec.message == "Set-VM -GuestControlledCacheTypes is not supported by hvemu."
    assert rec.fully_qualified_error_id.startswith(NOT_SUPPORTED)
    out, errors = run("Set-VM -Name SRV-APP01 -Notes hello; (Get-VM SRV-APP01).Notes")
    assert errors == [] and out == ["hello"]


def test_whatif_on_a_not_emulated_cmdlet_is_still_not_supported() -> None:
    rec = one_error("Remove-VMKeyStorageDrive -VMName SRV-APP01 -WhatIf")
    assert rec.message == "Remove-VMKeyStorageDrive is not supported by hvemu."


def test_every_pages_default_set_exists(registry: Registry) -> None:
    for name, page in DATA["cmdlets"].items():
        if page["default_set"] is not None:
            meta = registry.find(name).metadata(registry.types)  # type: ignore[union-attr]
            assert page["default_set"] in meta.set_names(), name
        for entry in page["parameters"]:
            for set_name in entry["sets"]:
                assert set_name == ALL_SETS or set_name in page["sets"] or any(
                    set_name in p for p in DATA["problems"]), (name, entry["name"], set_name)
