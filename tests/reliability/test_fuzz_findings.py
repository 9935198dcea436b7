"""Calls the cmdlet fuzzer (test_cmdlet_fuzz.py) found ending in hvemu's internal error, each
now doing what Windows PowerShell 5.1 does.

Get-Random (GetRandomCommand.cs): a string bound is read as a number literal when it is one;
Int32 bounds when both are Int32, Int64 when both are integers, else both are converted to
double with LanguagePrimitives.ConvertTo, whose PSInvalidCastException is the command's error;
a Minimum not below the Maximum is MinGreaterThanOrEqualMax ("The Minimum value ({0}) cannot be
greater than or equal to the Maximum value ({1})." in GetRandomCommandStrings.resx), an
ArgumentException, InvalidArgument; -Count has ValidateRange(1, int.MaxValue).

A [char] is one UTF-16 code unit: an integer outside 0..65535 fails Convert.ToChar with
OverflowException's "Value was either too large or too small for a character.", which PowerShell
reports as a PSInvalidCastException (InvalidCastIConvertible), and a parameter binding as
CannotConvertArgumentNoMessage.

Import-Csv of a folder: PathUtils.OpenStreamReader opens a FileStream, which on a folder throws
UnauthorizedAccessException ("Access to the path '…' is denied."), reported with the terminating
FileOpenFailure / OpenError (PathUtils.ReportFileOpenFailure).

A number converts to [datetime] by DateTime's constructor DateTime(Int64 ticks): ticks outside
0..DateTime.MaxValue.Ticks are its ArgumentOutOfRangeException, which the conversion reports as
InvalidCastConstructorException ("Ticks must be between DateTime.MinValue.Ticks and
DateTime.MaxValue.Ticks." and, in 5.1, "Parameter name: ticks" on a line of its own).

A Hashtable takes any object as a key: a Hashtable, an array or a PSCustomObject (types that do
not override Equals) is the same key only as the same object (reference equality), so
`@{a=1} | Group-Object -AsHashTable` is a table of one group.

$null bound to a cmdlet's value-type parameter (ParameterBinderBase.cs: a null argument is not
coerced, HandleNullParameterForSpecialTypes leaves it null): the property setter converts it,
numbers to 0, and a DateTime or TimeSpan cannot hold it: SetValueException, reported as
ParameterBindingFailed ("Cannot bind parameter '{1}' to the target. {6}" in
ParameterBinderStrings.resx, ErrorCategory.WriteError) with the setter's message
`Exception setting "Date": "Cannot convert null to type "System.DateTime"."`.

A folder is no command: `..\\..\\` or `& 'C:\\'` is not found (CommandNotFoundException) and
[IO.File]::Exists of a folder is False; Import-Module of a folder path finds no module file.
"""

from __future__ import annotations

import pytest

import hvemu_testlib
from hyperv_emu.psshim.session import RunResult, Session

WORLD = hvemu_testlib.base_world() + hvemu_testlib.vm_table("vm1")  # D:\\Hyper-V\\… exists


def run(line: str) -> RunResult:
    url = hvemu_testlib.memory_url()
    session = Session.from_world_text(WORLD, url)
    try:
        return session.run_command(line)
    finally:
        session.discard()


def first_error(result: RunResult) -> tuple[str, str]:
    assert result.errors, result.stdout
    record = result.errors[0]
    return record.message, record.fully_qualified_error_id


@pytest.mark.parametrize("line, shown", [
    ("Get-Random -Minimum 5 -Maximum 1", "(5) cannot be greater than or equal to the Maximum value (1)"),
    ("Get-Random -Minimum 5 -Maximum '1'", "(5) cannot be greater than or equal to the Maximum value (1)"),
    ("Get-Random -Minimum 3 -Maximum 3", "(3) cannot be greater than or equal to the Maximum value (3)"),
    ("Get-Random -Minimum 1e300 -Maximum 1e300",
     "(1E+300) cannot be greater than or equal to the Maximum value (1E+300)"),
    ("Get-Random -Minimum 9999999999 -Maximum -1",
     "(9999999999) cannot be greater than or equal to the Maximum value (-1)"),
])
def test_get_random_minimum_not_below_maximum(line: str, shown: str) -> None:
    message, fqid = first_error(run(line))
    assert message == f"The Minimum value {shown}."
    assert fqid == "MinGreaterThanOrEqualMax,Microsoft.PowerShell.Commands.GetRandomCommand"


