"""The command line of `powershell.exe` (Windows PowerShell 5.1's console host), parsed.

    parse_powershell_args(["-NoProfile", "-EncodedCommand", "ZQBjAGgAbwA="]) -> PowerShellArgs

One function boundary, `parse_powershell_args(argv) -> PowerShellArgs`, so that the project's
shared parser (psshim/commandline.py, written in parallel) can replace this one.

As powershell.exe reads it (about_PowerShell_exe): parameters start with `-` or `/`, are
case-insensitive and may be shortened to any prefix at least as long as the shortest form
PowerShell accepts (`-nop`, `-enc`, `-ep`); `-File PATH ARGS...` and `-Command ...` take the rest
of the line (a `-Command` value of `-` reads the commands from standard input); a lone `-`
reads standard input; the first argument that is not a known parameter starts the command.
"""

from __future__ import annotations

import base64
import binascii

import attrs

# Each parameter: its full name and the shortest prefix PowerShell accepts for it.
_SWITCHES = (
    ("help", "?"), ("nologo", "nol"), ("noexit", "noe"), ("noprofile", "nop"), ("noninteractive", "noni"),
    ("sta", "s"), ("mta", "mta"), ("version", "v"), ("psconsolefile", "psc"), ("inputformat", "in"),
    ("outputformat", "o"), ("windowstyle", "w"), ("encodedcommand", "e"), ("ec", "ec"),
    ("executionpolicy", "ex"), ("ep", "ep"), ("configurationname", "config"), ("file", "f"), ("command", "c"),
)
_TAKES_VALUE = {"version", "psconsolefile", "inputformat", "outputformat", "windowstyle", "executionpolicy",
                "configurationname"}
_FORMATS = ("text", "xml")


class CommandLineError(Exception):
    """A command line powershell.exe refuses; the message is the one it prints."""


@attrs.frozen
class PowerShellArgs:
    file: str | None = None
    file_args: tuple[str, ...] = ()
    command: str | None = None
    command_from_stdin: bool = False
    encoded: bool = False
    no_profile: bool = False
    no_logo: bool = False
    non_interactive: bool = False
    no_exit: bool = False
    execution_policy: str | None = None
    input_format: str = "text"
    output_format: str = "text"
    output_format_given: bool = False
    help: bool = False


def _match(word: str) -> str | None:
    if len(word) < 2 or word[0] not in "-/":
        return None
    key = word[1:].lower()
    if word[0] == "-" and key.startswith("-"):  # --noprofile, as 7 also accepts
        key = key[1:]
    for name, shortest in _SWITCHES:
        if name.startswith(key) and key.startswith(shortest):
            return name
    return None


def _decode(value: str) -> str:
    try:
        return base64.b64decode(value, validate=True).decode("utf-16-le")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CommandLineError("Cannot process the command because the value specified with -EncodedCommand "
                               "is not properly encoded. The value must be Base64 encoded.") from None


def parse_powershell_args(argv: list[str] | tuple[str, ...]) -> PowerShellArgs:
    values: dict[str, object] = {}
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "-":
            values["command_from_stdin"] = True
            i += 1
            continue
        name = _match(word)
        if name is None:  # the command starts here and takes the rest of the line
            values["command"] = " ".join(argv[i:])
            break
        if name == "help":
            values["help"] = True
        elif name == "nologo":
            values["no_logo"] = True
        elif name == "noprofile":
            values["no_profile"] = True
        elif name == "noninteractive":
            values["non_interactive"] = True
        elif name == "noexit":
            values["no_exit"] = True
        elif name in ("sta", "mta"):
            pass
        elif name in _TAKES_VALUE or name == "ep":
            if i + 1 >= len(argv):
                raise CommandLineError(f"Missing the argument for the {word} parameter. Specify a value and try again.")
            value = argv[i + 1]
            i += 1
            if name in ("executionpolicy", "ep"):
                values["execution_policy"] = value
            elif name in ("inputformat", "outputformat"):
                fmt = value.lower()
                match = [f for f in _FORMATS if f.startswith(fmt)] if fmt else []
                if len(match) != 1:
                    raise CommandLineError(f"Invalid argument '{value}' for the {word} parameter. "
                                           "Specify one of 'Text' or 'XML'.")
                key = "input_format" if name == "inputformat" else "output_format"
                values[key] = match[0]
                if name == "outputformat":
                    values["output_format_given"] = True
        elif name in ("encodedcommand", "ec"):
            if i + 1 >= len(argv):
                raise CommandLineError("Cannot process the command because -EncodedCommand requires an argument.")
            values["command"] = _decode(argv[i + 1])
            values["encoded"] = True
            i += 2
            continue
        elif name == "file":
            if i + 1 >= len(argv):
                raise CommandLineError("Missing the argument for the -File parameter. "
                                       "Specify the path to a '.ps1' file as an argument to the -File parameter.")
            values["file"] = argv[i + 1]
            values["file_args"] = tuple(argv[i + 2:])
            break
        elif name == "command":
            rest = argv[i + 1:]
            if rest == ["-"] or (len(rest) == 1 and rest[0] == "-"):
                values["command_from_stdin"] = True
            elif not rest:
                raise CommandLineError("Cannot process the command because of a missing parameter. "
                                       "A command must follow -Command.")
            else:
                values["command"] = " ".join(rest)
            break
        i += 1
    if "command" in values and "file" in values:
        raise CommandLineError("Cannot process the command because -File and -Command cannot both be specified.")
    return PowerShellArgs(**values)  # type: ignore[arg-type]
