"""scripts/gen_hyperv_metadata.py: reading a platyPS cmdlet page and a reflection stub (made-up
inputs in the two formats), and merging the two."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType

import pytest

SCRIPT = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "gen_hyperv_metadata.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_hyperv_metadata", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _yaml(type_: str, sets: str, *, aliases: str = "", required: bool = False, position: str = "Named",
          pipeline: str = "False", accepted: str = "") -> str:
    extra = f"Accepted values: {accepted}\n" if accepted else ""
    return (f"```yaml\nType: {type_}\nParameter Sets: {sets}\nAliases: {aliases}\n{extra}\nRequired: {required}\n"
            f"Position: {position}\nDefault value: None\nAccept pipeline input: {pipeline}\n"
            "Accept wildcard characters: False\n```\n")


PAGE = f"""---
external help file: Microsoft.HyperV.PowerShell.Cmdlets.dll-Help.xml
Module Name: Hyper-V
title: Set-Widget
---

# Set-Widget

## SYNOPSIS
Configures a widget
of a virtual machine.

## SYNTAX

### VMName (Default)
```
Set-Widget [-ComputerName <String[]>] [-VMName] <String[]> [[-Mode] <String>] [-Level <StartAction>] -Size <UInt64>
 [-Passthru] [-WhatIf] [-Confirm] [<CommonParameters>]
```

### VMObject
```
Set-Widget [-VM] <VirtualMachine[]> [[-Mode] <String>] [-Level <StartAction>] [-Passthru] [-WhatIf] [-Confirm]
 [<CommonParameters>]
```

## DESCRIPTION
Text.

## PARAMETERS

### -ComputerName
Hosts.

{_yaml("String[]", "VMName")}
### -Confirm
{_yaml("SwitchParameter", "(All)", aliases="cf")}
### -Level
{_yaml("StartAction", "(All)", accepted="Nothing, StartIfRunning, Start")}
### -Mode
{_yaml("String", "(All)", position="1", accepted="Fast, Slow")}
### -Passthru
{_yaml("SwitchParameter", "(All)")}
### -Size
{_yaml("UInt64", "VMName", required=True)}
### -VM
{_yaml("VirtualMachine[]", "VMObject", required=True, position="0", pipeline="True (ByValue)")}
### -VMName
{_yaml("String[]", "VMName", aliases="Name", required=True, position="0",
       pipeline="True (ByPropertyName, ByValue)")}
### -WhatIf
{_yaml("SwitchParameter", "(All)", aliases="wi")}
### CommonParameters
This cmdlet supports the common parameters.

## INPUTS
"""

STUB = """# Name: Hyper-V
Add-Type -TypeDefinition @'

namespace Microsoft.HyperV.PowerShell
{
    public enum StartAction : int
    {
        Nothing = 2,
        StartIfRunning = 3,
        Start = 4,
    }

}

namespace Microsoft.HyperV.PowerShell.Commands
{
    public class SetWidget
    {
        public enum WaitKind : int
        {
            Heartbeat = 0,
            IPAddress = 1,
        }
    }

}
'@

