"""The one parser of `powershell.exe` / `pwsh` command lines.

    cl = parse_command_line(["-NoProfile", "-ExecutionPolicy", "Bypass", "-File", "C:\\s\\job.ps1", "-VMName", "x"])
    cl.file, cl.script_args, cl.no_profile, cl.execution_policy
    cl = parse_command_line(split_windows_command_line('-nop -c "Get-VM | fl"'))
    cl.command == "Get-VM | fl"

Start-Process, the server's drop-in scripts and scheduled task actions all go through it.
The rules are those of the console host's CommandLineParameterParser (PowerShell source,
src/Microsoft.PowerShell.ConsoleHost/host/msh/CommandLineParameterParser.cs):

- a switch starts with `-`, `/` (or `--`); it may be abbreviated down to its smallest
  unambiguous prefix (`-nop`, `-noni`, `-ex`/`-ep`, `-e`/`-ec`/`-enc`, `-c`, `-f`, `-w`, `-inp`/`-if`,
  `-o`/`-of`) and is matched case-insensitively;
- `-Command` takes the rest of the line (joined with spaces); `-Command -` reads the commands
  from standard input and allows nothing after it; `-EncodedCommand` is base64 of UTF-16LE;
- `-File` takes the script path; every later argument goes to the script (`-Name value`,
  `-Name:value`, positional values), not to powershell.exe;
- the first argument that is not a switch starts the command (Windows PowerShell 5.1:
  `powershell Get-VM` runs `Get-VM`) or names the script file (pwsh 7: `pwsh .\\x.ps1`); an
  unknown switch does the same;
- a bad command line is a `CommandLineError` with the console host's message, and the process
  exit code (5.1: -196608, pwsh: 64).
"""

from __future__ import annotations

import base64
import binascii
from typing import Callable, Sequence

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise

EXECUTION_POLICIES = ("Unrestricted", "RemoteSigned", "AllSigned", "Restricted", "Default", "Bypass", "Undefined")
DATA_FORMATS = ("Text", "XML", "None")
WINDOW_STYLES = ("Normal", "Hidden", "Minimized", "Maximized")
EXIT_CODE_51 = -196608  # 0xFFFD0000 as a process exit code
EXIT_CODE_7 = 64

# pwsh's list for the "did you mean" help of an unknown switch
_VALID_PARAMETERS = ("sta", "mta", "command", "commandwithargs", "configurationname", "custompipename",
                     "encodedcommand", "executionpolicy", "file", "help", "inputformat", "login", "noexit",
                     "nologo", "noninteractive", "noprofile", "noprofileloadtime", "outputformat",
                     "removeworkingdirectorytrailingcharacter", "settingsfile", "version", "windowstyle",
                     "workingdirectory")

_MSG = {
    "MissingCommandParameter": "Cannot process the command because of a missing parameter. A command must follow "
                               "-Command.",
    "TooManyParametersToCommand": "'-' was specified with the -Command parameter; no other arguments to -Command "
                                  "are permitted.",
    "StdinNotRedirected": "'-' was specified as the argument to -Command but standard input has not been "
                          "redirected for this process.",
    "MissingFileArgument": "The command cannot be run because the File parameter requires a file path. Supply a "
                           "path for the File parameter and then try the command again.",
    "MissingWindowStyleArgument": "Cannot process the command because -WindowStyle requires an argument that is "
                                  "normal, hidden, minimized or maximized. Specify one of these argument values and "
                                  "try again.",
    "InvalidWindowStyleArgument": "Processing -WindowStyle '{0}' failed: {1}.",
    "InvalidFileArgumentExtension": "Processing -File '{0}' failed because the file does not have a '.ps1' "
                                    "extension. Specify a valid PowerShell script file name, and then try again.",
    "ArgumentFileDoesNotExist": "The argument '{0}' is not recognized as the name of a script file. Check the "
                                "spelling of the name, or if a path was included, verify that the path is correct "
                                "and try again.",
    "BadCommandValue": "Cannot process the command because the value specified with -EncodedCommand is not "
                       "properly encoded. The value must be Base64 encoded.",
    "MissingExecutionPolicyParameter": "Cannot process the execution policy because of a missing policy name. A "
                                       "policy name must follow -ExecutionPolicy.",
    "InvalidExecutionPolicyArgument": "Invalid ExecutionPolicy value '{0}'.",
    "InvalidArgument": "Invalid argument '{0}', did you mean:",
    "MissingOutputFormatParameter": "The command cannot be run because no argument has been supplied for the "
                                    "OutputFormat parameter.\nSpecify one of the following formats for this "
                                    "parameter:\n{0}",
    "MissingInputFormatParameter": "Cannot process the command because the -InputFormat parameter requires an "
                                   "argument. Specify a valid format argument for this parameter.\nValid formats "
                                   "are:\n{0}",
    "BadFormatParameterValue": 'Cannot process the command because of an incorrect parameter value. "{0}" is not '
                               "a valid format.\nValid formats are:\n{1}",
}