def test_get_random_bound_that_is_no_number() -> None:
    result = run('Get-Random "C:\\a`"b"; "after"')
    message, fqid = first_error(result)
    assert message == ('Cannot convert value "C:\\a"b" to type "System.Double". '
                       'Error: "Input string was not in a correct format."')
    assert fqid == "InvalidCastFromStringToDoubleOrSingle,Microsoft.PowerShell.Commands.GetRandomCommand"
    assert result.stdout.split() == ["after"]


def test_get_random_bound_of_the_wrong_type() -> None:
    message, fqid = first_error(run("Get-Random -Maximum @{}"))
    assert message == ('Cannot convert the "System.Collections.Hashtable" value of type '
                       '"System.Collections.Hashtable" to type "System.Double".')
    assert fqid.endswith(",Microsoft.PowerShell.Commands.GetRandomCommand")


def test_get_random_count_below_one_fails_validation() -> None:
    message, fqid = first_error(run("1..3 | Get-Random -Count -1"))
    assert message.startswith("Cannot validate argument on parameter 'Count'. The -1 argument is less than the "
                              "minimum allowed range of 1.")
    assert fqid == "ParameterArgumentValidationError,Microsoft.PowerShell.Commands.GetRandomCommand"


@pytest.mark.parametrize("line, low, high", [
    ("Get-Random -Minimum '0x10' -Maximum 17", 16, 17),  # a number literal in a string
    ("Get-Random -Minimum 9999999999 -Maximum 10000000000", 9999999999, 10000000000),  # Int64
    ("Get-Random -Minimum 0.5 -Maximum 0.75", 0.5, 0.75),  # doubles
    ("Get-Random -Minimum $true -Maximum 1.5", 1.0, 1.5),  # a Boolean converts to 1.0
])
def test_get_random_numbers_within_the_bounds(line: str, low: float, high: float) -> None:
    result = run(f"1..20 | ForEach-Object {{ {line} }}")
    assert not result.errors, result.stderr
    values = [float(v) for v in result.output]
    assert len(values) == 20 and all(low <= v < high for v in values)


@pytest.mark.parametrize("value", ["70000", "-1", "2147483647", "0x10000"])
def test_char_out_of_range(value: str) -> None:
    result = run(f"[char]{value}")
    message, fqid = first_error(result)
    shown = str(int(value, 16)) if value.startswith("0x") else value
    assert message == (f'Cannot convert value "{shown}" to type "System.Char". '
                       'Error: "Value was either too large or too small for a character."')
    assert fqid == "InvalidCastIConvertible"


def test_char_parameter_out_of_range() -> None:
    message, fqid = first_error(run("1 | ConvertTo-Csv -Delimiter 2147483647"))
    assert message == ("Cannot bind parameter 'Delimiter'. Cannot convert value \"2147483647\" to type "
                       '"System.Char". Error: "Value was either too large or too small for a character."')
    assert fqid == "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.ConvertToCsvCommand"


def test_char_in_range() -> None:
    result = run("[char]65; [int][char]65535")
    assert result.stdout.split() == ["A", "65535"] and not result.errors


@pytest.mark.parametrize("folder", ["C:\\", "D:\\Hyper-V"])
def test_import_csv_of_a_folder(folder: str) -> None:
    result = run(f"Import-Csv '{folder}'; 'not reached'")
    message, fqid = first_error(result)
    assert message == f"Access to the path '{folder}' is denied."
    assert fqid == "FileOpenFailure,Microsoft.PowerShell.Commands.ImportCsvCommand"
    assert "UnauthorizedAccessException" in result.stderr and "OpenError" in result.stderr


@pytest.mark.parametrize("value", ["-1", "3155378976000000000"])
def test_datetime_from_ticks_out_of_range(value: str) -> None:
    message, fqid = first_error(run(f"[datetime]{value}"))
    assert message == (f'Cannot convert value "{value}" to type "System.DateTime". Error: "Ticks must be between '
                       'DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks.\r\nParameter name: ticks"')
    assert fqid == "InvalidCastConstructorException"


def test_datetime_from_ticks_in_range() -> None:
    result = run("([datetime]3155378975999999999).Year; ([datetime]864000000000).Day")
    assert result.stdout.split() == ["9999", "2"] and not result.errors


