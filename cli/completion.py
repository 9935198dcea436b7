"""Shell completion for `hvemu`, by argcomplete.

    eval "$(hvemu completion bash)"          # in ~/.bashrc
    hvemu completion zsh > ~/.zfunc/_hvemu    (or eval it in ~/.zshrc)
    hvemu completion fish > ~/.config/fish/completions/hvemu.fish

The shell runs `hvemu` with `_ARGCOMPLETE` and `COMP_LINE`/`COMP_POINT` set; `cli.main` then
builds the whole parser and hands it to `complete`, which prints the candidates and ends the
process. argcomplete is imported only then (and by `hvemu completion`), never by a normal run.
Commands, options and `--format` choices come from the parser; VM arguments (`hvemu
checkpoint list <TAB>`) complete with the names of the VMs in the state the command line names
(`--state`, else `$HVEMU_STATE`, else ./.hvemu/state), and nothing when it cannot be read or
is a real host.
"""

from __future__ import annotations

import argparse
from typing import Any

SHELLS = ("bash", "zsh", "fish", "tcsh", "powershell")
REMOTE_SCHEMES = ("powershell:", "winrm:", "psrp:", "https:", "http:")
PROG = "hvemu"


def vm_names(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """argcomplete completer: the names of the state's VMs that start with `prefix` (case
    ignored, as Hyper-V matches names); none when the state cannot be read."""
    from hyperv_emu import sdk
    from hyperv_emu.sdk.errors import HyperVError

    url = getattr(parsed_args, "state", None) or sdk.default_state_url()
    if url.lower().startswith(REMOTE_SCHEMES):
        return []  # a real host: a round trip per TAB is not cheap
    try:
        if not sdk.state_exists(url):
            return []
        client = sdk.connect(url, computer_name=getattr(parsed_args, "computer_name", None))
        names = [vm.name for vm in client.get_vms()]
    except (HyperVError, OSError):
        return []
    return [n for n in names if n.casefold().startswith(prefix.casefold())]


def mark_vm_argument(action: argparse.Action) -> None:
    """Complete this positional argument with VM names (argcomplete reads `completer`)."""
    action.completer = vm_names  # type: ignore[attr-defined]


def complete(parser: argparse.ArgumentParser, **kwargs: Any) -> None:
    """Print the completions the shell asked for (`_ARGCOMPLETE` set) and end the process
    (`exit_method`, `output_stream`: see argcomplete.autocomplete; tests pass their own)."""
    import argcomplete

    argcomplete.autocomplete(parser, **kwargs)


def script(shell: str) -> str:
    """The script that registers `hvemu`'s completion in `shell` (as register-python-argcomplete
    prints it)."""
    import argcomplete

    return argcomplete.shellcode([PROG], shell=shell)


def add_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "completion", help="print the script that turns on tab completion in your shell",
        description="Print the script that turns on hvemu's tab completion in a shell: "
                    "eval \"$(hvemu completion bash)\" in ~/.bashrc (zsh: the same in ~/.zshrc; "
                    "fish: hvemu completion fish > ~/.config/fish/completions/hvemu.fish).")
    p.add_argument("shell", choices=SHELLS, help="the shell")
    p.set_defaults(handler=cmd_completion, leaf_parser=p)


def cmd_completion(args: argparse.Namespace) -> int:
    import sys

    sys.stdout.write(script(args.shell))
    return 0
