"""One `__eq__`, `__hash__` and `__repr__` for the many small frozen attrs classes of the SDK and
psshim (which imports it from here: psshim builds on the SDK).

attrs writes the source of these methods for every class it builds and compiles it, which was
most of what importing psshim cost (a cold `hvemu run` builds over a hundred classes, and each
compile takes about a third of a millisecond). The SDK's values, psshim's syntax tree, its
formatting records and its error records are therefore declared

    @attrs.frozen(eq=False, repr=False)
    class Node(Fieldwise): ...

and share these implementations, which mean what attrs' generated ones mean: instances are
equal when they are of the same class and their `eq=True` fields are equal; the hash is that of
those fields; the repr is `Name(field=value, ...)` over the `repr=True` fields. Mutable classes
(`@attrs.define(eq=False, repr=False)`) derive from `MutableFieldwise`, unhashable as attrs
makes them. attrs still generates the `__init__` (with defaults, converters and validators).
(The emulator has the same helper, `emulator.fieldwise`: it imports nothing of the SDK.)
"""

from __future__ import annotations

from typing import Any

import attrs


class Fieldwise:
    """Base of frozen attrs classes built with `eq=False, repr=False` (see the module docstring)."""

    __slots__ = ()

    def _eq_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, a.name) for a in attrs.fields(type(self)) if a.eq)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Fieldwise)
        return self._eq_values() == other._eq_values()

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash((self.__class__, self._eq_values()))

    def __repr__(self) -> str:
        fields = attrs.fields(type(self))  # type: ignore[arg-type]
        shown = ", ".join(f"{a.name}={getattr(self, a.name)!r}" for a in fields if a.repr)
        return f"{self.__class__.__qualname__.rsplit('>.', 1)[-1]}({shown})"


class MutableFieldwise(Fieldwise):
    """Base of mutable attrs classes (`@attrs.define(eq=False, repr=False)`): not hashable,
    as attrs makes a mutable class."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
