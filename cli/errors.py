"""The command line's own error (a file that cannot be read, a wrong combination of options)."""

from __future__ import annotations


class CLIError(Exception):
    """An error of the command line itself: printed as one `hvemu: error:` line, exit 1."""
