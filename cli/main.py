# PYTHON_ARGCOMPLETE_OK  (argcomplete: this console script completes itself; see cli/completion.py)
"""`hvemu`: the command line over the SDK (docs/cli.md).

    hvemu init --world fleet.toml [--state URL] [--force]
    hvemu vm list|start|stop|save|turn-off|suspend|resume ...
    hvemu checkpoint create|list|restore|remove|rename ...
    hvemu tree VM [--format text|mermaid]
    hvemu path 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx'
    hvemu world export [--output FILE]
    hvemu events
    hvemu clock [--advance DURATION]
    hvemu tasks list | history TASK
    hvemu guest write|read VM --disk N --offset O (--file F | --length L [--output F])
    hvemu guest memory write|read VM --offset O (--file F | --length L [--output F])
    hvemu completion bash|zsh|fish          hvemu --version

The top of the flow: it may import every package and nothing imports it. One subcommand group
per noun (`_add_vm_commands`, `_add_checkpoint_commands`, ...); each leaf sets `handler`, a
function `(args) -> exit code`. Every leaf takes `--state URL` and `--computer-name HOST`
(`_common_options`). This module imports only argparse and `cli.common` (what it shares with
`cli.run`) at load time: the SDK (and the emulator behind it) is imported inside the handlers,
so `hvemu --help` starts fast.

Output: tables and text on stdout; a cmdlet's warnings as `WARNING: ...` lines on stdout (as
PowerShell's console host prints them); each error as one line `hvemu: error: <message>` on
stderr. On a colour terminal errors and warnings take the console host's colours and the tree
its own (cli/colour.py); long operations draw a bar on a terminal's stderr (cli/progress.py).
A usage error suggests the command or option meant (cli/suggest.py). Exit codes: 0 success, 1 an
error (an SDK exception, a file that cannot be read), 2 a usage error (argparse), 70 an
unexpected internal error (its traceback only with HVEMU_DEBUG=1), 130 interrupted.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from hyperv_emu.cli.common import (
    DEBUG_ENV,
    EXIT_ERROR,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    CLIError,
    Handler,
    _emulator_url,
    _group,
    _leaf,
    _out,
    _state_url,
    format_datetime,
    format_table,
)
from hyperv_emu.cli.guest import byte_count as byte_count  # re-exported for argparse users
from hyperv_emu.cli.guest import read_chunks, write_bytes
from hyperv_emu.cli.suggest import SuggestingParser

if TYPE_CHECKING:
    from hyperv_emu.sdk.client import HyperVClient
    from hyperv_emu.sdk.types import VM, Checkpoint


# --- output -------------------------------------------------------------------------------------


def _warn(message: str) -> None:
    """A cmdlet's warning, as PowerShell's console host prints it (on stdout; in its warning
    colours on a colour terminal)."""
    from hyperv_emu.cli import colour

    _out(colour.painter(sys.stdout, colour.WARNING)(f"WARNING: {message}"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _error(message: str) -> None:
    from hyperv_emu.cli import colour

    sys.stdout.flush()
    sys.stderr.write(colour.painter(sys.stderr, colour.ERROR)(f"{PROG}: error: {_one_line(message)}") + "\n")
    sys.stderr.flush()


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    if rows:
        _out(format_table(headers, rows))


# --- connecting ---------------------------------------------------------------------------------


def _computer(args: argparse.Namespace) -> str | None:
    name: str | None = getattr(args, "computer_name", None)
    return name


def _client(args: argparse.Namespace, progress: Callable[[str, int, int], None] | None = None) -> HyperVClient:
    """A client for `--state` / `--computer-name` whose warnings print as `WARNING:` lines
    (`progress`: see sdk.connect)."""
    from hyperv_emu import sdk

    return sdk.connect(_state_url(args), computer_name=_computer(args), progress=progress).with_warnings(_warn)


def _settings(hv: HyperVClient) -> tuple[str, str]:
    """The state's culture and PowerShell edition (en-US and 5.1 when the backend has none)."""
    settings = hv.settings()
    return str(settings.get("culture") or "en-US"), str(settings.get("edition") or "5.1")


