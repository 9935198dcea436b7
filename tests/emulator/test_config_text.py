"""The configuration files' text (`configfiles.config_text`) is exactly `json.dumps(doc,
indent=1)`: the files a VM's folder holds keep their bytes (and sizes, which Get-ChildItem
shows) while they are encoded faster."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from hyperv_emu.emulator.configfiles import config_text

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text())
_DOCS = st.dictionaries(st.text(), st.one_of(_SCALARS, st.lists(_SCALARS, max_size=4)), max_size=8)


@given(_DOCS)
def test_config_text_is_json_with_an_indent_of_one(doc: dict[str, object]) -> None:
    assert config_text(doc) == json.dumps(doc, indent=1)


def test_a_checkpoint_configuration_reads_back() -> None:
    doc: dict[str, object] = {"Name": "cp \"1\" \\ é", "Id": "x", "ParentSnapshotId": None, "IsSaved": True,
                              "MemoryStartup": 1 << 30, "HardDrives": ["D:\\VMs\\a.avhdx", "D:\\VMs\\b.avhdx"]}
    assert json.loads(config_text(doc)) == doc
    assert config_text({"HardDrives": []}) == '{\n "HardDrives": []\n}'