class CommandLineError(Exception):
    """A command line powershell.exe refuses: `message` is what it prints, `exit_code` its code."""

    def __init__(self, message: str, error_id: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id
        self.exit_code = exit_code


@attrs.frozen(eq=False, repr=False)
class ScriptArgument(Fieldwise):
    """One argument after `-File x.ps1`: `-Name value` gives name "-Name" and the value;
    a bare `-Switch` has no value (`value is None`, `has_value` False); a positional value
    has no name."""

    name: str | None
    value: str | bool | None = None
    has_value: bool = True


@attrs.frozen(eq=False, repr=False)
class CommandLine(Fieldwise):
    edition: str = "5.1"
    file: str | None = None             # -File (as given)
    command: str | None = None          # -Command / -EncodedCommand (decoded) / the default command
    commands_from_stdin: bool = False   # -Command - (or -File -)
    encoded: bool = False
    script_args: tuple[ScriptArgument, ...] = ()
    no_profile: bool = False
    no_logo: bool = False
    non_interactive: bool = False
    no_exit: bool = False
    execution_policy: str | None = None
    input_format: str = "Text"
    output_format: str = "Text"
    window_style: str | None = None
    show_help: bool = False
    show_version: bool = False

    def argv(self) -> list[str]:
        """The script arguments as strings, as `Runspace.run_script` binds them (`-Name:value`
        for a colon-joined argument)."""
        out: list[str] = []
        pending: str | None = None
        for a in self.script_args:
            if a.name is None:
                out.append(str(a.value))
            elif not a.has_value:
                out.append(a.name)
            elif pending is None and isinstance(a.value, bool):
                out.append(f"{a.name}:${str(a.value).lower()}")
            else:
                out.extend([a.name, str(a.value)])
        return out


def _is_dash(c: str) -> bool:
    # PowerShell's CharExtensions.IsDash: hyphen-minus, en dash, em dash, horizontal bar
    return c in "-\u2013\u2014\u2015"


def _match(key: str, word: str, smallest: str) -> bool:
    return len(key) >= len(smallest) and word.startswith(key.casefold())


def decode_encoded_command(value: str) -> str:
    """-EncodedCommand: base64 of the command's UTF-16LE bytes."""
    data = base64.b64decode(value.strip(), validate=True)
    if len(data) % 2:
        raise ValueError("odd number of bytes")
    return data.decode("utf-16-le")


def encode_command(text: str) -> str:
    return base64.b64encode(text.encode("utf-16-le")).decode("ascii")


def _enum_value(value: str, names: Sequence[str]) -> str | None:
    for n in names:
        if n.casefold() == value.strip().casefold():
            return n
    return None


class _Parser:
    def __init__(self, args: Sequence[str], edition: str, file_exists: Callable[[str], bool] | None,
                 stdin_redirected: bool) -> None:
        self.args = list(args)
        self.core = edition.startswith("7")
        self.edition = "7" if self.core else "5.1"
        self.file_exists = file_exists
        self.stdin_redirected = stdin_redirected
        self.values: dict[str, object] = {}
        self.script_args: list[ScriptArgument] = []

    def fail(self, error_id: str, *fmt: str) -> CommandLineError:
        text = _MSG[error_id].format(*fmt)
        return CommandLineError(text, error_id, EXIT_CODE_7 if self.core else EXIT_CODE_51)

    def parse(self) -> CommandLine:
        args = self.args
        i = 0
        while i < len(args):
            raw = args[i].strip()
            if not raw:
                i += 1
                continue
            if not _is_dash(raw[0]) and raw[0] != "/":
                # the first argument that is not a switch: the script file (pwsh) or the command (5.1)
                i = self.default_target(i)
                break
            key = raw[1:]
            if key and _is_dash(raw[0]) and key[0] == raw[0]:
                key = key[1:]
            if _match(key, "version", "v") and self.core:
                self.values["show_version"] = True
                break
            if _match(key, "help", "h") or key == "?":
                self.values["show_help"] = True
            elif _match(key, "noexit", "noe"):
                self.values["no_exit"] = True
            elif _match(key, "noprofile", "nop"):
                self.values["no_profile"] = True
            elif _match(key, "nologo", "nol"):
                self.values["no_logo"] = True
            elif _match(key, "noninteractive", "noni"):
                self.values["non_interactive"] = True
            elif _match(key, "command", "c"):
                i = self.command(i, encoded=False)
                break
            elif _match(key, "encodedcommand", "e") or _match(key, "ec", "e"):
                i = self.command(i, encoded=True)
            elif _match(key, "file", "f"):
                i = self.file(i)
                break
            elif _match(key, "executionpolicy", "ex") or _match(key, "ep", "ep"):
                i += 1
                if i >= len(args):
                    raise self.fail("MissingExecutionPolicyParameter")
                policy = _enum_value(args[i], EXECUTION_POLICIES)
                if policy is None:
                    raise self.fail("InvalidExecutionPolicyArgument", args[i])
                self.values["execution_policy"] = policy
            elif _match(key, "windowstyle", "w"):
                i += 1
                if i >= len(args):
                    raise self.fail("MissingWindowStyleArgument")
                style = _enum_value(args[i], WINDOW_STYLES)
                if style is None:
                    raise self.fail("InvalidWindowStyleArgument", args[i], self._enum_error(args[i]))
                self.values["window_style"] = style
            elif _match(key, "outputformat", "o") or _match(key, "of", "o"):
                i = self.format(i, "output_format", "MissingOutputFormatParameter")
            elif _match(key, "inputformat", "inp") or _match(key, "if", "if"):
                i = self.format(i, "input_format", "MissingInputFormatParameter")
            elif _match(key, "sta", "sta") or _match(key, "mta", "mta"):
                pass
            elif not self.core and _match(key, "version", "v"):
                i += 1  # 5.1: -Version <n> picks the engine version; psshim has one
            else:
                # an unknown switch starts the command (5.1) or names the file (pwsh)
                i = self.default_target(i)
                break
            i += 1
        return CommandLine(edition=self.edition, script_args=tuple(self.script_args),
                           **self.values)  # type: ignore[arg-type]

    @staticmethod
    def _enum_error(value: str) -> str:
        return (f'Cannot convert value "{value}" to type "System.Diagnostics.ProcessWindowStyle". Error: "Unable '
                f"to match the identifier name {value} to a valid enumerator name. Specify one of the following "
                f'enumerator names and try again:\n{", ".join(WINDOW_STYLES)}"')

    def format(self, i: int, field: str, missing: str) -> int:
        listing = "".join(n + "\n" for n in DATA_FORMATS)
        i += 1
        if i >= len(self.args):
            raise self.fail(missing, listing)
        value = _enum_value(self.args[i], DATA_FORMATS)
        if value is None:
            raise self.fail("BadFormatParameterValue", self.args[i], listing)
        self.values[field] = value
        return i

    def default_target(self, i: int) -> int:
        if self.core:
            return self.file(i - 1)
        return self.command(i - 1, encoded=False)

    def command(self, i: int, *, encoded: bool) -> int:
        args = self.args
        if "command" in self.values:
            msg = ("Cannot process command because a command is already specified with -Command, "
                   "-CommandWithArgs, or -EncodedCommand." if self.core else
                   "Cannot process command because a command is already specified with -Command or "
                   "-EncodedCommand.")
            raise CommandLineError(msg, "CommandAlreadySpecified", EXIT_CODE_7 if self.core else EXIT_CODE_51)
        i += 1
        if i >= len(args):
            raise self.fail("MissingCommandParameter")
        if encoded:
            try:
                self.values["command"] = decode_encoded_command(args[i])
            except (ValueError, binascii.Error, UnicodeDecodeError):
                raise self.fail("BadCommandValue") from None
            self.values["encoded"] = True
            return i
        if args[i] == "-":
            if i + 1 != len(args):
                raise self.fail("TooManyParametersToCommand")
            if not self.stdin_redirected:
                raise self.fail("StdinNotRedirected")
            self.values["commands_from_stdin"] = True
            return len(args)
        self.values["command"] = " ".join(args[i:])
        return len(args)

    def file(self, i: int) -> int:
        args = self.args
        i += 1
        if i >= len(args):
            raise self.fail("MissingFileArgument")
        path = args[i]
        if path == "-":
            self.values["commands_from_stdin"] = True
            return len(args)
        if self.file_exists is not None and not self.file_exists(path):
            if self.core and path.startswith("-") and len(path) > 1:
                param = path[1:].casefold()
                near = [p for p in _VALID_PARAMETERS if param in p]
                if near:
                    text = _MSG["InvalidArgument"].format(path) + "\n" + "".join("\n  -" + p for p in near)
                    raise CommandLineError(text, "InvalidArgument", EXIT_CODE_7)
            raise self.fail("ArgumentFileDoesNotExist", path)
        if not path.casefold().endswith(".ps1"):
            raise self.fail("InvalidFileArgumentExtension", path)
        self.values["file"] = path
        self.collect_script_args(i + 1)
        return len(args)

    def collect_script_args(self, i: int) -> None:
        pending: str | None = None
        for arg in self.args[i:]:
            if pending is not None:
                self.script_args.append(ScriptArgument(pending, arg))
                pending = None
            elif arg and _is_dash(arg[0]) and len(arg) > 1:
                name, colon, value = arg.partition(":")
                if not colon:
                    self.script_args.append(ScriptArgument(arg, None, has_value=False))
                elif not value:
                    pending = name
                else:
                    self.script_args.append(ScriptArgument(name, self._bool(value)))
            else:
                self.script_args.append(ScriptArgument(None, arg))
        if pending is not None:
            # `-Name:` at the end: the parameter with no value
            self.script_args.append(ScriptArgument(pending, None, has_value=False))

    def _bool(self, value: str) -> str | bool:
        # pwsh turns `-Switch:$false` / `-Flag:true` into booleans; 5.1 passes the text
        if not self.core:
            return value
        text = value[1:] if value.startswith("$") else value
        if text.strip().casefold() in ("true", "false"):
            return text.strip().casefold() == "true"
        return value


def parse_command_line(args: Sequence[str], edition: str = "5.1", *,
                       file_exists: Callable[[str], bool] | None = None,
                       stdin_redirected: bool = True) -> CommandLine:
    """Parse the arguments after `powershell.exe` (edition "5.1") or `pwsh` (edition "7").
    `file_exists` checks -File's path (not checked when None)."""
    return _Parser(args, edition, file_exists, stdin_redirected).parse()


def split_windows_command_line(text: str) -> list[str]:
    """Split a Windows command-line string into arguments as the C runtime does for
    powershell.exe (CommandLineToArgvW's rules): whitespace separates, double quotes group,
    `\\"` is a literal quote, 2n backslashes before a quote are n backslashes, `""` inside
    quotes is a literal quote."""
    out: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return out
        cur: list[str] = []
        quoted = False
        while i < n and (quoted or text[i] not in " \t"):
            c = text[i]
            if c == "\\":
                j = i
                while j < n and text[j] == "\\":
                    j += 1
                count = j - i
                if j < n and text[j] == '"':
                    cur.append("\\" * (count // 2))
                    if count % 2:
                        cur.append('"')
                        i = j + 1
                    else:
                        i = j
                else:
                    cur.append("\\" * count)
                    i = j
                continue
            if c == '"':
                if quoted and i + 1 < n and text[i + 1] == '"':
                    cur.append('"')
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            cur.append(c)
            i += 1
        out.append("".join(cur))


def join_windows_command_line(args: Sequence[str]) -> str:
    """The inverse of split_windows_command_line (Start-Process -ArgumentList as an array)."""
    parts: list[str] = []
    for a in args:
        if a and not any(c in a for c in ' \t"'):
            parts.append(a)
            continue
        out, bs = ['"'], 0
        for c in a:
            if c == "\\":
                bs += 1
                continue
            if c == '"':
                out.append("\\" * (bs * 2 + 1) + '"')
            else:
                out.append("\\" * bs + c)
            bs = 0
        out.append("\\" * (bs * 2) + '"')
        parts.append("".join(out))
    return " ".join(parts)
