"""ConvertTo-Json / ConvertFrom-Json (5.1 and 7 shapes) and the CSV cmdlets' text."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import pytest

from hyperv_emu.psshim.format.csv import CsvError, convert_from_csv, convert_to_csv
from hyperv_emu.psshim.format.culture import DE_DE
from hyperv_emu.psshim.format.json import (
    JsonError,
    convert_from_json,
    convert_from_json_hashtable,
    convert_to_json,
    convert_to_json_ex,
    json_depth_exceeded,
    to_json_lines,
)
from hyperv_emu.psshim.runtime.values import Hashtable, PSObject


class VMState(enum.IntEnum):
    Running = 2
    Off = 3


D = dt.datetime(2026, 2, 20, 8, 0, 0)


def vm() -> PSObject:
    return PSObject({"Name": "SRV-APP01", "State": VMState.Running, "MemoryGB": 4.5,
                     "Created": D, "Notes": None, "Enabled": True})


def test_51_shape() -> None:
    assert convert_to_json(vm()) == (
        "{\n"
        '    "Name":  "SRV-APP01",\n'
        '    "State":  2,\n'
        '    "MemoryGB":  4.5,\n'
        '    "Created":  "\\/Date(1771574400000)\\/",\n'
        '    "Notes":  null,\n'
        '    "Enabled":  true\n'
        "}"
    )


def test_51_nested_alignment_and_empty_containers() -> None:
    value = Hashtable({"a": Hashtable({"b": 1, "list": [1, 2]}), "e": Hashtable(), "l": []})
    assert convert_to_json(value) == (
        "{\n"
        '    "a":  {\n'
        '              "b":  1,\n'
        '              "list":  [\n'
        "                           1,\n"
        "                           2\n"
        "                       ]\n"
        "          },\n"
        '    "e":  {\n'
        "\n"
        "          },\n"
        '    "l":  [\n'
        "\n"
        "          ]\n"
        "}"
    )


def test_51_array_of_objects() -> None:
    assert convert_to_json([PSObject({"a": 1}), PSObject({"a": 2})]) == (
        "[\n    {\n        \"a\":  1\n    },\n    {\n        \"a\":  2\n    }\n]"
    )


def test_7_shape() -> None:
    assert convert_to_json(vm(), edition="7") == (
        "{\n"
        '  "Name": "SRV-APP01",\n'
        '  "State": 2,\n'
        '  "MemoryGB": 4.5,\n'
        '  "Created": "2026-02-20T08:00:00",\n'
        '  "Notes": null,\n'
        '  "Enabled": true\n'
        "}"
    )
    nested = Hashtable({"a": [1, Hashtable()], "e": []})
    assert convert_to_json(nested, edition="7") == (
        '{\n  "a": [\n    1,\n    {}\n  ],\n  "e": []\n}'
    )


def test_enums_as_strings_and_compress() -> None:
    assert convert_to_json(vm(), compress=True) == (
        '{"Name":"SRV-APP01","State":2,"MemoryGB":4.5,"Created":"\\/Date(1771574400000)\\/",'
        '"Notes":null,"Enabled":true}'
    )
    assert '"State":"Running"' in convert_to_json(vm(), compress=True, enums_as_strings=True,
                                                   edition="7")


def test_dates_with_offsets() -> None:
    plus_one = dt.timedelta(hours=1)
    assert convert_to_json(D, utc_offset=plus_one) == '"\\/Date(1771570800000)\\/"'
    assert convert_to_json(D, edition="7", utc_offset=plus_one) == '"2026-02-20T08:00:00+01:00"'
    utc = D.replace(tzinfo=dt.timezone.utc)
    assert convert_to_json(utc, edition="7") == '"2026-02-20T08:00:00Z"'
    assert convert_to_json(D.replace(microsecond=120000), edition="7") == (
        '"2026-02-20T08:00:00.12"'
    )


def test_string_escapes() -> None:
    assert convert_to_json("<a href='x'>&\"\\\n\t\x01") == (
        '"\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\"\\\\\\n\\t\\u0001"'
    )
    assert convert_to_json("<a>&'", edition="7") == "\"<a>&'\""


def test_numbers() -> None:
    assert convert_to_json([1, 1.0, 0.1 + 0.2, Decimal("1.50")], compress=True) == (
        "[1,1,0.30000000000000004,1.50]"
    )
    assert convert_to_json([1, 1.0, Decimal("2")], compress=True, edition="7") == "[1,1.0,2.0]"


def test_depth_stringifies() -> None:
    deep = Hashtable({"a": Hashtable({"b": Hashtable({"c": Hashtable({"d": 1})})})})
    assert convert_to_json(deep, compress=True) == '{"a":{"b":{"c":"System.Collections.Hashtable"}}}'
    assert json_depth_exceeded(deep)
    assert not json_depth_exceeded(deep, depth=5)
    out = convert_to_json_ex(PSObject({"x": [[PSObject({"k": 1})]]}), compress=True)
    assert out.text == '{"x":[["@{k=1}"]]}'
    assert out.truncated
    assert convert_to_json(deep, depth=1, compress=True) == '{"a":{"b":"System.Collections.Hashtable"}}'


def test_timespan_object_and_scalars() -> None:
    text = convert_to_json(dt.timedelta(hours=1), compress=True)
    assert text.startswith('{"Ticks":36000000000,"Days":0,"Hours":1,"Milliseconds":0,')
    assert convert_to_json("x") == '"x"'
    assert convert_to_json(None) == "null"
    assert to_json_lines([1, 2], compress=True) == "[1,2]"
    assert to_json_lines([1]) == "1"


def test_from_json_51() -> None:
    obj = convert_from_json('{"Name":"a","N":1.5,"I":3,"L":[1,{"x":null}],'
                            '"D":"\\/Date(1771574400000)\\/","T":true}')
    assert isinstance(obj, PSObject)
    assert obj.get("Name") == "a"
    assert obj.get("N") == Decimal("1.5")
    assert obj.get("I") == 3
    assert obj.get("L")[1].get("x") is None
    assert obj.get("D") == D
    assert obj.get("t") is True
    assert obj.type_names[0] == "System.Management.Automation.PSCustomObject"


def test_from_json_7() -> None:
    obj = convert_from_json('{"N":1.5,"D":"2026-02-20T08:00:00","S":"2026"}', edition="7")
    assert isinstance(obj, PSObject)
    assert obj.get("N") == 1.5 and isinstance(obj.get("N"), float)
    assert obj.get("D") == D
    assert obj.get("S") == "2026"
    table = convert_from_json_hashtable('{"a":{"b":1}}')
    assert isinstance(table, Hashtable) and table["A"]["B"] == 1


def test_from_json_errors() -> None:
    assert convert_from_json("  ") is None
    with pytest.raises(JsonError):
        convert_from_json("{not json")
    with pytest.raises(JsonError) as err:
        convert_from_json('{"a":1,"a":2}')
    assert "duplicated key 'a'" in err.value.message


def test_round_trip() -> None:
    text = convert_to_json(PSObject({"a": [1, 2], "b": Hashtable({"c": "x"})}))
    back = convert_from_json(text)
    assert isinstance(back, PSObject)
    assert back.get("a") == [1, 2]
    assert back.get("b").get("c") == "x"


# --- CSV --------------------------------------------------------------------------------------


def test_convert_to_csv_51() -> None:
    rows = [
        PSObject({"Name": "SRV-APP01", "State": VMState.Running, "When": D, "Notes": None},
                 ["Selected.Microsoft.HyperV.PowerShell.VirtualMachine",
                  "System.Management.Automation.PSCustomObject", "System.Object"]),
        PSObject({"Name": 'say "hi", ok', "Extra": 1}),
    ]
    assert convert_to_csv(rows) == [
        "#TYPE Selected.Microsoft.HyperV.PowerShell.VirtualMachine",
        '"Name","State","When","Notes"',
        '"SRV-APP01","Running","2/20/2026 8:00:00 AM",',
        '"say ""hi"", ok",,,',
    ]
    assert convert_to_csv(rows, no_type_information=True)[0] == '"Name","State","When","Notes"'
    assert convert_to_csv(rows, edition="7")[0] == '"Name","State","When","Notes"'
    assert convert_to_csv(rows[:1], delimiter=";", culture=DE_DE, no_type_information=True) == [
        '"Name";"State";"When";"Notes"', '"SRV-APP01";"Running";"20.02.2026 08:00:00";',
    ]
    assert convert_to_csv([PSObject({"L": [1, 2]})], no_type_information=True)[1] == (
        '"System.Object[]"'
    )


def test_import_csv() -> None:
    text = '#TYPE Foo\n"Name","Note"\n"a","x,""y"""\n"b"\n"c","multi\nline"\n'
    rows = convert_from_csv(text)
    assert [r.get("Name") for r in rows] == ["a", "b", "c"]
    assert rows[0].get("Note") == 'x,"y"'
    assert rows[1].get("Note") is None
    assert rows[2].get("Note") == "multi\nline"
    assert rows[0].type_names[0] == "CSV:Foo"
    plain = convert_from_csv(["a,b", "1,", "2,3"])
    assert plain[0].get("b") == "" and plain[1].get("b") == "3"
    assert convert_from_csv(["1;2"], delimiter=";", header=["x", "y"])[0].get("y") == "2"
    with pytest.raises(CsvError):
        convert_from_csv(["a,A", "1,2"])


def test_csv_round_trip() -> None:
    rows = [PSObject({"Name": "SRV-APP01", "Path": 'D:\\a "b"'})]
    back = convert_from_csv(convert_to_csv(rows))
    assert back[0].get("Path") == 'D:\\a "b"'
