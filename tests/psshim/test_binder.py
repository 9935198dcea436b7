"""Parameter binding: named/prefix/alias lookup, switches, positions, parameter sets, conversion,
validation, pipeline binding ByValue/ByPropertyName, delay-bind, splatting, -WhatIf/-Confirm,
and the exact error records of each failure (powershell-subset.md §3)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Iterator

import pytest

from hyperv_emu.psshim.cmdlets import default_registry
from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.runtime.registry import (
    Cmdlet,
    InSet,
    Param,
    Registry,
    ValidateNotNull,
    ValidateNotNullOrEmpty,
    ValidateRange,
    ValidateSet,
    cmdlet,
)
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import SimpleServices
from hyperv_emu.psshim.runtime.values import PSObject


class TColor(enum.IntEnum):
    Red = 1
    Green = 2


TColor.__ps_type_name__ = "Test.Color"  # type: ignore[attr-defined]


class Widget:
    """An SDK-like object with its own PowerShell type (ByValue binding by exact type)."""

    __ps_type_name__ = "Test.Thing"

    def __init__(self, name: str) -> None:
        self.name = name


@cmdlet("Set-Thing", module="Test", class_name="Test.Commands.SetThing", default_set="Name",
        supports_should_process=True, confirm_impact="Medium")
class SetThing(Cmdlet):
    """A cmdlet shaped like the Hyper-V ones: Name and object sets, aliases, validation."""

    Name = Param("string[]", InSet("Name", position=0, mandatory=True, pipeline=True,
                                   pipeline_by_property=True),
                 aliases=("ThingName",), validate=(ValidateNotNullOrEmpty(),))
    Thing = Param(Widget, InSet("Object", position=0, mandatory=True, pipeline=True), array=True)
    Count = Param("int", position=1, validate=(ValidateRange(1, 10),))
    Mode = Param("string", validate=(ValidateSet("Fast", "Slow"),))
    Color = Param(TColor)
    Force = Param("switch")
    Label = Param("string")
    Target = Param(Widget, InSet("Name"), InSet("Object"), validate=(ValidateNotNull(),))
    NewName = Param("string", pipeline_by_property=True)
    Computer = Param("string[]", aliases=("ComputerName",))
    Confirmed = Param("switch")

    def process_record(self) -> Iterator[Any]:
        names = [t.name for t in self.Thing] if self.ctx.parameter_set == "Object" else list(self.Name or [])
        for n in names:
            if not self.ctx.should_process(n, text=f'Set-Thing will set "{n}".'):
                continue
            yield (f"{self.ctx.parameter_set}:{n} count={self.Count} mode={self.Mode} color={self.Color!r} "
                   f"force={self.Force} label={self.Label!r} new={self.NewName!r}")


@cmdlet("Get-Thing", module="Test", class_name="Test.Commands.GetThing")
class GetThing(Cmdlet):
    Name = Param("string[]", position=0)

    def process_record(self) -> Iterator[Any]:
        for n in self.Name or ["a", "b"]:
            yield Widget(n)


def registry() -> Registry:
    reg = default_registry(include_optional=False)
    reg.register(SetThing)
    reg.register(GetThing)
    reg.register_type("Test.Thing", Widget)
    reg.register_enum(TColor)
    return reg


def run(text: str, edition: str = "5.1") -> tuple[list[str], list[ErrorRecord], str]:
    host = CapturingHost()
    rs = Runspace(SimpleServices(), RunSettings(edition=edition), host, registry=registry())
    rs.run_script(text, "C:\\t\\b.ps1")
    return [line.rstrip() for line in host.stdout.splitlines() if line.strip()], list(reversed(rs.errors)), \
        host.stderr


def one_error(text: str) -> ErrorRecord:
    out, errors, _ = run(text)
    assert len(errors) == 1, errors
    return errors[0]


# --- named parameters ------------------------------------------------------------------------


def test_exact_prefix_and_alias_names_case_insensitively() -> None:
    out, errors, _ = run("Set-Thing -name a; Set-Thing -Na b; Set-Thing -ThingName c; Set-Thing -thingn d")
    assert not errors
    assert [line.split(" ")[0] for line in out] == ["Name:a", "Name:b", "Name:c", "Name:d"]


def test_look_alike_dash_is_a_parameter() -> None:
    out, errors, _ = run("Set-Thing \u2013Name a")
    assert not errors and out[0].startswith("Name:a")


def test_named_parameter_not_found() -> None:
    rec = one_error("Set-Thing -Nope 1")
    assert rec.message == "A parameter cannot be found that matches parameter name 'Nope'."
    assert rec.fully_qualified_error_id == "NamedParameterNotFound,Test.Commands.SetThing"
    assert rec.category_info.category == "InvalidArgument"
    assert rec.category_info.reason == "ParameterBindingException"
    assert rec.category_info.activity == "Set-Thing" and rec.prefix == "Set-Thing"
    assert rec.invocation is not None and rec.invocation.position is not None
    assert rec.invocation.position.extent.text == "-Nope"


def test_ambiguous_parameter_lists_the_candidates() -> None:
    rec = one_error("Set-Thing -C 1")
    assert rec.message == ("Parameter cannot be processed because the parameter name 'C' is ambiguous. Possible "
                           "matches include: -Count -Color -Computer -Confirmed -Confirm.")
    assert rec.fully_qualified_error_id == "AmbiguousParameter,Test.Commands.SetThing"


def test_common_parameters_take_part_in_prefix_matching() -> None:
    out, errors, _ = run("Set-Thing a -ErrorA SilentlyContinue -wi")
    assert not errors and out == ['What if: Set-Thing will set "a".']


def test_missing_argument() -> None:
    rec = one_error("Set-Thing -Name")
    assert rec.message == ("Missing an argument for parameter 'Name'. Specify a parameter of type 'System.String[]' "
                           "and try again.")
    assert rec.fully_qualified_error_id == "MissingArgument,Test.Commands.SetThing"
    rec2 = one_error("Set-Thing -Label -Force")
    assert rec2.message.startswith("Missing an argument for parameter 'Label'")


def test_a_negative_number_is_a_value_not_a_parameter() -> None:
    rec = one_error("Set-Thing a -Count -7")
    assert rec.message.startswith("Cannot validate argument on parameter 'Count'. The -7 argument is less than")


def test_parameter_specified_twice() -> None:
    rec = one_error("Set-Thing -Name a -Name b")
    assert rec.fully_qualified_error_id == "ParameterAlreadyBound,Test.Commands.SetThing"


# --- switches ---------------------------------------------------------------------------------


def test_switches() -> None:
    out, errors, _ = run("Set-Thing a -Force; Set-Thing b -Force:$false; Set-Thing c")
    assert [("force=True" in line) for line in out] == [True, False, False]


def test_switch_followed_by_false_makes_false_positional() -> None:
    rec = one_error("Set-Thing a -Force $false")
    # $false went to -Count (position 1) as 0, which its ValidateRange(1, 10) refuses
    assert rec.message.startswith("Cannot validate argument on parameter 'Count'. The 0 argument is less than")


# --- positional binding and parameter sets ----------------------------------------------------


def test_positional_binding_in_position_order() -> None:
    out, errors, _ = run("Set-Thing a 3")
    assert out == ["Name:a count=3 mode=None color=None force=False label=None new=None"]


def test_surplus_positional_argument() -> None:
    rec = one_error("Set-Thing a 3 extra")
    assert rec.message == "A positional parameter cannot be found that accepts argument 'extra'."
    assert rec.fully_qualified_error_id == "PositionalParameterNotFound,Test.Commands.SetThing"
    assert rec.invocation is not None and rec.invocation.position is not None
    assert rec.invocation.position.extent.text == "extra"


def test_comma_list_is_one_argument() -> None:
    out, errors, _ = run("Set-Thing a,b")
    assert [line.split(" ")[0] for line in out] == ["Name:a", "Name:b"]


def test_parameter_set_from_the_object_type() -> None:
    out, errors, _ = run("$t = Get-Thing x; Set-Thing $t; Set-Thing -Thing $t")
    assert not errors and [line.split(" ")[0] for line in out] == ["Object:x", "Object:x"]


def test_parameters_of_different_sets_cannot_be_mixed() -> None:
    rec = one_error("Set-Thing -Name a -Thing (Get-Thing x)")
    assert rec.message == "Parameter set cannot be resolved using the specified named parameters."
    assert rec.fully_qualified_error_id == "AmbiguousParameterSet,Test.Commands.SetThing"


def test_missing_mandatory_parameter_in_a_non_interactive_host() -> None:
    rec = one_error("Set-Thing")
    assert rec.message == "Cannot process command because of one or more missing mandatory parameters: Name."
    assert rec.fully_qualified_error_id == "MissingMandatoryParameter,Test.Commands.SetThing"
    assert rec.category_info.category == "InvalidArgument"


# --- conversion and validation ------------------------------------------------------------------


def test_conversions() -> None:
    out, errors, _ = run("Set-Thing a -Count '4' -Color green -Label 007; Set-Thing b -Color 1; Set-Thing 10MB")
    assert not errors
    assert "count=4" in out[0] and "color=<TColor.Green: 2>" in out[0] and "label='007'" in out[0]
    assert "color=<TColor.Red: 1>" in out[1]
    assert out[2].startswith("Name:10MB ")  # a number keeps its text for a [string] parameter


def test_conversion_errors() -> None:
    rec = one_error("Set-Thing a -Count x")
    assert rec.message == ("Cannot bind parameter 'Count'. Cannot convert value \"x\" to type \"System.Int32\". "
                           "Error: \"Input string was not in a correct format.\"")
    assert rec.fully_qualified_error_id == "CannotConvertArgumentNoMessage,Test.Commands.SetThing"
    rec2 = one_error("Set-Thing a -Color Blue")
    assert rec2.message.startswith("Cannot bind parameter 'Color'. Cannot convert value \"Blue\" to type "
                                   "\"Test.Color\". Error: \"Unable to match the identifier name Blue to a valid "
                                   "enumerator name. Specify one of the following enumerator names and try again:")
    rec3 = one_error("Set-Thing -Thing 'text'")
    assert rec3.message == ("Cannot bind parameter 'Thing'. Cannot convert the \"text\" value of type "
                            "\"System.String\" to type \"Test.Thing\".")


def test_validation_errors_name_the_real_cmdlet_and_underline_the_argument() -> None:
    rec = one_error('Set-Thing -Name ""')
    assert rec.message == ("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an "
                           "argument that is not null or empty, and then try the command again.")
    assert rec.fully_qualified_error_id == "ParameterArgumentValidationError,Test.Commands.SetThing"
    assert rec.category_info.category == "InvalidData"
    assert rec.category_info.reason == "ParameterBindingValidationException"
    assert rec.invocation is not None and rec.invocation.position is not None
    assert rec.invocation.position.extent.text == '""'
    rec2 = one_error("$x = $null; Set-Thing a -Target $x")
    assert rec2.message == ("Cannot validate argument on parameter 'Target'. The argument is null. Provide a valid "
                            "value for the argument, and then try running the command again.")
    rec3 = one_error("Set-Thing a -Mode Medium")
    assert rec3.message == ("Cannot validate argument on parameter 'Mode'. The argument \"Medium\" does not belong to "
                            "the set \"Fast,Slow\" specified by the ValidateSet attribute. Supply an argument that is "
                            "in the set and then try the command again.")
    rec4 = one_error("Set-Thing a -Count 11")
    assert rec4.message.endswith("The 11 argument is greater than the maximum allowed range of 10. Supply an argument "
                                 "that is less than or equal to 10 and then try the command again.")


def test_binding_errors_use_the_real_name_when_called_through_an_alias() -> None:
    reg = registry()
    reg.add_alias("Set-Stuff", "Set-Thing")
    host = CapturingHost()
    rs = Runspace(SimpleServices(), RunSettings(), host, registry=reg)
    rs.run_script('Set-Stuff -Name ""', "C:\\t\\b.ps1")
    assert rs.errors[0].prefix == "Set-Thing"
    assert host.stderr.startswith("Set-Thing : Cannot validate argument on parameter 'Name'.")


# --- pipeline binding -------------------------------------------------------------------------


def test_pipeline_by_value_exact_type_then_by_property_name() -> None:
    out, errors, _ = run("Get-Thing x, y | Set-Thing; 'n1', 'n2' | Set-Thing; "
                         "[pscustomobject]@{Name='p'; NewName='q'} | Set-Thing")
    assert not errors
    assert [line.split(" ")[0] for line in out] == ["Object:x", "Object:y", "Name:n1", "Name:n2", "Name:p"]
    assert out[-1].endswith("new='q'")


def test_input_object_not_bound() -> None:
    out, errors, _ = run("$null = 1; Get-Date | Get-Thing")
    assert len(errors) == 1
    rec = errors[0]
    assert rec.message.startswith("The input object cannot be bound to any parameters for the command")
    assert rec.fully_qualified_error_id == "InputObjectNotBound,Test.Commands.GetThing"


def test_delay_bind_script_block() -> None:
    out, errors, _ = run("'a', 'b' | Set-Thing -NewName { $_ + '-old' }")
    assert [line.split(" new=")[1] for line in out] == ["'a-old'", "'b-old'"]


def test_delay_bind_without_input() -> None:
    rec = one_error("Set-Thing a -NewName { 'x' }")
    assert rec.fully_qualified_error_id == "ScriptBlockArgumentNoInput,Test.Commands.SetThing"


# --- splatting ---------------------------------------------------------------------------------


def test_splatting_hashtables_and_arrays() -> None:
    out, errors, _ = run("$p = @{Name='s'; Force=$true; Count=2}; Set-Thing @p; $a = 't', 3; Set-Thing @a -Force")
    assert not errors
    assert out[0].startswith("Name:s count=2") and "force=True" in out[0]
    assert out[1].startswith("Name:t count=3") and "force=True" in out[1]


# --- ShouldProcess ----------------------------------------------------------------------------


def test_whatif_uses_the_cmdlets_own_text() -> None:
    out, errors, _ = run("Set-Thing a -WhatIf; $WhatIfPreference = $true; Set-Thing b")
    assert out == ['What if: Set-Thing will set "a".', 'What if: Set-Thing will set "b".']


def test_confirm_fails_in_a_non_interactive_host_unless_false() -> None:
    out, errors, _ = run("Set-Thing a -Confirm; Set-Thing b -Confirm:$false; $ConfirmPreference = 'Low'; Set-Thing c")
    assert [line.split(" ")[0] for line in out] == ["Name:b"]
    assert [e.message for e in errors] == [
        "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available."] * 2
    assert errors[0].fully_qualified_error_id == "InvalidOperation,Test.Commands.SetThing"
    assert errors[0].category_info.reason == "PSInvalidOperationException"


# --- script functions use the same binder -------------------------------------------------------


def test_script_function_binding_errors() -> None:
    text = ("function Test-It { [CmdletBinding()] param([Parameter(Mandatory, Position=0)][string]$Name, "
            "[ValidateRange(1,5)][int]$Days = 2, [switch]$Force) \"$Name $Days $Force\" }\n")
    out, errors, _ = run(text + "Test-It a -Days 3 -Force; Test-It -N b; Test-It c -Nope")
    assert out == ["a 3 True", "b 2 False"]
    assert errors[0].message == "A parameter cannot be found that matches parameter name 'Nope'."
    assert errors[0].fully_qualified_error_id == "NamedParameterNotFound,Test-It"
    out, errors, _ = run(text + "Test-It a -Days x")
    assert errors[0].message == ("Cannot process argument transformation on parameter 'Days'. Cannot convert value "
                                 "\"x\" to type \"System.Int32\". Error: \"Input string was not in a correct "
                                 "format.\"")
    assert errors[0].fully_qualified_error_id == "ParameterArgumentTransformationError,Test-It"
    assert errors[0].category_info.reason == "ParameterBindingArgumentTransformationException"


def test_script_function_parameter_sets() -> None:
    text = ("function Get-X { [CmdletBinding(DefaultParameterSetName='ByName')] param(\n"
            "  [Parameter(ParameterSetName='ByName', Position=0)][string]$Name,\n"
            "  [Parameter(ParameterSetName='ById', Mandatory)][int]$Id)\n"
            "  $PSCmdlet.ParameterSetName }\n"
            "Get-X a; Get-X -Id 3; Get-X")
    out, errors, _ = run(text)
    assert out == ["ByName", "ById", "ByName"]


def test_registry_metadata() -> None:
    reg = registry()
    info = reg.find("set-thing")
    assert info is not None
    meta = info.metadata(reg.types)
    assert meta.set_names() == ["Name", "Object"]
    name = meta.find("Name")
    assert name is not None and name.type.full_name == "System.String[]" and name.aliases == ("ThingName",)
    thing = meta.find("Thing")
    assert thing is not None and thing.type.full_name == "Test.Thing[]"
    assert reg.resolve_alias("?") == "Where-Object"
    assert reg.find("Get-VM") is None  # optional modules not loaded here


@pytest.mark.parametrize("edition", ["5.1", "7"])
def test_ambiguous_parameter_set_text_by_edition(edition: str) -> None:
    out, errors, _ = run("Set-Thing -Name a -Thing (Get-Thing x)", edition=edition)
    expected = "Parameter set cannot be resolved using the specified named parameters."
    assert errors[0].message.startswith(expected)


def test_pscustomobject_by_property_name_to_a_function() -> None:
    text = ("function Show { param([Parameter(ValueFromPipelineByPropertyName)]$Name, "
            "[Parameter(ValueFromPipelineByPropertyName)][datetime]$When) process { \"$Name $($When.Year)\" } }\n"
            "[pscustomobject]@{Name='a'; When='2026-02-20'} | Show")
    out, errors, _ = run(text)
    assert not errors and out == ["a 2026"]
    assert isinstance(PSObject(), PSObject) and dt.datetime(2026, 1, 1).year == 2026


def test_supported_cmdlets_document_lists_every_registered_cmdlet() -> None:
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).resolve().parents[2] / "scripts" / "gen_supported_cmdlets.py"
    spec = importlib.util.spec_from_file_location("gen_supported_cmdlets", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    reg = registry()
    text = mod.render(reg)
    for info in reg.all():
        assert f"### {info.name}\n" in text
    assert "`-Name` [String[]]; position 0; mandatory; pipeline; pipeline by property name; alias -ThingName" in text
