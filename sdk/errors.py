"""The SDK's exceptions: one small hierarchy, mirroring hyperv-reference.md §6.

Every exception carries the message a Hyper-V host gives (`message`), PowerShell's error id
(`error_id`, the first part of the FullyQualifiedErrorId), the ErrorCategory name (`category`) and
the target (`target`). psshim maps them to PowerShell error records in one place; the emulated
backend and the PowerShell backend both raise these same types.
"""

from __future__ import annotations


class HyperVError(Exception):
    default_error_id = "OperationFailed"
    default_category = "InvalidOperation"

    def __init__(self, message: str, *, error_id: str | None = None, category: str | None = None, target: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id or self.default_error_id
        self.category = category or self.default_category
        self.target = target


class VMNotFoundError(HyperVError):
    """`Hyper-V was unable to find a virtual machine with name "X".`"""

    default_error_id = "ObjectNotFound"
    default_category = "ObjectNotFound"


class CheckpointNotFoundError(HyperVError):
    """`Unable to find a snapshot matching the given criteria.`"""

    default_error_id = "ObjectNotFound"
    default_category = "ObjectNotFound"


class MultipleCheckpointsError(HyperVError):
    """`More than one snapshot was found matching the given criteria.` (restore, rename)."""

    default_error_id = "InvalidParameter"
    default_category = "InvalidArgument"


class InvalidStateError(HyperVError):
    """`The operation cannot be performed while the virtual machine is in its current state.`"""

    default_error_id = "InvalidState"
    default_category = "InvalidOperation"


class CheckpointFailedError(HyperVError):
    """A checkpoint job failed (checkpoints disabled, production-only without VSS, a
    pass-through disk)."""


class InvalidNameError(HyperVError):
    """A VM or checkpoint name Hyper-V refuses (empty, too long, forbidden characters)."""

    default_error_id = "InvalidParameter"
    default_category = "InvalidArgument"


class AlreadyExistsError(HyperVError):
    default_error_id = "InvalidParameter"
    default_category = "InvalidArgument"


class HostNotFoundError(HyperVError):
    default_error_id = "ObjectNotFound"
    default_category = "ObjectNotFound"


class ExportImportError(HyperVError):
    pass


class HostPathError(HyperVError):
    """A path on the host that is malformed, missing, or would leave the emulator's root."""

    default_error_id = "InvalidPath"
    default_category = "InvalidArgument"


class InvalidArgumentError(HyperVError):
    """A value no Hyper-V host would take (a clock moved by NaN seconds or past year 9999)."""

    default_error_id = "InvalidArgument"
    default_category = "InvalidArgument"


class AccessDeniedError(HostPathError):
    """A host path the host refuses to open (.NET's UnauthorizedAccessException)."""

    default_error_id = "UnauthorizedAccess"
    default_category = "PermissionDenied"


class OperationTimeoutError(HyperVError):
    """Wait-VM -Timeout passed before the VM reached what was waited for. The module raises it
    as an operation failure (ExceptionHelper.CreateOperationFailedException: OperationFailed,
    InvalidOperation), the text `CmdletErrorMessages.OperationFailed_ConditionNotSatisfied`."""


class MeteringDisabledError(HyperVError):
    """Measure-VM of a VM whose resource metering is off (Enable-VMResourceMetering first)."""

    default_error_id = "ObjectNotFound"
    default_category = "ObjectNotFound"


class PermissionDeniedError(HyperVError):
    """An operation the caller's account may not perform on the host (Hyper-V's authorization
    check: `You do not have the required permission to complete this task. Contact the
    administrator of the authorization policy for the computer 'HOST'.`)."""

    default_error_id = "AccessDenied"
    default_category = "PermissionDenied"


class FileInUseError(HostPathError):
    """A file a running VM or a merge holds open (the host's IOException: "being used by another process")."""

    default_error_id = "FileInUse"
    default_category = "WriteError"


class StateError(HyperVError):
    """The emulator's state location cannot be used (missing, corrupt, newer, locked)."""

    default_error_id = "StateError"
    default_category = "ResourceUnavailable"


class WorldFileError(HyperVError):
    """A world file that cannot be loaded (the message names the key and its line)."""

    default_error_id = "InvalidWorld"
    default_category = "InvalidData"


class DiskError(HyperVError):
    default_error_id = "DiskError"
    default_category = "InvalidData"


class InvalidPatternError(HyperVError):
    """PowerShell's WildcardPatternException: a wildcard pattern with an unclosed `[` or a
    reversed range (`sdk.wildcard`, or a -Name filter)."""

    default_error_id = "RuntimeException"
    default_category = "NotSpecified"


class TaskNotFoundError(HyperVError):
    """No scheduled task by that name and folder (`The system cannot find the file specified.`)."""

    default_error_id = "HRESULT 0x80070002"
    default_category = "ObjectNotFound"


class TaskDefinitionError(HyperVError):
    """A task the Task Scheduler refuses: a bad name, no action, a trigger out of range."""

    default_error_id = "HRESULT 0x8007007b"
    default_category = "InvalidArgument"


class BackendError(HyperVError):
    """A backend failed in a way the other types do not describe (a transport failure,
    unparseable output from a host)."""

    default_error_id = "BackendError"
    default_category = "ConnectionError"


class HyperVWarning(UserWarning):
    """A warning a cmdlet writes (e.g. "The virtual machine is already in the specified state.")."""
