"""The read path of the state database (issue 13, `Get-VM | Get-VMCheckpoint` at 1,000 VMs):
rows decoded by orjson mean what the standard module makes of them, and what orjson refuses
is still read (statecodec.load_rows); an integer beyond 64 bits (a float to orjson) is read
exactly (statedb.StateDB.structure_doc)."""

from __future__ import annotations

import json
import sqlite3

import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.emulator.engine import Emulator
from hyperv_emu.emulator.statecodec import load_rows
from hyperv_emu.emulator.storage import STATE_DB


@pytest.mark.parametrize("texts", [
    ['{"a":1,"b":"x\\u00e9y"}', '{"c":null,"d":[1.5,true,false],"e":{"f":"g"}}'],
    ['{"n":NaN}', '{"i":-Infinity}'],  # not JSON, but the standard module's reading of it
    ['{"s":"\\ud800"}'],  # a lone surrogate's escape
    ['{"k":1,"k":2}'],  # the last one wins
    ['{"float":0.1,"exp":1e300,"neg":-0.0}'],
])
def test_rows_read_as_the_standard_module_reads_them(texts: list[str]) -> None:
    text = "[" + ",".join(texts) + "]"
    got = load_rows(text)
    assert repr(got) == repr(json.loads(text))


def test_text_that_is_not_json_is_still_refused() -> None:
    with pytest.raises(ValueError):
        load_rows('[{"a":1},{"b":]')
    with pytest.raises(ValueError):
        load_rows('{"a":1}')  # not a list of rows


def test_an_integer_beyond_64_bits_is_read_exactly(tmp_path) -> None:
    url = str(tmp_path / "state")
    sdk.load_world(url, T.base_world(extra=T.vm_table("APP01")))
    big = 123456789012345678901234567890
    with sqlite3.connect(tmp_path / "state" / STATE_DB) as conn:
        (data,) = conn.execute("SELECT data FROM vms").fetchone()
        doc = json.loads(data)
        doc["automatic_start_delay"] = big
        conn.execute("UPDATE vms SET data = ?", (json.dumps(doc),))
    vm = Emulator(url).load().hosts[0].vms[0]
    assert type(vm.automatic_start_delay) is int and vm.automatic_start_delay == big
