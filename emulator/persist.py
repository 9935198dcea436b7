"""The state document: a strict cattrs converter, the schema version, load and dump.

Unknown keys are errors (`forbid_extra_keys`), so a state written by a newer release, or edited
by hand, is refused with a message that names the file rather than silently reset.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError

from emulator.errors import StateError
from emulator.model import SCHEMA_VERSION, EmulatorState


def make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_unstructure_hook(dt.datetime, lambda d: d.isoformat())
    conv.register_structure_hook(dt.datetime, lambda v, _: _parse_datetime(v))
    return conv


def _parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO date-time string, got {value!r}")
    return dt.datetime.fromisoformat(value)


_CONVERTER = make_converter()


def dumps(state: EmulatorState) -> bytes:
    doc = _CONVERTER.unstructure(state)
    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8")


def loads(data: bytes, where: str) -> EmulatorState:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"The state file '{where}' is corrupt: {exc}.") from exc
    if not isinstance(doc, dict) or "schema_version" not in doc:
        raise StateError(f"The state file '{where}' is not an hvemu state (no schema_version).")
    version = doc["schema_version"]
    if not isinstance(version, int):
        raise StateError(f"The state file '{where}' has an invalid schema_version {version!r}.")
    if version > SCHEMA_VERSION:
        raise StateError(
            f"The state file '{where}' has schema version {version}, newer than this release "
            f"understands ({SCHEMA_VERSION}); upgrade hyperv-emu to open it."
        )
    doc = _migrate(doc, version)
    try:
        return _CONVERTER.structure(doc, EmulatorState)
    except (ClassValidationError, ForbiddenExtraKeysError, ValueError, TypeError, KeyError) as exc:
        detail = "; ".join(cattrs.transform_error(exc)) if isinstance(exc, ClassValidationError) else str(exc)
        raise StateError(f"The state file '{where}' is corrupt: {detail}.") from exc


def _migrate(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """Bring an older document up to SCHEMA_VERSION (version 1 is the first; nothing to do)."""
    if version < 1:
        raise StateError(f"Schema version {version} is too old to open.")
    return doc