def _lookup_vms(hv: HyperVClient, names: Sequence[str]) -> tuple[list[VM], list[str]]:
    """The VMs the names or patterns match (host order) and one error per plain name that
    matched nothing, as Get-VM reports it."""
    found = hv.lookup_vms(list(names))
    errors = [f'Hyper-V was unable to find a virtual machine with name "{m}".' for m in found.missing]
    return list(found.found), errors


def _report(errors: Sequence[str]) -> int:
    for message in errors:
        _error(message)
    return EXIT_ERROR if errors else EXIT_OK


# --- init, world ----------------------------------------------------------------------------------


def _read_stdin_text(what: str) -> str:
    """Standard input as UTF-8 text (a byte-order mark is dropped)."""
    try:
        return sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CLIError(f"{what} on standard input is not UTF-8 text (byte {exc.start}).") from None


def cmd_init(args: argparse.Namespace) -> int:
    from hyperv_emu import sdk
    from hyperv_emu.cli.progress import FileOpsBar

    # A file is read by the SDK, which words a missing one as every entry point does.
    text = _read_stdin_text("The world file") if args.world == "-" else sdk.read_world_file(args.world)
    url = _emulator_url(args)
    source = "<stdin>" if args.world == "-" else args.world
    bar = FileOpsBar("Creating disk files")
    try:
        hv = sdk.load_world(url, text, source=source, force=args.force, progress=bar)
    finally:
        bar.close()
    vms = hv.get_vms()
    checkpoints = hv.get_checkpoints(vms) if vms else []
    _out(f"Created the hvemu state at {url} from {source}: "
         f"{len(vms)} VM{'s' if len(vms) != 1 else ''}, "
         f"{len(checkpoints)} checkpoint{'s' if len(checkpoints) != 1 else ''}.")
    return EXIT_OK


def cmd_world_export(args: argparse.Namespace) -> int:
    from hyperv_emu import sdk

    text = sdk.export_world(_emulator_url(args))
    if args.output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return EXIT_OK
    try:
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except OSError as exc:
        raise CLIError(f"cannot write '{args.output}': {exc.strerror or exc}") from None
    return EXIT_OK


# --- vm -------------------------------------------------------------------------------------------

VM_HEADERS = ("Name", "State", "Status", "CheckpointType", "ParentCheckpointName")


def _vm_row(vm: VM) -> list[str]:
    return [vm.name, str(vm.state), vm.status, str(vm.checkpoint_type), vm.parent_snapshot_name or ""]


def cmd_vm_list(args: argparse.Namespace) -> int:
    hv = _client(args)
    names = [*args.names, *(args.name or [])]
    if names:
        vms, errors = _lookup_vms(hv, names)
    else:
        vms, errors = hv.get_vms(), []
    _print_table(VM_HEADERS, [_vm_row(vm) for vm in vms])
    return _report(errors)


def _vm_action(action: Callable[[HyperVClient, VM, argparse.Namespace], VM]) -> Handler:
    """A handler that runs `action` on each named VM, as Start-VM -Name A,B does: a name that
    matches nothing, or a VM the action fails on, is an error; the others still run."""

    def handler(args: argparse.Namespace) -> int:
        from hyperv_emu.sdk.errors import HyperVError

        hv = _client(args)
        vms, errors = _lookup_vms(hv, args.names)
        done: list[VM] = []
        for vm in vms:
            try:
                done.append(action(hv, vm, args))
            except HyperVError as exc:
                errors.append(f"{vm.name}: {exc.message}")
        if args.passthru:
            _print_table(VM_HEADERS, [_vm_row(vm) for vm in done])
        return _report(errors)

    return handler


cmd_vm_start = _vm_action(lambda hv, vm, args: hv.start_vm(vm))
cmd_vm_stop = _vm_action(lambda hv, vm, args: hv.stop_vm(vm, force=args.force))
cmd_vm_save = _vm_action(lambda hv, vm, args: hv.stop_vm(vm, save=True))
cmd_vm_turn_off = _vm_action(lambda hv, vm, args: hv.stop_vm(vm, turn_off=True))
cmd_vm_suspend = _vm_action(lambda hv, vm, args: hv.suspend_vm(vm))
cmd_vm_resume = _vm_action(lambda hv, vm, args: hv.resume_vm(vm))


# --- checkpoint -----------------------------------------------------------------------------------

CHECKPOINT_HEADERS = ("VMName", "Name", "SnapshotType", "CreationTime", "ParentSnapshotName")


