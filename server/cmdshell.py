"""The command lines a winrs shell runs, as cmd.exe runs them on the emulated host:
`powershell[.exe] ...` (pwsh_run) and the built-ins a Terraform-style upload uses:

    echo TEXT [>|>> FILE]        echo. (an empty line)
    type FILE                    del [/f] [/q] FILE
    if [not] exist FILE COMMAND  mkdir|md DIR
    cmd /c LINE                  exit [/b] N
    A && B   A || B   A & B      %VARIABLE% expansion

Files are the emulated host's (the SDK's host file calls), relative to the shell's working
directory. Anything else is cmd's "'x' is not recognized as an internal or external command"
with exit code 9009. Output lines end with CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs

from hyperv_emu import sdk
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.server.pwsh_run import ProcessResult, run_powershell

NOT_RECOGNIZED = 9009
_VAR = re.compile(r"%([^%\s]+)%")


@attrs.define
class CmdContext:
    client: sdk.HyperVClient
    cwd: str
    environment: dict[str, str]
    stdin: str = ""


def split_windows_args(line: str) -> list[str]:
    """A command line split as CommandLineToArgvW (the MSVC runtime) splits it: whitespace
    separates, double quotes group, `\\"` is a quote, 2n backslashes before a quote are n."""
    args: list[str] = []
    current: list[str] = []
    in_quotes = False
    have = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == "\\":
            j = i
            while j < len(line) and line[j] == "\\":
                j += 1
            count = j - i
            if j < len(line) and line[j] == '"':
                current.append("\\" * (count // 2))
                if count % 2:
                    current.append('"')
                    i = j + 1
                else:
                    i = j
                have = True
                continue
            current.append("\\" * count)
            have = True
            i = j
            continue
        if c == '"':
            if in_quotes and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')
                i += 2
                continue
            in_quotes = not in_quotes
            have = True
        elif c in " \t" and not in_quotes:
            if have:
                args.append("".join(current))
                current, have = [], False
        else:
            current.append(c)
            have = True
        i += 1
    if have:
        args.append("".join(current))
    return args


def _split_chain(line: str) -> list[tuple[str, str]]:
    """`A && B || C & D` as [("", A), ("&&", B), ("||", C), ("&", D)], outside quotes."""
    parts: list[tuple[str, str]] = []
    op, start, in_quotes, i = "", 0, False, 0
    while i < len(line):
        c = line[i]
        if c == '"':
            in_quotes = not in_quotes
        elif not in_quotes and c in "&|":
            double = line[i:i + 2] in ("&&", "||")
            if c == "|" and not double:  # a pipe: kept in the command (not supported beyond that)
                i += 1
                continue
            parts.append((op, line[start:i]))
            op = line[i:i + 2] if double else "&"
            i += 2 if double else 1
            start = i
            continue
        i += 1
    parts.append((op, line[start:]))
    # cmd keeps the spaces before an operator: `echo a && b` prints "a "
    return [(o, p.lstrip()) for o, p in parts if p.strip()]


def _redirect(command: str) -> tuple[str, str | None, bool]:
    """The command without its `> FILE` / `>> FILE`, the file, and whether it appends."""
    in_quotes = False
    for i, c in enumerate(command):
        if c == '"':
            in_quotes = not in_quotes
        elif c == ">" and not in_quotes:
            append = command[i:i + 2] == ">>"
            target = command[i + (2 if append else 1):].strip()
            head = command[:i]
            if head.endswith(("1", "2")) and (len(head) == 1 or head[-2] == " "):
                if head.endswith("2"):
                    return head[:-1], None, append  # 2>nul and the like: standard error is dropped
                head = head[:-1]
            return head, target.strip('"'), append
    return command, None, False


class CmdShell:
    def __init__(self, context: CmdContext) -> None:
        self.ctx = context

    def path(self, name: str) -> str:
        name = name.strip().strip('"').replace("/", "\\")
        if re.match(r"^[A-Za-z]:\\", name) or name.startswith("\\\\"):
            return name
        return self.ctx.cwd.rstrip("\\") + "\\" + name

    def expand(self, text: str) -> str:
        env = {k.lower(): v for k, v in self.ctx.environment.items()}
        return _VAR.sub(lambda m: env.get(m.group(1).lower(), m.group(0)), text)

    def run(self, line: str) -> ProcessResult:
        out: list[str] = []
        err: list[str] = []
        code = 0
        for op, part in _split_chain(self.expand(line)):
            if (op == "&&" and code != 0) or (op == "||" and code == 0):
                continue
            result = self._one(part)
            out.append(result.stdout)
            err.append(result.stderr)
            code = result.exit_code
        return ProcessResult("".join(out), "".join(err), code)

    def _one(self, part: str) -> ProcessResult:
        command, target, append = _redirect(part)
        result = self._simple(command)
        if target is None or target.lower() == "nul":
            return result if target is None else ProcessResult("", result.stderr, result.exit_code)
        try:
            data = result.stdout.encode("cp1252", "replace")
            path = self.path(target)
            if append and self.ctx.client.file_info(path) is not None:
                data = self.ctx.client.read_file(path) + data
            self.ctx.client.write_file(path, data)
        except HyperVError:
            return ProcessResult("", "The system cannot find the path specified.\r\n", 1)
        return ProcessResult("", result.stderr, result.exit_code)

    def _simple(self, command: str) -> ProcessResult:
        word, _, rest = command.lstrip().partition(" ")
        name = word.lower()
        if name.startswith("echo") and (name == "echo" or name[4:5] in (".", ":")):
            return self._echo(command.lstrip()[4:])
        if name == "@echo":
            return ProcessResult("", "", 0)
        if name in ("powershell", "powershell.exe", "pwsh", "pwsh.exe") or name.endswith(("\\powershell.exe",
                                                                                           "\\powershell")):
            return run_powershell(self.ctx.client, split_windows_args(rest), self.ctx.stdin,
                                  read_script=self._read_script, environment=self.ctx.environment,
                                  cwd=self.ctx.cwd)
        if name == "type":
            return self._type(rest)
        if name in ("del", "erase"):
            return self._del(rest)
        if name in ("mkdir", "md"):
            return self._mkdir(rest)
        if name == "if":
            return self._if(rest)
        if name == "cmd" or name == "cmd.exe":
            sub = rest.lstrip()
            if sub.lower().startswith(("/c ", "/k ")):
                inner = sub[3:].lstrip()
                quoted = inner.startswith('"') and inner.rstrip().endswith('"') and inner.count('"') == 2
                return self.run(inner.strip()[1:-1] if quoted else inner)
            return ProcessResult("", "", 0)
        if name == "exit":
            words = rest.split()
            if words and words[0].lower() == "/b":
                words = words[1:]
            try:
                return ProcessResult("", "", int(words[0]) if words else 0)
            except ValueError:
                return ProcessResult("", "", 0)
        if name in ("rem", "::", ""):
            return ProcessResult("", "", 0)
        shown = word.strip('"')
        return ProcessResult("", f"'{shown}' is not recognized as an internal or external command,\r\n"
                                 "operable program or batch file.\r\n", NOT_RECOGNIZED)

    def _echo(self, text: str) -> ProcessResult:
        if text[:1] in (".", ":"):
            return ProcessResult(text[1:].lstrip() + "\r\n" if text[1:].strip() else "\r\n", "", 0)
        body = text[1:] if text.startswith(" ") else text
        if not body.strip():
            return ProcessResult("ECHO is on.\r\n", "", 0)
        if body.strip().lower() in ("on", "off"):
            return ProcessResult("", "", 0)
        return ProcessResult(body + "\r\n", "", 0)

    def _read_script(self, path: str) -> tuple[str, str] | None:
        from hyperv_emu.psshim.host_services import decode_text

        try:
            full = self.path(path)
            if self.ctx.client.file_info(full) is None:
                return None
            return full, decode_text(self.ctx.client.read_file(full), "cp1252")
        except HyperVError:
            return None

    def _files(self, rest: str) -> list[str]:
        return [w for w in split_windows_args(rest) if not w.startswith("/")]

    def _type(self, rest: str) -> ProcessResult:
        out: list[str] = []
        err: list[str] = []
        code = 0
        for name in self._files(rest):
            try:
                info = self.ctx.client.file_info(self.path(name))
                if info is None:
                    raise HyperVError("missing")
                out.append(self.ctx.client.read_file(self.path(name)).decode("cp1252", "replace"))
            except HyperVError:
                err.append("The system cannot find the file specified.\r\n")
                code = 1
        return ProcessResult("".join(out), "".join(err), code)

    def _del(self, rest: str) -> ProcessResult:
        err: list[str] = []
        for name in self._files(rest):
            path = self.path(name)
            try:
                if self.ctx.client.file_info(path) is None:
                    err.append(f"Could Not Find {path}\r\n")
                    continue
                self.ctx.client.delete_file(path)
            except HyperVError as exc:
                err.append(f"{path}\r\n{exc.message}\r\n")
        return ProcessResult("", "".join(err), 0)  # del reports a missing file but exits 0

    def _mkdir(self, rest: str) -> ProcessResult:
        for name in self._files(rest):
            path = self.path(name)
            if self.ctx.client.file_info(path) is not None:
                return ProcessResult("", f"A subdirectory or file {name} already exists.\r\n", 1)
            try:
                self.ctx.client.make_dir(path)
            except HyperVError as exc:
                return ProcessResult("", exc.message + "\r\n", 1)
        return ProcessResult("", "", 0)

    def _if(self, rest: str) -> ProcessResult:
        words = rest.strip()
        negate = words.lower().startswith("not ")
        if negate:
            words = words[4:].lstrip()
        if not words.lower().startswith("exist "):
            return ProcessResult("", "The syntax of the command is incorrect.\r\n", 1)
        words = words[6:].lstrip()
        if words.startswith('"'):
            end = words.find('"', 1)
            name, command = words[1:end], words[end + 1:]
        else:
            name, _, command = words.partition(" ")
        try:
            exists = self.ctx.client.file_info(self.path(name)) is not None
        except HyperVError:
            exists = False
        if exists != negate:
            return self._one(command.strip())
        return ProcessResult("", "", 0)


Runner = Callable[[str], ProcessResult]
