"""psshim.commandline: powershell.exe / pwsh argument parsing, checked against the console
host's CommandLineParameterParser rules and messages (PowerShell source)."""

from __future__ import annotations

import pytest

from hyperv_emu.psshim.commandline import (
    EXIT_CODE_7,
    EXIT_CODE_51,
    CommandLineError,
    ScriptArgument,
    encode_command,
    join_windows_command_line,
    parse_command_line,
    split_windows_command_line,
)


def test_file_with_switches_and_script_arguments() -> None:
    cl = parse_command_line(["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File",
                             "C:\\s\\job.ps1", "-VMName", "SRV-APP01", "pos", "-Force", "-Days:30"])
    assert cl.file == "C:\\s\\job.ps1"
    assert cl.no_profile and cl.non_interactive and not cl.no_logo
    assert cl.execution_policy == "Bypass"
    assert cl.command is None
    assert cl.script_args == (ScriptArgument("-VMName", None, has_value=False), ScriptArgument(None, "SRV-APP01"),
                              ScriptArgument(None, "pos"), ScriptArgument("-Force", None, has_value=False),
                              ScriptArgument("-Days", "30"))
    assert cl.argv() == ["-VMName", "SRV-APP01", "pos", "-Force", "-Days", "30"]


def test_arguments_after_file_belong_to_the_script() -> None:
    # -File comes first: -Command after it is an argument of the script, not powershell.exe's
    cl = parse_command_line(["-File", "a.ps1", "-Command", "Get-VM"])
    assert cl.command is None
    assert [a.name or a.value for a in cl.script_args] == ["-Command", "Get-VM"]


def test_pending_colon_argument_takes_the_next_one() -> None:
    cl = parse_command_line(["-File", "a.ps1", "-Name:", "x y"])
    assert cl.script_args == (ScriptArgument("-Name", "x y"),)


def test_pwsh_converts_true_false_after_colon_but_51_keeps_text() -> None:
    assert parse_command_line(["-File", "a.ps1", "-Flag:$false"], "7").script_args == \
        (ScriptArgument("-Flag", False),)
    assert parse_command_line(["-File", "a.ps1", "-Flag:$false"], "5.1").script_args == \
        (ScriptArgument("-Flag", "$false"),)


def test_command_takes_the_rest_of_the_line() -> None:
    cl = parse_command_line(["-nop", "-c", "Get-VM", "|", "Select-Object", "Name", "-NoLogo"])
    assert cl.no_profile
    assert cl.command == "Get-VM | Select-Object Name -NoLogo"
    assert not cl.no_logo


@pytest.mark.parametrize("switch", ["-Command", "-c", "-com", "/c", "--command", "-COMMAND", "\u2013c"])
def test_command_abbreviations_and_prefixes(switch: str) -> None:
    assert parse_command_line([switch, "x"]).command == "x"


@pytest.mark.parametrize("switch,field", [("-nop", "no_profile"), ("-noprofile", "no_profile"),
                                          ("-nol", "no_logo"), ("-noni", "non_interactive"),
                                          ("-NonInteractive", "non_interactive"), ("-noe", "no_exit")])
def test_flag_abbreviations(switch: str, field: str) -> None:
    assert getattr(parse_command_line([switch, "-c", "1"]), field) is True


def test_too_short_abbreviation_is_not_a_switch() -> None:
    # "-no" is shorter than every switch's unambiguous prefix: 5.1 runs it as the command
    assert parse_command_line(["-no"]).command == "-no"


def test_encoded_command_is_base64_of_utf16le() -> None:
    text = "Get-VM | Where-Object { $_.Name -like 'SRV*' }"
    assert encode_command("dir") == "ZABpAHIA"
    for switch in ("-EncodedCommand", "-enc", "-e", "-ec"):
        cl = parse_command_line([switch, encode_command(text)])
        assert cl.command == text and cl.encoded


def test_bad_encoded_command() -> None:
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-enc", "not base64!"])
    assert e.value.message == ("Cannot process the command because the value specified with -EncodedCommand is not "
                               "properly encoded. The value must be Base64 encoded.")
    assert e.value.exit_code == EXIT_CODE_51 == -196608


def test_execution_policy_abbreviations_and_values() -> None:
    assert parse_command_line(["-ep", "bypass", "-c", "1"]).execution_policy == "Bypass"
    assert parse_command_line(["-ex", "RemoteSigned", "-c", "1"]).execution_policy == "RemoteSigned"
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-ExecutionPolicy", "Sometimes"], "7")
    assert e.value.message == "Invalid ExecutionPolicy value 'Sometimes'."
    assert e.value.exit_code == EXIT_CODE_7 == 64
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-ExecutionPolicy"])
    assert e.value.message == ("Cannot process the execution policy because of a missing policy name. A policy "
                               "name must follow -ExecutionPolicy.")