def _checkpoint_rows(hv: HyperVClient, checkpoints: Sequence[Checkpoint]) -> list[list[str]]:
    culture, edition = _settings(hv) if checkpoints else ("en-US", "5.1")
    return [[c.vm_name, c.name, str(c.snapshot_type), format_datetime(c.creation_time, culture, edition),
             c.parent_snapshot_name or ""] for c in checkpoints]


def cmd_checkpoint_create(args: argparse.Namespace) -> int:
    from hyperv_emu.sdk.errors import HyperVError

    hv = _client(args)
    vms, errors = _lookup_vms(hv, args.vms)
    created: list[Checkpoint] = []
    for vm in vms:
        try:
            created.append(hv.checkpoint_vm(vm, args.name))
        except HyperVError as exc:
            errors.append(f"{vm.name}: {exc.message}")
    if args.passthru:
        _print_table(CHECKPOINT_HEADERS, _checkpoint_rows(hv, created))
    return _report(errors)


def cmd_checkpoint_list(args: argparse.Namespace) -> int:
    hv = _client(args)
    if args.vms:
        vms, errors = _lookup_vms(hv, args.vms)
        checkpoints = hv.get_checkpoints(vms, name=args.name) if vms else []
    else:
        errors = []
        checkpoints = hv.get_checkpoints(None, name=args.name)
    _print_table(CHECKPOINT_HEADERS, _checkpoint_rows(hv, checkpoints))
    return _report(errors)


def cmd_checkpoint_restore(args: argparse.Namespace) -> int:
    hv = _client(args)
    restored = hv.restore_checkpoint_by_name(hv.vm(args.vm), args.name)
    if args.passthru:
        _print_table(CHECKPOINT_HEADERS, _checkpoint_rows(hv, [restored]))
    return EXIT_OK


def cmd_checkpoint_remove(args: argparse.Namespace) -> int:
    hv = _client(args)
    removed = hv.remove_checkpoints(hv.vm(args.vm), name=args.name,
                                    include_children=args.include_all_child_snapshots)
    if args.passthru:
        _print_table(CHECKPOINT_HEADERS, _checkpoint_rows(hv, removed))
    return EXIT_OK


def cmd_checkpoint_rename(args: argparse.Namespace) -> int:
    hv = _client(args)
    renamed = hv.rename_checkpoint_by_name(hv.vm(args.vm), args.name, args.new_name)
    if args.passthru:
        _print_table(CHECKPOINT_HEADERS, _checkpoint_rows(hv, [renamed]))
    return EXIT_OK


# --- tree, path, events, clock --------------------------------------------------------------------


def _original_disks(hv: HyperVClient, vm: VM) -> list[str]:
    """The file names at the bottom of each of the VM's disk chains (`SRV-APP01.vhdx`)."""
    from hyperv_emu.sdk.errors import HyperVError

    names = []
    for drive in vm.hard_drives:
        path = drive.path
        try:
            parent = hv.get_vhd(path).parent_path
            while parent:
                path = parent
                parent = hv.get_vhd(path).parent_path
        except HyperVError:
            pass  # a missing or unreadable file: name the last path reached
        names.append(path.replace("/", "\\").rsplit("\\", 1)[-1])
    return names


def cmd_tree(args: argparse.Namespace) -> int:
    from hyperv_emu.cli.tree import TreeNode, labels_for_culture, render_mermaid, render_text

    hv = _client(args)
    vm = hv.vm(args.vm)
    nodes = [TreeNode(c.id, c.name, c.parent_snapshot_id) for c in hv.get_checkpoints(vm)]
    if args.format == "mermaid":
        culture, _ = _settings(hv)
        _out(render_mermaid(nodes, vm.parent_snapshot_id, _original_disks(hv, vm), labels_for_culture(culture)))
    else:
        from hyperv_emu.cli import colour

        style = colour.tree_style if colour.wanted(sys.stdout) else (lambda kind, text: text)
        _out(render_text(vm.name, nodes, vm.parent_snapshot_id, style))
    return EXIT_OK


