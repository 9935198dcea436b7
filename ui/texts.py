"""Hyper-V Manager's words, in one place, each with where it comes from.

Sources:
- [G] Microsoft's user guide "Using checkpoints" (MicrosoftDocs/Virtualization-Documentation,
  virtualization/hyper-v-on-windows/user-guide/checkpoints.md) and the user's guides (seeds 002,
  003, 004): the menu items, the Apply dialog's three buttons and what they do, the rename rule
  (100 characters, not blank), "Delete Checkpoint Subtree", the "Production Checkpoint Created"
  window with its OK button, the Checkpoints pane and its "Now" marker.
- [C] the cmdlets: every error is the SDK exception's message, i.e. what the cmdlets print.
- [I] inferred: Hyper-V Manager's exact sentence is not in any source we have; the text says the
  same thing in Hyper-V Manager's style. docs/ui.md lists these.
"""

from __future__ import annotations

from typing import NamedTuple

TITLE = "Hyper-V Manager"
NOW = "Now"  # [G] the marker under the checkpoint the VM's current state hangs from
CHECKPOINTS = "Checkpoints"  # [G] the pane's title
VIRTUAL_MACHINES = "Virtual Machines"  # [G]

# The virtual machines list's columns [G] (Get-VM's table view has the same ones).
VM_COLUMNS = ("Name", "State", "CPU Usage", "Assigned Memory", "Uptime", "Status")

NAME_LIMIT = 100  # [G] "Names are limited to 100 characters, and the name cannot be blank."


class Dialog(NamedTuple):
    """A confirmation: title, question, the confirming button(s), and a note."""

    title: str
    text: str
    note: str = ""


# [G] the buttons and their meaning; [I] the title and the question's wording.
APPLY = Dialog(
    "Apply Checkpoint",
    "Are you sure you want to apply the selected checkpoint? Your current virtual machine state will be lost.",
    "Create Checkpoint and Apply: creates a new checkpoint of the virtual machine before it applies the "
    "earlier checkpoint. Apply: applies only the checkpoint that you have chosen; you cannot undo this action.",
)
APPLY_CREATE = "Create Checkpoint and Apply"  # [G]
# [G] Mastering Hyper-V: "If you perform a Revert action on a virtual machine, you will be prompted
# to create a new checkpoint of the current state"; Revert applies the checkpoint the VM hangs
# from. [I] the title and the question.
REVERT = Dialog(
    "Revert Virtual Machine",
    "Are you sure you want to revert the virtual machine to its last checkpoint? Your current virtual machine "
    "state will be lost.",
    APPLY.note,
)
APPLY_ONLY = "Apply"  # [G]
CANCEL = "Cancel"  # [G]

# [G] "Confirm that it is the correct checkpoint, and then click Delete"; [I] the sentences.
DELETE = Dialog(
    "Delete Selected Checkpoint",
    "Are you sure you want to delete the selected checkpoint?",
    "Deleting the checkpoint merges its differencing disk into the next disk of the chain.",
)
DELETE_SUBTREE = Dialog(
    "Delete Checkpoint Subtree",
    "Are you sure you want to delete the selected checkpoint and all of its subsequent checkpoints?",
    "Deleting the checkpoints merges their differencing disks into the next disk of the chain.",
)
DELETE_BUTTON = "Delete"  # [G]

# [G] the window's title and its OK button; [I] the sentence.
PRODUCTION_CREATED = Dialog(
    "Production Checkpoint Created",
    "Production checkpoint created successfully. Production checkpoints are data-consistent and capture the "
    "point-in-time image of a virtual machine; applying one leaves the virtual machine off.",
)
OK = "OK"

# [I] a production checkpoint the guest could not make: Hyper-V takes a standard one (Microsoft's
# user guide: "if the production checkpoint fails a standard checkpoint is being created"); the
# emulated host's event message is shown instead when there is one.
FALLBACK = Dialog(
    "Standard Checkpoint Created",
    "A production checkpoint could not be created, so a standard checkpoint (with the virtual machine's "
    "memory) was created instead.",
)

# [G] "Click Browse and choose the Location you prefer. Click Export."; [I] the rest.
EXPORT = Dialog("Export Virtual Machine", "Specify where you want to save the files.")
EXPORT_BUTTON = "Export"
BROWSE = "Browse..."

RENAME_HELP = "Enter a new name for this checkpoint. It must be less than 100 characters and cannot be empty."  # [G]

# [I] the title of an error window; the message under it is the cmdlet's [C].
ERROR_TITLE = "An error occurred while attempting to {action}."

# [I] Hyper-V Manager shows a merge's progress in the Status column; the text before the
# percentage is the VM's Status, "Merging disks" [C].
MERGING_WITH_PERCENT = "{status} ({percent}%)"

# [I] Hyper-V Manager asks before turning off or shutting down; the sentences are inferred.
TURN_OFF = Dialog(
    "Turn Off Machine",
    "Do you want to turn off the virtual machine? Turning it off is like pulling its power plug: "
    "any unsaved data in the virtual machine is lost.",
)
SHUT_DOWN = Dialog(
    "Shut Down Machine",
    "Are you sure you want to shut down the virtual machine? The guest operating system is asked to shut down.",
)
TURN_OFF_BUTTON = "Turn Off"
SHUT_DOWN_BUTTON = "Shut Down"

# The VM actions of the Actions pane [G] and the SDK call behind each; the ones ending in "..."
# open a confirmation first.
VM_ACTIONS = (
    ("start", "Start"),
    ("turn-off", "Turn Off..."),
    ("shut-down", "Shut Down..."),
    ("save", "Save"),
    ("pause", "Pause"),
    ("resume", "Resume"),
    ("checkpoint", "Checkpoint"),
)

ACTION_WORDS = {  # what `ERROR_TITLE` says each action was attempting [I]
    "start": "start the virtual machine",
    "turn-off": "turn off the virtual machine",
    "shut-down": "shut down the virtual machine",
    "save": "save the virtual machine",
    "pause": "pause the virtual machine",
    "resume": "resume the virtual machine",
    "checkpoint": "checkpoint the selected virtual machine(s)",
    "apply": "apply the checkpoint",
    "rename": "rename the checkpoint",
    "delete": "delete the checkpoint(s)",
    "delete-subtree": "delete the checkpoint(s)",
    "export": "export the checkpoint",
    "clock": "advance the clock",
}
