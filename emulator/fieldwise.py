"""One `__eq__`, `__hash__` and `__repr__` for the emulator's attrs classes (its state records
and views), instead of the ones attrs writes and compiles for each class at import.

Declared `@attrs.define(eq=False, repr=False)` over `MutableFieldwise` (state records: equal
field by field, unhashable, as attrs makes a mutable class) or `@attrs.frozen(eq=False,
repr=False)` over `Fieldwise` (values: hashable too). The meaning is attrs': same class and equal
`eq=True` fields; `Name(field=value, ...)` over the `repr=True` fields. (The SDK has the same
helper in `sdk.fieldwise`: the emulator imports nothing of the SDK, and the SDK's values must
import without the engine.)
"""

from __future__ import annotations

from typing import Any

import attrs


class Fieldwise:
    """Base of frozen attrs classes built with `eq=False, repr=False`."""

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
    """Base of mutable attrs classes built with `eq=False, repr=False`: not hashable.

    `_hv_link` is the change tracking of a state record (`emulator.statetrack`): unset, or None,
    for a record no stored state holds; else `(tracker, row)`, the tracker to tell and the row
    (the record itself, or the record that stores it) that a change makes dirty."""

    __slots__ = ("_hv_link",)
    __hash__ = None  # type: ignore[assignment]


def tracked_setattr(instance: Any, attribute: Any, value: Any) -> Any:
    """The attrs `on_setattr` hook of the state records (`emulator.model`): an assignment to a
    field of a tracked record tells its tracker, which marks the row dirty and tracks a new
    list, dict or record the field now holds (what it returns is what is stored). attrs' own
    `__init__` bypasses the hook, so building a record costs nothing extra."""
    link = getattr(instance, "_hv_link", None)
    if link is None:
        return value
    return link[0].on_set(instance, link[1], attribute.name, value)