def cmd_path(args: argparse.Namespace) -> int:
    hv = _client(args)
    storage_path: Callable[[str | None, str], str] | None = getattr(hv.backend, "storage_path", None)
    if storage_path is None:
        raise CLIError(f"'{_state_url(args)}' is not an emulator state: its files have no path here.")
    _out(storage_path(hv.computer_name, args.path))
    return EXIT_OK


EVENT_HEADERS = ("TimeCreated", "Level", "Id", "VMName", "Message")


def cmd_events(args: argparse.Namespace) -> int:
    hv = _client(args)
    events = hv.events()
    culture, edition = _settings(hv) if events else ("en-US", "5.1")
    _print_table(EVENT_HEADERS, [[format_datetime(e.time_created, culture, edition), e.level, str(e.id),
                                  e.vm_name, e.message] for e in events])
    return EXIT_OK


def cmd_clock(args: argparse.Namespace) -> int:
    from hyperv_emu.cli.progress import FileOpsBar

    bar = FileOpsBar("Merging disks")
    try:
        return _clock(args, _client(args, bar))
    finally:
        bar.close()


def _clock(args: argparse.Namespace, hv: HyperVClient) -> int:
    if args.advance is not None:
        if args.advance < 0:
            raise CLIError("--advance takes a number of seconds that is 0 or more.")
        if not hv.clock_is_virtual:
            raise CLIError("the state's clock is real (clock = \"real\"); only a virtual clock can be advanced.")
        from hyperv_emu.psshim.tasks import attach

        attach(hv, os.environ)  # scheduled tasks due on the way run their scripts
        hv.sleep(args.advance)
    _out(hv.now().isoformat())
    return EXIT_OK


# --- guest ----------------------------------------------------------------------------------------


def _write_guest(args: argparse.Namespace,
                 target: Callable[[HyperVClient], tuple[str, Callable[[int, bytes], None]]]) -> int:
    """Stream `--file` into the guest in chunks (cli.guest.read_chunks; the file is opened
    before the state is), with a bar on a terminal. `target(hv)` gives a label and a writer."""
    from hyperv_emu.cli import progress

    with read_chunks(args.file, "The data file") as (size, chunks):
        what, write = target(_client(args))
        with progress.bar(size, f"Writing {what}") as shown:
            for offset, data in chunks:
                write(args.offset + offset, data)
                shown.update(len(data))
    return EXIT_OK


def cmd_guest_write(args: argparse.Namespace) -> int:
    def target(hv: HyperVClient) -> tuple[str, Callable[[int, bytes], None]]:
        vm = hv.vm(args.vm)
        return f"{vm.name} disk {args.disk}", lambda offset, data: hv.write_guest_disk(vm, args.disk, offset, data)

    return _write_guest(args, target)


def cmd_guest_read(args: argparse.Namespace) -> int:
    hv = _client(args)
    write_bytes(args.output, hv.read_guest_disk(hv.vm(args.vm), args.disk, args.offset, args.length))
    return EXIT_OK


def cmd_guest_memory_write(args: argparse.Namespace) -> int:
    def target(hv: HyperVClient) -> tuple[str, Callable[[int, bytes], None]]:
        vm = hv.vm(args.vm)
        return f"{vm.name} memory", lambda offset, data: hv.set_guest_memory(vm, offset, data)

    return _write_guest(args, target)


def cmd_guest_memory_read(args: argparse.Namespace) -> int:
    hv = _client(args)
    write_bytes(args.output, hv.read_guest_memory(hv.vm(args.vm), args.offset, args.length))
    return EXIT_OK


# --- the parser -----------------------------------------------------------------------------------


def _common_options() -> argparse.ArgumentParser:
    """`--state` and `--computer-name`, accepted before or after the subcommand. SUPPRESS as
    the default keeps a value given before the subcommand from being reset by the leaf."""
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("common options")
    group.add_argument("--state", metavar="URL", default=argparse.SUPPRESS,
                       help="the emulator state (default: $HVEMU_STATE, else ./.hvemu/state)")
    group.add_argument("--computer-name", metavar="HOST", default=argparse.SUPPRESS,
                       help="the host (-ComputerName; default: the state's default host)")
    return common


