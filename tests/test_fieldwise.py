"""The shared field-wise methods mean what attrs' generated ones mean (sdk.fieldwise for the SDK
and psshim, emulator.fieldwise for the emulator)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import attrs
import pytest

from hyperv_emu.emulator import fieldwise as emulator_fieldwise
from hyperv_emu.sdk import fieldwise as sdk_fieldwise


def _point_class(module: ModuleType, name: str) -> Any:
    fields = {"x": attrs.field(), "y": attrs.field(default="a"), "note": attrs.field(default="", eq=False),
              "secret": attrs.field(default="", repr=False)}
    return attrs.make_class(name, fields, bases=(module.Fieldwise,), frozen=True, eq=False, repr=False)


def _classes(module: ModuleType) -> tuple[Any, Any, Any]:
    @attrs.define(eq=False, repr=False)
    class Record(module.MutableFieldwise):  # type: ignore[name-defined,misc]
        items: list[int] = attrs.Factory(list)

    return _point_class(module, "Point"), _point_class(module, "Other"), Record


@attrs.frozen
class AttrsPoint:
    x: int
    y: str = "a"
    note: str = attrs.field(default="", eq=False)
    secret: str = attrs.field(default="", repr=False)


@pytest.mark.parametrize("module", [sdk_fieldwise, emulator_fieldwise], ids=["sdk", "emulator"])
def test_fieldwise_methods_mean_what_attrs_generates(module: ModuleType) -> None:
    Point, Other, Record = _classes(module)
    a, b = Point(1, "b", note="x", secret="s"), Point(1, "b", note="y", secret="s")
    assert a == b and not (a != b) and hash(a) == hash(b)  # `note` is not compared
    assert a != Point(2, "b") and a != Point(1, "c") and a != Point(1, "b", secret="t")
    assert a != Other(1, "b", note="x", secret="s")  # another class is never equal
    assert (a == 1) is False and a.__eq__(1) is NotImplemented
    reference = AttrsPoint(1, "b", note="x", secret="s")
    assert repr(a) == "Point" + repr(reference)[len("AttrsPoint"):] == "Point(x=1, y='b', note='x')"
    assert "secret" not in repr(a) and "note='x'" in repr(a)
    assert {a, b} == {a}
    r = Record([1])
    assert r == Record([1]) and r != Record([2])
    with pytest.raises(TypeError):
        hash(r)
    assert repr(r) == "Record(items=[1])"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        a.x = 3  # type: ignore[misc]


def test_repr_of_an_sdk_value_is_attrs_shaped() -> None:
    import datetime as dt

    from hyperv_emu.sdk.types import FileInfo

    f = FileInfo(path="C:\\a", name="a", is_dir=False, length=1, last_write_time=dt.datetime(2020, 1, 2))
    assert repr(f) == ("FileInfo(path='C:\\\\a', name='a', is_dir=False, length=1, "
                       "last_write_time=datetime.datetime(2020, 1, 2, 0, 0), product_version=None, "
                       "file_version=None, product_name=None, company_name=None, file_description=None)")