def test_a_number_piped_to_get_date_that_is_no_date() -> None:
    message, fqid = first_error(run("-1 | Get-Date"))
    assert message.startswith("The input object cannot be bound to any parameters for the command")
    assert fqid == "InputObjectNotBound,Microsoft.PowerShell.Commands.GetDateCommand"


def test_objects_as_hashtable_keys_are_compared_by_reference() -> None:
    result = run("$h = @{}; $k = @{}; $h[$k] = 1; $h[$k]; $h.Count; $h.ContainsKey(@{}); $h.ContainsKey($k); "
                 "$p = [pscustomobject]@{x = 1}; $g = @{$p = 'v'}; $g[$p]; $a = @{}; $a[@(1, 2)] = 'x'; $a.Count")
    assert result.stdout.split() == ["1", "1", "False", "True", "v", "1"], result.stderr


def test_group_object_as_hashtable_of_hashtables() -> None:
    # without -Property the group's value is the object itself, and the table's key
    result = run("$t = @{a=1} | Group-Object -AsHashTable; $t.Count; $t.Keys | ForEach-Object { $_.GetType().Name }")
    assert not result.errors, result.stderr
    assert result.stdout.split() == ["1", "Hashtable"]


@pytest.mark.parametrize("line, parameter, type_name", [
    ("Get-Date $null", "Date", "System.DateTime"),
    ("Get-Date -Date $null", "Date", "System.DateTime"),
    ("New-TimeSpan -Start $null -End (Get-Date)", "Start", "System.DateTime"),
])
def test_null_to_a_datetime_parameter(line: str, parameter: str, type_name: str) -> None:
    result = run(line + "; 'after'")
    message, fqid = first_error(result)
    assert message == (f"Cannot bind parameter '{parameter}' to the target. Exception setting \"{parameter}\": "
                       f"\"Cannot convert null to type \"{type_name}\".\"")
    assert fqid.startswith("ParameterBindingFailed,Microsoft.PowerShell.Commands.")
    assert "WriteError" in result.stderr and "ParameterBindingException" in result.stderr
    assert result.stdout.split() == ["after"]  # a binding error ends the command, not the script


def test_null_to_a_number_parameter_is_zero() -> None:
    result = run("(New-TimeSpan -Days $null -Hours 2).TotalHours; (Get-Date -Date '2026-02-20' -Hour $null).Hour")
    assert not result.errors, result.stderr
    assert result.stdout.split() == ["2", "0"]


@pytest.mark.parametrize("line, name", [
    ("Invoke-Expression '..\\..\\'", "..\\..\\"),
    ("..\\..\\", "..\\..\\"),
    ("& 'C:\\'", "C:\\"),
    (". 'D:\\Hyper-V'", "D:\\Hyper-V"),
])
def test_a_folder_is_no_command(line: str, name: str) -> None:
    result = run(line + "; 'after'")
    message, fqid = first_error(result)
    assert message.startswith(f"The term '{name}' is not recognized as the name of a cmdlet, function, script file")
    assert fqid == "CommandNotFoundException"
    assert result.stdout.split() == ["after"]


def test_file_exists_is_false_for_a_folder() -> None:
    result = run("[IO.File]::Exists('C:\\'); [IO.File]::Exists('D:\\Hyper-V'); [IO.Directory]::Exists('D:\\Hyper-V')")
    assert result.stdout.split() == ["False", "False", "True"], result.stderr


def test_import_module_of_a_folder_path() -> None:
    message, fqid = first_error(run("Import-Module C:\\"))
    assert message.startswith("The specified module 'C:\\' was not loaded because no valid module file was found")
    assert fqid == "Modules_ModuleNotFound,Microsoft.PowerShell.Commands.ImportModuleCommand"


# -Scope (SessionStateScopeAPIs.GetScopeByID): a number walks up that many scopes and fails past
# the global one ("The scope number '{0}' exceeds the number of active scopes.",
# SessionStateStrings.resx); a number that is no Int32 or is negative is out of range
# (AutomationExceptions.ArgumentOutOfRange); a word that is no scope name is InvalidScopeIdArgument.
# The fuzzer found `Set-Alias -Scope 9223372036854775807` walking 2^63 scopes.