def _passthru(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--passthru", action="store_true", help=f"print the {what} afterwards (-Passthru)")


def _add_init_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _leaf(sub, "init", common, cmd_init, "create a state from a world file")
    p.add_argument("--world", required=True, metavar="FILE", help="the world file (TOML, UTF-8; - for standard input)")
    p.add_argument("--force", action="store_true", help="replace a state that already exists")


def _add_vm_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    vm = _group(sub, "vm", "list VMs, change their state")
    p = _leaf(vm, "list", common, cmd_vm_list, "list VMs (Get-VM)")
    _vm_argument(p.add_argument("names", nargs="*", metavar="NAME", help="VM names or wildcard patterns"))
    _vm_argument(p.add_argument("--name", "--vm-name", nargs="+", action="extend", metavar="PATTERN",
                                help="VM names or wildcard patterns (-Name)"))
    actions: list[tuple[str, Handler, str, bool]] = [
        ("start", cmd_vm_start, "start VMs (Start-VM)", False),
        ("stop", cmd_vm_stop, "shut VMs down (Stop-VM)", True),
        ("save", cmd_vm_save, "save VMs (Stop-VM -Save)", False),
        ("turn-off", cmd_vm_turn_off, "turn VMs off (Stop-VM -TurnOff)", False),
        ("suspend", cmd_vm_suspend, "pause VMs (Suspend-VM)", False),
        ("resume", cmd_vm_resume, "resume paused VMs (Resume-VM)", False),
    ]
    for name, handler, help_text, has_force in actions:
        p = _leaf(vm, name, common, handler, help_text)
        _vm_argument(p.add_argument("names", nargs="+", metavar="NAME", help="VM names or wildcard patterns"))
        if has_force:
            p.add_argument("--force", action="store_true",
                           help="turn off a VM whose guest cannot shut down (paused, saved) (-Force)")
        _passthru(p, "VMs")


def _add_checkpoint_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    cp = _group(sub, "checkpoint", "create, list, restore, remove and rename checkpoints")

    p = _leaf(cp, "create", common, cmd_checkpoint_create, "create a checkpoint (Checkpoint-VM)")
    _vm_argument(p.add_argument("vms", nargs="+", metavar="VM", help="VM names or wildcard patterns"))
    p.add_argument("--name", "--snapshot-name", "--checkpoint-name", dest="name", metavar="NAME",
                   help="the checkpoint's name (default: Hyper-V's '<VM> - (<date> - <time>)')")
    _passthru(p, "checkpoints")

    p = _leaf(cp, "list", common, cmd_checkpoint_list, "list checkpoints (Get-VMSnapshot)")
    _vm_argument(p.add_argument("vms", nargs="*", metavar="VM",
                                help="VM names or wildcard patterns (default: every VM)"))
    p.add_argument("--name", metavar="PATTERN", help="a checkpoint name or wildcard pattern")

    p = _leaf(cp, "restore", common, cmd_checkpoint_restore,
              "apply a checkpoint (Restore-VMSnapshot); the name must match exactly one")
    _vm_argument(p.add_argument("vm", metavar="VM"))
    p.add_argument("--name", required=True, metavar="NAME", help="the checkpoint (a name or pattern)")
    _passthru(p, "checkpoint")

    p = _leaf(cp, "remove", common, cmd_checkpoint_remove,
              "delete checkpoints (Remove-VMSnapshot); without --name, every checkpoint of the VM")
    _vm_argument(p.add_argument("vm", metavar="VM"))
    p.add_argument("--name", metavar="PATTERN", help="the checkpoints to delete (a name or pattern)")
    p.add_argument("--include-all-child-snapshots", action="store_true",
                   help="delete their child checkpoints too (-IncludeAllChildSnapshots)")
    _passthru(p, "deleted checkpoints")

    p = _leaf(cp, "rename", common, cmd_checkpoint_rename, "rename a checkpoint (Rename-VMSnapshot)")
    _vm_argument(p.add_argument("vm", metavar="VM"))
    p.add_argument("--name", required=True, metavar="NAME", help="the checkpoint (a name or pattern; one match)")
    p.add_argument("--new-name", required=True, metavar="NEW_NAME", help="its new name (-NewName)")
    _passthru(p, "checkpoint")


def _add_tree_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _leaf(sub, "tree", common, cmd_tree, "a VM's checkpoint tree, as Hyper-V Manager shows it")
    _vm_argument(p.add_argument("vm", metavar="VM"))
    p.add_argument("--format", choices=("text", "mermaid"), default="text",
                   help="text (default) or a mermaid flowchart")


def _add_path_command(sub: Any, common: argparse.ArgumentParser) -> None:
    p = _leaf(sub, "path", common, cmd_path, "the real file behind a host path (D:\\...)")
    p.add_argument("path", metavar="HOST_PATH", help="an absolute Windows path on the host")


def _add_world_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    world = _group(sub, "world", "world files")
    p = _leaf(world, "export", common, cmd_world_export, "write the state as a world file")
    p.add_argument("--output", "-o", metavar="FILE", help="the file to write (default: stdout)")


def _add_host_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    _leaf(sub, "events", common, cmd_events, "the host's Hyper-V event log")
    p = _leaf(sub, "clock", common, cmd_clock, "show the emulator's clock, or move a virtual clock on")
    from hyperv_emu.cli.tasks import duration

    p.add_argument("--advance", type=duration, metavar="DURATION",
                   help="move the virtual clock on by seconds, or 15m, 3h, 14d (the merges, timeline events "
                        "and scheduled tasks that come due happen on the way)")


def _add_tasks_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    from hyperv_emu.cli import tasks

    tasks.register(sub, common)


def _add_run_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """`hvemu run` and `hvemu shell`, which `cli.run` defines (imported only when they are
    built: the other commands do without it)."""
    from hyperv_emu.cli import run

    run.register(sub, common)


def _add_guest_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    guest = _group(sub, "guest", "what the guest sees: the bytes of a VM's disks and memory (emulator only)")

    def target(p: argparse.ArgumentParser, disk: bool) -> None:
        _vm_argument(p.add_argument("vm", metavar="VM", help="the VM's name"))
        if disk:
            p.add_argument("--disk", type=int, default=0, metavar="N",
                           help="the VM's hard drive, 0 first, in Get-VMHardDiskDrive's order (default 0)")
        p.add_argument("--offset", type=byte_count, default=0, metavar="O",
                       help="the byte offset (4096, 0x1000, 2MB; default 0)")

    def writer(p: argparse.ArgumentParser) -> None:
        p.add_argument("--file", required=True, metavar="F", help="the bytes to write (- for standard input)")

    def reader(p: argparse.ArgumentParser) -> None:
        p.add_argument("--length", type=byte_count, required=True, metavar="L", help="how many bytes to read")
        p.add_argument("--output", "-o", metavar="F", help="the file to write them to (default: standard output)")

    p = _leaf(guest, "write", common, cmd_guest_write,
              "write bytes into a VM's virtual disk, through its chain (its newest file takes them)")
    target(p, True)
    writer(p)
    p = _leaf(guest, "read", common, cmd_guest_read, "read bytes of a VM's virtual disk, through its chain")
    target(p, True)
    reader(p)

    memory = _group(guest, "memory", "the memory of a running VM (kept by standard checkpoints and Stop-VM -Save)")
    p = _leaf(memory, "write", common, cmd_guest_memory_write, "set bytes of a running VM's memory")
    target(p, False)
    writer(p)
    p = _leaf(memory, "read", common, cmd_guest_memory_read, "read bytes of a running, paused or saved VM's memory")
    target(p, False)
    reader(p)


def _add_completion_command(sub: Any, common: argparse.ArgumentParser) -> None:
    from hyperv_emu.cli.completion import add_command

    add_command(sub, common)


def _version() -> str:
    from hyperv_emu import __version__

    return __version__


def _vm_argument(action: argparse.Action) -> None:
    """Tab completion offers the state's VM names for this argument (cli/completion.py)."""
    from hyperv_emu.cli.completion import mark_vm_argument

    mark_vm_argument(action)


# The command groups, in the order `hvemu --help` lists them, by the command names they add.
def _add_state_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    from hyperv_emu.cli import state

    state.register(sub, common)


def _add_server_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    from hyperv_emu.server import powershell_exe, serve

    serve.register(sub, common)
    powershell_exe.register(sub, common)


def _add_ui_command(sub: Any, common: argparse.ArgumentParser) -> None:
    from hyperv_emu.ui import command

    command.register(sub, common)


_GROUPS: dict[str, Callable[[Any, argparse.ArgumentParser], None]] = {
    "init": _add_init_command, "vm": _add_vm_commands, "checkpoint": _add_checkpoint_commands,
    "tree": _add_tree_command, "path": _add_path_command, "world": _add_world_commands,
    "events": _add_host_commands, "clock": _add_host_commands, "tasks": _add_tasks_commands,
    "guest": _add_guest_commands,
    "run": _add_run_commands, "shell": _add_run_commands, "completion": _add_completion_command,
    "state": _add_state_commands, "serve": _add_server_commands, "install-shim": _add_server_commands,
    "ui": _add_ui_command,
}


class _OneGroupParseFailed(Exception):
    """Parsing with one command group built failed: parse again with all of them, so that the
    usage error names every command as usual."""


class _OneGroupParser(SuggestingParser):
    def error(self, message: str) -> NoReturn:
        raise _OneGroupParseFailed(message)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (`command`) only the group that adds that command: argparse
    takes a millisecond per subcommand to build, and a cold `hvemu run` needs one."""
    common = _common_options()
    parser = (SuggestingParser if command is None else _OneGroupParser)(
        prog=PROG, parents=[common],
        description="Drive the hyperv-emu Hyper-V emulator: states, VMs, checkpoints.",
        epilog="The state: --state URL, else $HVEMU_STATE, else ./.hvemu/state. See docs/cli.md.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    groups = dict.fromkeys(_GROUPS.values()) if command is None else [_GROUPS[command]]
    for add in groups:
        add(sub, common)
    return parser


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of `argv` (the first word that is not an option or an option's value),
    if it is one of ours."""
    words = iter(argv)
    for word in words:
        if word in ("--state", "--computer-name"):
            next(words, None)
        elif not word.startswith("-"):
            return word if word in _GROUPS else None
    return None


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """Parse with the command's group only; on any failure, again with every group (which
    reports the error). Raises SystemExit for --help and usage errors, as argparse does."""
    command = _command_of(sys.argv[1:] if argv is None else argv)
    if command is not None:
        parser = build_parser(command)
        try:
            args, extras = parser.parse_known_args(argv)
            if not extras:
                return args
        except _OneGroupParseFailed:
            pass
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:  # reported by the subcommand they were given to, with its usage line
        leaf: argparse.ArgumentParser = getattr(args, "leaf_parser", parser)
        leaf.error(f"unrecognized arguments: {' '.join(extras)}")
    return args


# --- main -----------------------------------------------------------------------------------------


def _utf8_safe_streams() -> None:
    """Box-drawing characters and names in any language must not crash a console whose
    encoding cannot show them: unencodable characters print as `?` instead."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if encoding != "utf8" and reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> int:
    """The `hvemu` console script: run one command, return its exit code.

    `argv` None means the process is ours (the console script); tests pass a list."""
    # Start-up builds tens of thousands of long-lived objects (imported modules, classes, tables)
    # and no garbage cycles: collecting during it is wasted work (~10% of a cold `hvemu run`).
    gc.disable()
    try:
        return _main(argv)
    finally:
        gc.enable()


def _exit_process(code: int) -> NoReturn:
    """End the process now: a handler whose process holds nothing that must be torn down (a
    throwaway in-memory state) sets `args.exit_process`, and the interpreter's clean-up, which
    frees every object one by one, is skipped (a tenth of a cold `hvemu run`)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _main(argv: list[str] | None) -> int:
    _utf8_safe_streams()
    if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (cli/completion.py)
        from hyperv_emu.cli.completion import complete

        complete(build_parser())
    try:
        args = _parse(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    handler: Handler = args.handler
    args.owns_process = argv is None
    try:
        code = handler(args)
        if getattr(args, "exit_process", False):
            _exit_process(code)
        return code
    except CLIError as exc:
        _error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _error("interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`hvemu events | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        from hyperv_emu.sdk.errors import HyperVError

        if isinstance(exc, HyperVError):
            _error(exc.message)
            return EXIT_ERROR
        if os.environ.get(DEBUG_ENV):
            import traceback

            traceback.print_exc()
        _error(f"internal error: {type(exc).__name__}: {exc} "
               f"(set {DEBUG_ENV}=1 to see the traceback, and please report it)")
        return EXIT_INTERNAL


if __name__ == "__main__":  # `python -m hyperv_emu.cli.main ...` works as `python -m hyperv_emu.cli ...`
    sys.exit(main())
