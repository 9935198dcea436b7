"""Tab completion at the `hvemu shell` prompt: cmdlet names, parameter names and VM names.

    PS C:\\Users\\Administrator> Get-VMSn<TAB>          -> Get-VMSnapshot
    PS C:\\Users\\Administrator> Get-VMSnapshot -VMN<TAB>    -> -VMName
    PS C:\\Users\\Administrator> Get-VMSnapshot -VMName SRV<TAB>  -> SRV-APP01, SRV-WEB01

As PowerShell's own completion does: the first word of a command (after `|`, `;`, `{`, `(` or
the start of the line) completes with the cmdlet names, the runspace's aliases and the functions
defined at the prompt; a word
starting with `-` with that command's parameters, common parameters included; the word after
`-VMName`, or `-Name` of a `*-VM` cmdlet (or an alias of them), with the state's VM names, in single quotes when a
name holds a space. Matching ignores case. `ShellCompleter.candidates` is the pure part (tested
directly); `complete` is readline's completer protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

_SEPARATORS = "|;{(}"


def _segment(line: str) -> str:
    """The text of the command being typed: after the last separator outside quotes."""
    quote = ""
    start = 0
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in _SEPARATORS:
            start = i + 1
    return line[start:]


class ShellCompleter:
    """Completions from a runspace's registry and the state's VMs.

    `cmdlets()`: the command names; `parameters(command)`: the parameter names (and aliases) of
    a command, or none for an unknown one; `vm_names()`: the VMs. Each is called at TAB time, so
    a VM made by the last command is offered."""

    def __init__(self, cmdlets: Callable[[], Sequence[str]], parameters: Callable[[str], Sequence[str]],
                 vm_names: Callable[[], Sequence[str]], vm_parameters: Callable[[str], Sequence[str]]) -> None:
        self.cmdlets = cmdlets
        self.parameters = parameters
        self.vm_names = vm_names
        self.vm_parameters = vm_parameters
        self._matches: list[str] = []

    def candidates(self, line: str) -> list[str]:
        """The completions of the last word of `line` (the text up to the cursor)."""
        words = _segment(line).split()
        current = "" if not words or line[-1:].isspace() else words[-1]
        before = words[:-1] if current else words
        if not before:
            return self._starting(current, self.cmdlets())
        command = before[0]
        if current.startswith("-"):
            return ["-" + name for name in self._starting(current[1:], self.parameters(command))]
        previous = before[-1]
        if len(before) > 1 and previous.startswith("-") and \
                previous[1:].casefold() in {p.casefold() for p in self.vm_parameters(command)}:
            typed = current.strip("'\"")
            return [f"'{name}'" if " " in name else name for name in self._starting(typed, self.vm_names())]
        return []

    @staticmethod
    def _starting(prefix: str, names: Sequence[str]) -> list[str]:
        folded = prefix.casefold()
        return sorted({n for n in names if n.casefold().startswith(folded)}, key=str.casefold)

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer: the `state`-th completion of the word `text`."""
        if state == 0:
            import readline

            line = readline.get_line_buffer()[: readline.get_endidx()]
            self._matches = self.candidates(line)
        return self._matches[state] if state < len(self._matches) else None


def for_runspace(rs: Any) -> ShellCompleter:
    """A completer over a psshim runspace: its registry's cmdlets and aliases, and the VMs of
    its SDK client (none when the state cannot be read)."""
    from hyperv_emu.psshim.runtime.registry import with_common_parameters
    from hyperv_emu.sdk.errors import HyperVError

    registry = rs.registry

    def info(command: str) -> Any:
        return registry.find(registry.resolve_alias(command) or command)

    def cmdlets() -> list[str]:
        functions = [f.name for f in rs.interp.global_scope.functions.values()]  # defined at the prompt
        return [i.name for i in registry.all()] + list(registry.aliases) + functions

    def parameters(command: str) -> list[str]:
        found = info(command)
        if found is None:
            return []
        return [name for p in with_common_parameters(found.metadata(registry.types)) for name in (p.name, *p.aliases)
                if len(name) > 2 or name == p.name]

    def vm_parameters(command: str) -> list[str]:
        found = info(command)
        if found is None:
            return []
        # -VMName names a VM everywhere; -Name only on the *-VM cmdlets (on Get-VMSnapshot it
        # names a checkpoint).
        wanted = {"vmname", "name"} if found.noun.casefold() == "vm" else {"vmname"}
        return [name for p in found.metadata(registry.types).parameters if p.name.casefold() in wanted
                for name in (p.name, *p.aliases)]

    def vm_names() -> list[str]:
        try:
            return [vm.name for vm in rs.services.hyperv.get_vms()]
        except (HyperVError, OSError, AttributeError):
            return []

    return ShellCompleter(cmdlets, parameters, vm_names, vm_parameters)


def install(rs: Any) -> None:
    """Turn on TAB completion at the prompt (readline), if readline is there."""
    try:
        import readline
    except ImportError:  # pragma: no cover - readline is absent on some platforms
        return
    completer = for_runspace(rs)
    readline.set_completer(completer.complete)
    readline.set_completer_delims(" \t\n|;{}()")
    readline.parse_and_bind("tab: complete")