@pytest.mark.parametrize("line, first, actual", [
    ("Set-Alias x y -Scope 9223372036854775807",
     'Cannot process argument because the value of argument "Scope" is out of range. Change argument "Scope" to a '
     "value that is within range.", "9223372036854775807"),
    ("Get-Variable -Scope -1",
     'Cannot process argument because the value of argument "Scope" is out of range. Change argument "Scope" to a '
     "value that is within range.", "-1"),
    ("Set-Variable a 1 -Scope 2147483647", "The scope number '2147483647' exceeds the number of active scopes.",
     "2147483647"),
    ("function f { Set-Alias x y -Scope 2 }; f", "The scope number '2' exceeds the number of active scopes.", "2"),
])
def test_scope_number_out_of_range(line: str, first: str, actual: str) -> None:
    result = run(line + "; 'after'")
    message, fqid = first_error(result)
    assert message == f"{first}\r\nParameter name: Scope\r\nActual value was {actual}."
    assert fqid.startswith("ArgumentOutOfRange,Microsoft.PowerShell.Commands.")
    assert result.stdout.split() == ["after"]


def test_scope_that_is_no_scope_name() -> None:
    message, fqid = first_error(run("Set-Variable a 1 -Scope elsewhere"))
    assert message.startswith('Cannot process argument because the value of parameter "Scope" is not valid. Valid '
                              'values are "Global", "Local", or "Script", or a number relative to the current scope')
    assert fqid == "Argument,Microsoft.PowerShell.Commands.SetVariableCommand"


def test_scope_numbers_within_the_scopes() -> None:
    result = run("function f { Set-Variable a 5 -Scope 1; Set-Alias zz Get-Date -Scope Global }; f; $a; "
                 "(Get-Alias zz).Definition; function g { Set-Variable b 1 -Scope Private; $b }; g")
    assert not result.errors, result.stderr
    assert result.stdout.split() == ["5", "Get-Date", "1"]


# TimeSpan.Parse: a day count beyond TimeSpan.MaxValue.Days (10675199) is its OverflowException
# ("The TimeSpan could not be parsed because at least one of the numeric components is out of
# range or contains too many digits."), which the conversion reports as
# InvalidCastParseTargetInvocation. The fuzzer found `Start-Sleep -Duration -2147483649`
# overflowing Python's timedelta.

@pytest.mark.parametrize("text", ["-2147483649", "10675200", "99999999.01:00:00"])
def test_timespan_text_out_of_range(text: str) -> None:
    message, fqid = first_error(run(f"[timespan]'{text}'"))
    assert message == (f'Cannot convert value "{text}" to type "System.TimeSpan". Error: "The TimeSpan could not be '
                       'parsed because at least one of the numeric components is out of range or contains too many '
                       'digits."')
    assert fqid == "InvalidCastParseTargetInvocation"


def test_timespan_text_at_the_limit() -> None:
    result = run("([timespan]'10675199').Days; ([timespan]'-10675199').Days; ([timespan]'1.02:03:04').TotalMinutes")
    assert result.stdout.split() == ["10675199", "-10675199", "1563.06666666667"], result.stderr


def test_start_sleep_duration_out_of_range() -> None:
    result = run("Start-Sleep -Duration '-2147483649'; 'after'")
    message, fqid = first_error(result)
    assert message.startswith("Cannot bind parameter 'Duration'. Cannot convert value \"-2147483649\" to type "
                              '"System.TimeSpan". Error: "The TimeSpan could not be parsed')
    assert fqid == "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.StartSleepCommand"
    assert result.stdout.split() == ["after"]


# Wait-VM on the virtual clock moves the clock by the whole -Timeout when nothing can meet the
# condition; the clock is a .NET DateTime and stops at its end (9999-12-31): a wait that would
# pass it is the clock's own error, not an OverflowError. (Found while hunting the Wait-VM hang
# the random fuzz once saw: 150 waits of -Timeout 2147483647.)

def test_wait_vm_past_the_end_of_the_clock() -> None:
    result = run("1..150 | ForEach-Object { Wait-VM vm1 -Timeout 2147483647 -ErrorAction SilentlyContinue }; "
                 "$Error[0].Exception.Message; $Error[-1].Exception.Message; (Get-Date).Year")
    assert "internal error" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Cannot move the clock on by 2147483647.0 seconds: the clock stops at 9999-12-31")
    # the Hyper-V module's own text for a Wait-VM that times out (its resources; docs/differences.md)
    assert lines[1] == ("This command stopped operation because the specified condition is not satisfied in the "
                        "specified time-out.")
    assert int(lines[2]) > 9900
