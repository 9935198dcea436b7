"""What a file view raises when a write cannot happen, as the .NET exception it stands for.

The file cmdlets turn these into the ErrorRecord each cmdlet writes for that .NET exception
(`psshim.cmdlets.files`); the message is the .NET one, so `$_.Exception.Message` reads as on
Windows.
"""

from __future__ import annotations


class FileViewError(Exception):
    """A file operation failed as a .NET IO call would."""

    exception_type = "System.IO.IOException"
    #: the suffix of the FileSystem provider's error ids (`GetContentWriter<suffix>`, ...)
    id_suffix = "IOError"
    category = "WriteError"

    def __init__(self, path: str) -> None:
        super().__init__(self.describe(path))
        self.path = path

    @property
    def message(self) -> str:
        return str(self.args[0])

    def describe(self, path: str) -> str:
        return f"The process cannot access the file '{path}'."


class PartOfPathNotFound(FileViewError):
    """A file in a folder that does not exist (.NET's DirectoryNotFoundException)."""

    exception_type = "System.IO.DirectoryNotFoundException"
    id_suffix = "DirectoryNotFoundError"
    category = "ObjectNotFound"

    def describe(self, path: str) -> str:
        return f"Could not find a part of the path '{path}'."


class AccessDenied(FileViewError):
    """A path the user may not read or change (.NET's UnauthorizedAccessException)."""

    exception_type = "System.UnauthorizedAccessException"
    id_suffix = "UnauthorizedAccessError"
    category = "PermissionDenied"

    def describe(self, path: str) -> str:
        return f"Access to the path '{path}' is denied."


class LocalPathReadOnly(AccessDenied):
    """A write to a file of this machine: scripts read code from local paths, never change them
    (docs/differences.md, "Scripts on this machine")."""

    def describe(self, path: str) -> str:
        return (f"Access to the path '{path}' is denied. hvemu lets scripts read files on this machine but not "
                "change them; write to the emulated host's drives (C:\\, D:\\) instead.")