function Set-Widget {
    <#
    .SYNOPSIS
        Configures a widget.
    #>

    [CmdletBinding(DefaultParameterSetName='VMName', SupportsShouldProcess=$true, ConfirmImpact='High')]
    param (
        [Parameter(ParameterSetName='VMObject', Mandatory=$true, Position=0, ValueFromPipeline=$true)]
        [ValidateNotNullOrEmpty()]
        [Microsoft.HyperV.PowerShell.VirtualMachine[]]
        ${VM},

        [Parameter(ParameterSetName='VMName', Mandatory=$true, Position=0, ValueFromPipeline=$true, ValueFromPipelineByPropertyName=$true)]
        [Alias('Name')]
        [ValidateNotNullOrEmpty()]
        [string[]]
        ${VMName},

        [Parameter(ParameterSetName='VMName')]
        [ValidateNotNullOrEmpty()]
        [string[]]
        ${ComputerName},

        [Parameter(ParameterSetName='VMName', Mandatory=$true)]
        [ValidateRange(1, 64)]
        [System.Nullable[uint64]]
        ${Size},

        [Parameter(Position=1)]
        [ValidateSet('Fast','Slow')]
        [string]
        ${Mode},

        [System.Management.Automation.CredentialAttribute()]
        [Microsoft.HyperV.PowerShell.StartAction]
        ${Level},

        [switch]
        ${Passthru}
    )
}
"""


def test_a_page_gives_sets_positions_pipeline_aliases_and_accepted_values(gen: ModuleType) -> None:
    problems: list[str] = []
    page = gen.parse_page(PAGE, "Set-Widget.md", problems)
    assert problems == []
    assert page["name"] == "Set-Widget"
    assert page["synopsis"] == "Configures a widget of a virtual machine."
    assert page["default_set"] == "VMName" and page["sets"] == ["VMName", "VMObject"]
    assert page["supports_should_process"] is True
    params = {p["name"]: p for p in page["parameters"]}
    assert "WhatIf" not in params and "Confirm" not in params  # common parameters
    assert params["VMName"] == {"name": "VMName", "type": "System.String[]", "aliases": ["Name"],
                                "sets": {"VMName": [0, True, True, True]}}
    assert params["VM"]["type"] == "Microsoft.HyperV.PowerShell.VirtualMachine[]"
    assert params["VM"]["sets"] == {"VMObject": [0, True, True, False]}
    assert params["Mode"]["sets"] == {gen.ALL_SETS: [1, False, False, False]}
    assert params["Mode"]["validators"] == [["ValidateSet", "Fast", "Slow"]]
    assert params["Level"]["enum"] == ["Nothing", "StartIfRunning", "Start"]
    assert params["Passthru"]["type"] == "System.Management.Automation.SwitchParameter"


def test_the_syntax_is_cross_checked_against_the_yaml(gen: ModuleType) -> None:
    problems: list[str] = []
    broken = PAGE.replace("[-VMName] <String[]> [[-Mode] <String>]", "[-VMName] <String[]> [-Mode <String>]", 1)
    gen.parse_page(broken, "Set-Widget.md", problems)
    assert problems == ["Set-Widget: -Mode in set 'VMName': Position 1 but the syntax shows it named"]
    problems = []
    clash = PAGE.replace(_yaml("String", "(All)", position="1", accepted="Fast, Slow"),
                          _yaml("String", "(All)", position="0", accepted="Fast, Slow"))
    gen.parse_page(clash, "Set-Widget.md", problems)
    assert any("both have position 0" in p for p in problems)


def test_syntax_tokens(gen: ModuleType) -> None:
    block = "Get-X [[-A] <String>] [-B] <Int32> [-C <String>] -D <String> [-E] -F [<CommonParameters>]"
    assert gen.parse_syntax_block(block) == {"A": (False, True), "B": (True, True), "C": (False, False),
                                             "D": (True, False), "E": (False, False), "F": (True, False)}


def test_the_stub_gives_attributes_enums_and_nested_enums(gen: ModuleType) -> None:
    enums = gen.parse_stub_enums(STUB)
    assert enums == {"Microsoft.HyperV.PowerShell.StartAction": {"Nothing": 2, "StartIfRunning": 3, "Start": 4},
                     "Microsoft.HyperV.PowerShell.Commands.SetWidget+WaitKind": {"Heartbeat": 0, "IPAddress": 1}}
    functions = gen.parse_stub_functions(STUB)
    widget = functions["Set-Widget"]
    assert widget["binding"] == {"DefaultParameterSetName": "VMName", "SupportsShouldProcess": True,
                                 "ConfirmImpact": "High"}
    params = {p["name"]: p for p in widget["parameters"]}
    assert [p["name"] for p in widget["parameters"]] == ["VM", "VMName", "ComputerName", "Size", "Mode", "Level",
                                                         "Passthru"]
    assert params["VMName"]["aliases"] == ["Name"]
    assert params["VMName"]["sets"] == {"VMName": [0, True, True, True]}
    assert params["Size"]["validators"] == [["ValidateRange", 1, 64]]
    assert params["Level"]["type"] == "Microsoft.HyperV.PowerShell.StartAction"  # CredentialAttribute skipped
    assert params["Passthru"]["sets"] == {gen.ALL_SETS: [None, False, False, False]}
    assert gen.stub_type("System.Nullable[uint64]") == "System.UInt64"
    assert gen.stub_type("pscredential[]") == "System.Management.Automation.PSCredential[]"


def test_the_stub_wins_where_both_describe_the_cmdlet(gen: ModuleType) -> None:
    problems: list[str] = []
    page = gen.parse_page(PAGE, "Set-Widget.md", problems)
    page["parameters"][0]["sets"] = {gen.ALL_SETS: [None, False, False, False]}  # ComputerName: a page error
    gen.merge_stub("Set-Widget", page, gen.parse_stub_functions(STUB)["Set-Widget"], problems)
    params = {p["name"]: p for p in page["parameters"]}
    assert [p["name"] for p in page["parameters"]] == ["VM", "VMName", "ComputerName", "Size", "Mode", "Level",
                                                       "Passthru"]
    assert page["confirm_impact"] == "High"
    assert params["ComputerName"]["sets"] == {"VMName": [None, False, False, False]}
    assert params["VMName"]["validators"] == [["ValidateNotNullOrEmpty"]]
    assert params["Size"]["validators"] == [["ValidateRange", 1, 64]]
    assert params["Mode"]["validators"] == [["ValidateSet", "Fast", "Slow"]]
    assert "validators" not in params["Passthru"]
    assert problems == ["Set-Widget: -ComputerName sets {'__AllParameterSets': [None, False, False, False]} on the "
                        "page, {'VMName': [None, False, False, False]} in the module's metadata; taken from the "
                        "module's metadata"]


def test_a_stub_only_cmdlet_is_declared_from_the_stub(gen: ModuleType) -> None:
    stub = gen.parse_stub_functions(STUB)["Set-Widget"]
    cmd = gen.stub_only_cmdlet("Set-Widget", stub)
    assert cmd["source"] == "stub" and cmd["default_set"] == "VMName"
    assert cmd["sets"] == ["VMObject", "VMName"]
    assert cmd["confirm_impact"] == "High" and cmd["supports_should_process"] is True
    assert cmd["parameters"][3] == {"name": "Size", "type": "System.UInt64",
                                    "sets": {"VMName": [None, True, False, False]},
                                    "validators": [["ValidateRange", 1, 64]]}