def test_formats_and_window_style() -> None:
    cl = parse_command_line(["-InputFormat", "text", "-of", "XML", "-w", "hidden", "-c", "1"])
    assert (cl.input_format, cl.output_format, cl.window_style) == ("Text", "XML", "Hidden")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-OutputFormat", "json"])
    assert e.value.message == ('Cannot process the command because of an incorrect parameter value. "json" is not a '
                               "valid format.\nValid formats are:\nText\nXML\nNone\n")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-WindowStyle"])
    assert e.value.error_id == "MissingWindowStyleArgument"
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-WindowStyle", "tiny"])
    assert e.value.message.startswith("Processing -WindowStyle 'tiny' failed: Cannot convert value \"tiny\"")


def test_command_dash_reads_stdin() -> None:
    assert parse_command_line(["-NonInteractive", "-Command", "-"]).commands_from_stdin
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-Command", "-", "x"])
    assert e.value.message == ("'-' was specified with the -Command parameter; no other arguments to -Command are "
                               "permitted.")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-Command", "-"], stdin_redirected=False)
    assert e.value.error_id == "StdinNotRedirected"
    assert parse_command_line(["-File", "-"]).commands_from_stdin


def test_missing_values() -> None:
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-NoProfile", "-Command"])
    assert e.value.message == "Cannot process the command because of a missing parameter. A command must follow -Command."
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-File"])
    assert e.value.message == ("The command cannot be run because the File parameter requires a file path. Supply a "
                               "path for the File parameter and then try the command again.")


def test_second_command_is_refused() -> None:
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-enc", encode_command("1"), "-c", "2"])
    assert e.value.message == ("Cannot process command because a command is already specified with -Command or "
                               "-EncodedCommand.")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-enc", encode_command("1"), "-c", "2"], "7")
    assert "-Command, -CommandWithArgs, or -EncodedCommand." in e.value.message


def test_first_bare_argument_is_the_command_in_51_and_the_file_in_pwsh() -> None:
    assert parse_command_line(["-NoProfile", "Get-VM", "-Name", "x"]).command == "Get-VM -Name x"
    cl = parse_command_line(["-NoProfile", "job.ps1", "-Name", "x"], "7")
    assert cl.file == "job.ps1" and cl.argv() == ["-Name", "x"]


def test_unknown_switch_starts_the_command_in_51() -> None:
    assert parse_command_line(["-Foo", "bar"]).command == "-Foo bar"


def test_file_checks() -> None:
    exists = {"C:\\s\\job.ps1", "C:\\s\\notes.txt"}.__contains__
    assert parse_command_line(["-File", "C:\\s\\job.ps1"], file_exists=exists).file == "C:\\s\\job.ps1"
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-File", "C:\\s\\gone.ps1"], file_exists=exists)
    assert e.value.message == ("The argument 'C:\\s\\gone.ps1' is not recognized as the name of a script file. Check "
                               "the spelling of the name, or if a path was included, verify that the path is correct "
                               "and try again.")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-File", "C:\\s\\notes.txt"], file_exists=exists)
    assert e.value.message == ("Processing -File 'C:\\s\\notes.txt' failed because the file does not have a '.ps1' "
                               "extension. Specify a valid PowerShell script file name, and then try again.")
    with pytest.raises(CommandLineError) as e:
        parse_command_line(["-nop", "-profile"], "7", file_exists=exists)
    assert e.value.message == "Invalid argument '-profile', did you mean:\n\n  -noprofile\n  -noprofileloadtime"


def test_version_switch_in_pwsh() -> None:
    assert parse_command_line(["-v"], "7").show_version
    assert parse_command_line(["-?"]).show_help


@pytest.mark.parametrize("text,args", [
    ('-nop -c "Get-VM | fl"', ["-nop", "-c", "Get-VM | fl"]),
    ('a\\\\b "c d" e', ["a\\\\b", "c d", "e"]),
    ('"C:\\Program Files\\x.ps1" -Name "a \\"b\\""', ["C:\\Program Files\\x.ps1", "-Name", 'a "b"']),
    ('"a\\\\" b', ["a\\", "b"]),
    ('"a""b" c', ['a"b', "c"]),
    ("  lots   of\tspace  ", ["lots", "of", "space"]),
    ('""', [""]),
])
def test_split_windows_command_line(text: str, args: list[str]) -> None:
    assert split_windows_command_line(text) == args


def test_join_round_trips() -> None:
    for args in (["-File", "C:\\Program Files\\x.ps1", "-Name", 'a "b"'], ["x\\", "y z\\", ""]):
        assert split_windows_command_line(join_windows_command_line(args)) == args
