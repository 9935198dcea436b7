"""The rule for a VM's name, shared by New-VM and Rename-VM (host.py) and world files (world.py).

New-VM's `-Name` is `[ValidateNotNullOrEmpty()]`; Hyper-V refuses a name longer than 100
characters, one that is not Unicode text, and the characters Windows file names cannot hold
(the name becomes part of the VM's folder)."""

from __future__ import annotations

import json

from hyperv_emu.emulator.errors import VMNameInvalid

MAX_VM_NAME = 100


def check_vm_name(name: str) -> None:
    if name is None or name == "":  # New-VM's [ValidateNotNullOrEmpty()] on -Name
        err = VMNameInvalid("Cannot validate argument on parameter 'Name'. The argument is null or empty. Provide an "
                            "argument that is not null or empty, and then try the command again.")
        err.error_id, err.category = "ParameterArgumentValidationError", "InvalidData"
        raise err
    if not isinstance(name, str) or not name.strip():
        raise VMNameInvalid("The virtual machine name cannot be empty.")
    if len(name) > MAX_VM_NAME:
        raise VMNameInvalid(f"The virtual machine name '{name[:20]}...' is longer than 100 characters.", target=name[:100])
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise VMNameInvalid(f"The virtual machine name {json.dumps(name)[:120]} is not valid Unicode text.") from None
    if any(ord(ch) < 32 for ch in name) or any(ch in name for ch in '\\/:*?"<>|'):
        raise VMNameInvalid(f"The virtual machine name {json.dumps(name)[:120]} contains characters that are not allowed.")
