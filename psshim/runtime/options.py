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


def edition() -> str:
    return EDITION.get()


def is_core() -> bool:
    """pwsh 7 (PowerShell Core) rules rather than Windows PowerShell 5.1."""
    return EDITION.get().startswith("7")


@contextlib.contextmanager
def using_edition(value: str) -> Iterator[None]:
    token = EDITION.set(value)
    try:
        yield
    finally:
        EDITION.reset(token)
