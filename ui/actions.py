"""The page's actions (each a POST of a form): one SDK call each, the way Hyper-V Manager's menu
items map to the cmdlets. A refused action comes back as the cmdlet's message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from hyperv_emu.sdk import VM, Checkpoint, CheckpointType, HyperVClient, HyperVError, VMState
from hyperv_emu.ui import texts

CLOCK_STEPS = {"60": "1 minute", "3600": "1 hour", "86400": "1 day"}


@attrs.frozen
class Outcome:
    """What the page shows after an action: a message, a dialog (title, text), an error (title,
    the cmdlet's message), and which checkpoint to select."""

    message: str = ""
    dialog: tuple[str, str] | None = None
    error: tuple[str, str] | None = None
    select: str | None = None


class BadRequest(Exception):
    """A form the page does not send (a missing field, an unknown choice): HTTP 400."""


Form = Mapping[str, str]


def _field(form: Form, name: str) -> str:
    value = form.get(name)
    if value is None:
        raise BadRequest(f"The form has no '{name}' field.")
    return value


def _vm(hv: HyperVClient, form: Form) -> VM:
    return hv.get_vm_by_id(_field(form, "vm"))


def _cp(hv: HyperVClient, form: Form) -> Checkpoint:
    return hv.get_checkpoint(_field(form, "cp"))


def _checkpoint(hv: HyperVClient, vm: VM, warnings: list[str]) -> Outcome:
    cp = hv.checkpoint_vm(vm)
    if warnings:
        return Outcome(dialog=(texts.TITLE, "\n".join(warnings)), select=cp.id)
    if vm.checkpoint_type in (CheckpointType.Production, CheckpointType.ProductionOnly):
        if cp.state is VMState.Saved:  # the guest could not make a production checkpoint: a standard one
            # the host's event says why (the emulator logs one; a real host's event log is not read)
            try:
                events = [e for e in hv.events() if e.vm_id == vm.id and e.level == "Warning"]
            except HyperVError:
                events = []
            text = events[-1].message if events else texts.FALLBACK.text
            return Outcome(dialog=(texts.FALLBACK.title, text), select=cp.id)
        return Outcome(dialog=(texts.PRODUCTION_CREATED.title, texts.PRODUCTION_CREATED.text), select=cp.id)
    return Outcome(message=f"Checkpoint '{cp.name}' created.", select=cp.id)


def _apply(hv: HyperVClient, form: Form, warnings: list[str]) -> Outcome:
    cp = _cp(hv, form)
    choice = _field(form, "choice")
    if choice not in ("create", "apply"):
        raise BadRequest(f"'{choice}' is not a choice of the Apply dialog.")
    message = ""
    if choice == "create":
        made = hv.checkpoint_vm(hv.get_vm_by_id(cp.vm_id))
        message = f"Checkpoint '{made.name}' created. "
    hv.restore_checkpoint(cp)
    text = message + f"Checkpoint '{cp.name}' applied."
    return Outcome(message=text, dialog=(texts.TITLE, "\n".join(warnings)) if warnings else None, select=cp.id)


def _rename(hv: HyperVClient, form: Form) -> Outcome:
    cp = hv.rename_checkpoint(_cp(hv, form), _field(form, "new_name"))
    return Outcome(message=f"Checkpoint renamed to '{cp.name}'.", select=cp.id)


def _delete(hv: HyperVClient, form: Form, subtree: bool) -> Outcome:
    cp = _cp(hv, form)
    hv.remove_checkpoint(cp, include_children=subtree)
    what = "and its subtree " if subtree else ""
    return Outcome(message=f"Checkpoint '{cp.name}' {what}deleted.")


def _export(hv: HyperVClient, form: Form) -> Outcome:
    cp = _cp(hv, form)
    path = _field(form, "path").strip()
    folder = hv.export_checkpoint(cp, path)
    return Outcome(message=f"Checkpoint '{cp.name}' exported to {folder}.", select=cp.id)


def _clock(hv: HyperVClient, form: Form) -> Outcome:
    seconds = _field(form, "seconds")
    if seconds not in CLOCK_STEPS:
        raise BadRequest(f"'{seconds}' is not one of the clock's steps.")
    if not hv.clock_is_virtual:
        raise BadRequest("The host's clock is real; only a virtual clock can be advanced.")
    hv.sleep(int(seconds))
    return Outcome(message=f"Clock advanced by {CLOCK_STEPS[seconds]}.")


_VM_CALLS: dict[str, Callable[[HyperVClient, VM], object]] = {
    "start": lambda hv, vm: hv.start_vm(vm),
    "turn-off": lambda hv, vm: hv.stop_vm(vm, turn_off=True),
    "shut-down": lambda hv, vm: hv.stop_vm(vm),
    "save": lambda hv, vm: hv.save_vm(vm),
    "pause": lambda hv, vm: hv.suspend_vm(vm),
    "resume": lambda hv, vm: hv.resume_vm(vm),
}

ACTIONS = (*_VM_CALLS, "checkpoint", "apply", "rename", "delete", "delete-subtree", "export", "clock")


def perform(hv: HyperVClient, action: str, form: Form) -> Outcome:
    """Do `action` with the form's fields. An SDK error becomes the Outcome's error (its
    message is the cmdlet's); a malformed form raises BadRequest."""
    warnings: list[str] = []
    hv = hv.with_warnings(warnings.append)
    try:
        if action in _VM_CALLS:
            _VM_CALLS[action](hv, _vm(hv, form))
            return Outcome(message="", dialog=(texts.TITLE, "\n".join(warnings)) if warnings else None)
        if action == "checkpoint":
            return _checkpoint(hv, _vm(hv, form), warnings)
        if action == "apply":
            return _apply(hv, form, warnings)
        if action == "rename":
            return _rename(hv, form)
        if action in ("delete", "delete-subtree"):
            return _delete(hv, form, action == "delete-subtree")
        if action == "export":
            return _export(hv, form)
        if action == "clock":
            return _clock(hv, form)
    except HyperVError as exc:
        title = texts.ERROR_TITLE.format(action=texts.ACTION_WORDS.get(action, action))
        return Outcome(error=(title, exc.message), select=form.get("cp"))
    raise BadRequest(f"'{action}' is not an action of this page.")
