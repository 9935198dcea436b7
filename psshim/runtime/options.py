"""Per-run options that value semantics depend on, held in context variables.

Conversions and operators are plain functions called from everywhere (the binder, cmdlets,
the formatter); the few facts they need about the run (edition, $OFS is a variable and is passed
explicitly) live here instead of being threaded through every call. `Runspace` sets them for
the duration of a run, so two runspaces in one process do not see each other's settings.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import Iterator

EDITION: ContextVar[str] = ContextVar("psshim_edition", default="5.1")

# The most memory one value may take (a string, an array, a range), in bytes of this process:
# past it, the operator that would build it throws OutOfMemoryException (docs/differences.md).
DEFAULT_MEMORY_LIMIT = 256 * 1024 * 1024
MEMORY_LIMIT: ContextVar[int] = ContextVar("psshim_memory_limit", default=DEFAULT_MEMORY_LIMIT)


def edition() -> str:
    return EDITION.get()


def is_core() -> bool:
    """pwsh 7 (PowerShell Core) rules rather than Windows PowerShell 5.1."""
    return EDITION.get().startswith("7")


def memory_limit() -> int:
    return MEMORY_LIMIT.get()


@contextlib.contextmanager
def using_edition(value: str, memory_limit: int | None = None) -> Iterator[None]:
    token = EDITION.set(value)
    limit_token = MEMORY_LIMIT.set(memory_limit) if memory_limit is not None else None
    try:
        yield
    finally:
        EDITION.reset(token)
        if limit_token is not None:
            MEMORY_LIMIT.reset(limit_token)
