"""No user value runs as code: quoting, and tree-sitter-powershell's view of every generated script.

Independently of psshim's tokenizer, tree-sitter-powershell parses each script the PowerShell
backend builds, with hostile values in every string slot of every call (every kind of quote and
look-alike, `$( )`, backticks, `;`, `|`, newlines, `--%`, `#`, `<#`, NUL, very long text, any
Unicode), and the test proves:

1. the script parses without error;
2. outside its string literals the script is byte-for-byte the script built for a harmless value,
   and its syntax tree has the same shape (so the value cannot add, remove or change code);
3. the value is one string literal whose text, decoded by PowerShell's rules (strip the quotes,
   undouble every single quote and look-alike; a lone quote would end the literal early and
   fails the test), is exactly the value; a value that needs the encoded form is one base64
   literal that decodes to exactly the value;
4. no string in any script is double-quoted (nothing is ever interpolated).

tree-sitter-powershell does not know PowerShell's look-alike quotes (U+2018…U+201B), so for them
the decoding rule of step 3 is the check: a lone look-alike inside a literal would end it in
PowerShell, and the decoder refuses it.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Callable

import pytest
import tree_sitter as ts
import tree_sitter_powershell as tsp
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.sdk import errors
from hyperv_emu.sdk.backends.powershell import PowerShellBackend
from hyperv_emu.sdk.compat import ImportOptions
from hyperv_emu.sdk.backends.ps_script import (
    DOUBLE_QUOTES,
    SINGLE_QUOTES,
    Script,
    ScriptBuilder,
    encoded_form,
    is_literal_safe,
    ps_bool,
    ps_int,
    ps_quote,
)
from hyperv_emu.sdk.backends.transports import TransportResult
from hyperv_emu.sdk.types import StopMode

LANGUAGE = ts.Language(tsp.language())
PARSER = ts.Parser(LANGUAGE)
GUID = "1c4f0e52-6f1b-4e7d-9a43-0b8d2f7c9e11"
B = ScriptBuilder()


# --- PowerShell's rules for a single-quoted literal ----------------------------------------------------------


_Q = "[" + SINGLE_QUOTES + "]"
_BODY = re.compile(f"(?:[^{SINGLE_QUOTES}]|{_Q}{_Q})*", re.S)
_PAIR = re.compile(f"{_Q}({_Q})")


def decode_verbatim(literal: str) -> str:
    """The value of a single-quoted literal as PowerShell's tokenizer reads it: any single-quote
    character opens and closes it; inside, a quote followed by a quote is one (the second)
    quote, pairs taken left to right; a lone quote would have ended the literal, so it is an
    error here."""
    assert len(literal) >= 2 and literal[0] in SINGLE_QUOTES and literal[-1] in SINGLE_QUOTES, literal[:40]
    body = literal[1:-1]
    assert _BODY.fullmatch(body), "a lone quote would end this literal early in PowerShell"
    return _PAIR.sub(lambda m: m.group(1), body)


def test_decoder_follows_powershell() -> None:
    assert decode_verbatim("'it''s'") == "it's"
    assert decode_verbatim("\u2018a\u2019\u2019b\u2018") == "a\u2019b"  # look-alikes open, close, escape
    assert decode_verbatim("''") == ""
    with pytest.raises(AssertionError):
        decode_verbatim("'a\u2019; Stop-Computer; \u2018'")


# --- the tree ------------------------------------------------------------------------------------------------


def parse(text: str) -> ts.Tree:
    return PARSER.parse(text.encode("utf-8"))


def examine(text: str) -> tuple[tuple[str, tuple[str, ...]], list[str]]:
    """Parse once: the skeleton (the script with every string literal replaced by `'L'`, and the
    tree's node types, not descending into literals) and the decoded literals. Asserts that the
    script parses and that no literal is double-quoted."""
    tree = parse(text)
    assert not tree.root_node.has_error, "tree-sitter-powershell reports a syntax error"
    data = text.encode("utf-8")
    pieces: list[bytes] = []
    types: list[str] = []
    decoded: list[str] = []
    last = 0
    cursor = tree.walk()
    while True:
        node = cursor.node
        assert node is not None
        types.append(node.type)
        if node.type == "string_literal":
            raw = data[node.start_byte:node.end_byte].decode("utf-8")
            assert raw[0] not in DOUBLE_QUOTES, f"an expandable string: {raw[:60]!r}"
            decoded.append(decode_verbatim(raw))
            pieces.append(data[last:node.start_byte])
            pieces.append(b"'L'")
            last = node.end_byte
        elif cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                pieces.append(data[last:])
                return (b"".join(pieces).decode("utf-8"), tuple(types)), decoded


def decoded_literals(text: str) -> list[str]:
    return examine(text)[1]


# --- every string slot of every call -------------------------------------------------------------------------

SLOTS: dict[str, Callable[[str], Script]] = {
    "lookup_vms.names": lambda v: B.lookup_vms(None, [v, "SRV*"]),
    "lookup_vms.computer": lambda v: B.lookup_vms(v, None),
    "get_vm_by_id.vm_id": lambda v: B.get_vm_by_id(None, v),
    "new_vm.name": lambda v: B.new_vm(None, v, memory_startup=1024, generation=2, path=None, new_vhd_path=None,
                                      new_vhd_size=0, vhd_path=None),
    "new_vm.paths": lambda v: B.new_vm("HV01", "x", memory_startup=1024, generation=2, path=v, new_vhd_path=v,
                                       new_vhd_size=1, vhd_path=None),
    "new_vm.vhd_path": lambda v: B.new_vm(None, "x", memory_startup=1024, generation=1, path=None,
                                          new_vhd_path=None, new_vhd_size=0, vhd_path=v),
    "remove_vm.vm_id": lambda v: B.remove_vm(None, v),
    "set_vm.notes": lambda v: B.set_vm(None, GUID, notes=v, snapshot_file_location=v, checkpoint_type="Standard",
                                       automatic_checkpoints_enabled=True, memory_startup=1, processor_count=2),
    "start_vm.computer": lambda v: B.start_vm(v, GUID),
    "stop_vm.vm_id": lambda v: B.stop_vm(None, v, StopMode.TURN_OFF, True),
    "suspend_vm.computer": lambda v: B.suspend_vm(v, GUID),
    "resume_vm.vm_id": lambda v: B.resume_vm(None, v),
    "checkpoint_vm.name": lambda v: B.checkpoint_vm(None, GUID, v),
    "checkpoint_vm.computer": lambda v: B.checkpoint_vm(v, GUID, None),
    "get_checkpoints.name": lambda v: B.get_checkpoints(None, [GUID, v], name=v, snapshot_type="Standard"),
    "get_checkpoints.parent_of": lambda v: B.get_checkpoints(v, None, parent_of=v, name=v),
    "get_checkpoints.child_of": lambda v: B.get_checkpoints(None, None, child_of=v),
    "get_checkpoint.id": lambda v: B.get_checkpoint(v, v),
    "find_checkpoint.name": lambda v: B.find_checkpoint(None, GUID, v),
    "restore_checkpoint.id": lambda v: B.restore_checkpoint(None, v),
    "remove_checkpoint.id": lambda v: B.remove_checkpoint(v, v, True),
    "rename_checkpoint.new_name": lambda v: B.rename_checkpoint(None, GUID, v),
    "export_checkpoint.path": lambda v: B.export_checkpoint(None, GUID, v),
    "import_vm.path": lambda v: B.import_vm(None, v, ImportOptions(copy=True, generate_new_id=True)),
    "import_vm.paths": lambda v: B.import_vm(None, "E:\\x", ImportOptions(copy=True, virtual_machine_path=v,
                                                                         vhd_destination_path=v)),
    "export_vm.path": lambda v: B.export_vm(v, GUID, v),
    "move_vm_storage.destination": lambda v: B.move_vm_storage(v, GUID, v),
    "import_vm.computer": lambda v: B.import_vm(v, "E:\\x", ImportOptions()),
    "get_vhd.path": lambda v: B.get_vhd(v, v),
    "new_vhd.paths": lambda v: B.new_vhd(v, v, vhd_type="Differencing", size=0, parent_path=v, block_size=0,
                                         logical_sector_size=0, physical_sector_size=0),
    "new_vhd.fixed": lambda v: B.new_vhd(None, v, vhd_type="Fixed", size=1024, parent_path=None,
                                         block_size=1 << 20, logical_sector_size=512, physical_sector_size=4096),
    "test_vhd.path": lambda v: B.test_vhd(v, v),
    "merge_vhd.paths": lambda v: B.merge_vhd(v, v, v),
    "merge_vhd.to_parent": lambda v: B.merge_vhd(None, v, None),
    "resize_vhd.path": lambda v: B.resize_vhd(v, v, 1024),
    "resize_vhd.to_minimum": lambda v: B.resize_vhd(None, v, None),
    "optimize_vhd.path": lambda v: B.optimize_vhd(v, v),
    "add_hard_drive.path": lambda v: B.add_hard_drive(v, GUID, v, controller_type="SCSI", controller_number=0,
                                                      controller_location=1),
    "add_hard_drive.vm_id": lambda v: B.add_hard_drive(None, v, "D:\\x.vhdx", controller_type=None,
                                                       controller_number=None, controller_location=None),
    "remove_hard_drive.vm_id": lambda v: B.remove_hard_drive(v, v, "IDE", 0, 1),
    "set_hard_drive.path": lambda v: B.set_hard_drive(v, GUID, "SCSI", 0, 0, path=v, to_controller_type="IDE",
                                                      to_controller_number=1, to_controller_location=0),
    "scsi_controllers.vm_id": lambda v: B.scsi_controllers(v, v),
    "dvd_drives.vm_id": lambda v: B.dvd_drives(v, v),
    "network_adapters.vm_id": lambda v: B.network_adapters(v, v),
    "switches.computer": lambda v: B.switches(v),
    "events.computer": lambda v: B.events(v),
    "host_name.computer": lambda v: B.host_name(v),
    "now.computer": lambda v: B.now(v),
    "list_dir.path": lambda v: B.list_dir(v, v),
    "file_info.path": lambda v: B.file_info(None, v),
    "read_file.path": lambda v: B.read_file(None, v),
    "write_file.path": lambda v: B.write_file(v, v, v.encode("utf-8")),
    "make_dir.path": lambda v: B.make_dir(None, v),
    "delete_file.path": lambda v: B.delete_file(v, v),
}


def test_every_builder_call_has_a_slot() -> None:
    calls = {name for name in dir(ScriptBuilder) if not name.startswith("_")}
    assert calls == {slot.split(".")[0] for slot in SLOTS}


@functools.cache
def harmless_skeleton(slot: str, encoded: bool) -> tuple[str, tuple[str, ...]]:
    return examine(SLOTS[slot]("\x00" if encoded else "x").text)[0]


def check_value(value: str) -> None:
    encoded = not is_literal_safe(value)
    for slot, build in SLOTS.items():
        text = build(value).text
        shape, found = examine(text)  # 1 and 4: no syntax error, no double-quoted string
        assert shape == harmless_skeleton(slot, encoded), f"{slot}: the value changed the code"  # 2
        if encoded:  # 3: one base64 literal that decodes to exactly the value
            assert any(_b64(lit) == value for lit in found), slot
        else:  # 3: one literal that is exactly the value
            assert value in found, slot


def _b64(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


HOSTILE_PIECES = [
    "'", "''", "\u2018", "\u2019", "\u201a", "\u201b", '"', "\u201c", "\u201d", "\u201e", "`", "``", "`'",
    "$(", ")", "$(Stop-Computer -Force)", "${x}", "$env:COMPUTERNAME", "@(", "@{", "}", "{", "[", "]", ";", "|",
    "||", "&&", "&", ">", "<", "2>&1", "\n", "\r\n", "\r", "--%", "#", "<#", "#>", "-", "\u2013", "\u2014",
    "-Force", "@'", "'@", '@"', '"@', " ", "\t", "\x00", "\x01", "\x1a", "\x7f", "\u2028", "\u2029", "\ufeff",
    "\u0085", "\uffff", "𝄞", "é", "ß", "İ", "\\", "\\\\?\\", "..\\..\\", "%", "*", "?",
    "'; Remove-VM -Name * -Force; '", "\u2019; Stop-Computer; \u2018", "'+(Stop-Computer)+'",
]

hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE_PIECES), st.text(max_size=4)), max_size=24).map("".join)


@settings(max_examples=T.examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(hostile_text, st.text()))
@example("")
@example("'")
@example("\u2019; Stop-Computer; \u2018")
@example("a\x00b")
@example("line1\nline2\r\nline3\r")
@example("--% $(x) `; | # <# #>")
@example("'" * 5000 + "$(Stop-Computer)" + "\u2019" * 5000)
@example("x" * 60_000)
def test_no_value_changes_the_code(value: str) -> None:
    check_value(value)


# --- the same, through the backend ------------------------------------------------------------------------------


class Capture:
    def __init__(self) -> None:
        self.scripts: list[str] = []

    def run(self, script: str) -> TransportResult:
        self.scripts.append(script)
        return TransportResult('HVEMU-JSON:{"format":"hyperv-emu/1","items":[],"errors":[],"warnings":[]}')


@settings(max_examples=T.examples(60), deadline=None)
@given(st.one_of(hostile_text, st.text()))
def test_backend_calls_quote_vm_and_checkpoint_names(value: str) -> None:
    t = Capture()
    b = PowerShellBackend(t)
    calls: list[Callable[[], object]] = [
        lambda: b.lookup_vms(value, [value]),
        lambda: b.checkpoint_vm(value, GUID, value),
        lambda: b.find_checkpoint(None, GUID, value),
        lambda: b.rename_checkpoint(None, GUID, value),
        lambda: b.get_checkpoints(None, [GUID], name=value),
        lambda: b.new_vm(None, value, memory_startup=1024, generation=2, path=value, new_vhd_path=None,
                         new_vhd_size=0, vhd_path=None),
        lambda: b.set_vm(None, GUID, notes=value),
        lambda: b.write_file(None, value, b"data"),
    ]
    for call in calls:
        try:
            call()
        except errors.HyperVError:
            pass  # the empty answer: no checkpoint, no VM; the script is what is checked
        text = t.scripts[-1]
        found = decoded_literals(text)
        if is_literal_safe(value):
            assert value in found
        else:
            assert any(_b64(lit) == value for lit in found)
        assert b.last_script == text


# --- ps_quote and friends -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "quoted"), [
    ("SRV-APP01", "'SRV-APP01'"),
    ("", "''"),
    ("it's", "'it''s'"),
    ("\u2018a\u2019\u201ab\u201b", "'\u2018\u2018a\u2019\u2019\u201a\u201ab\u201b\u201b'"),
    ('say "hi" $(x) `n', "'say \"hi\" $(x) `n'"),
    ("a\nb\r\n", "'a\nb\r\n'"),
])
def test_ps_quote(value: str, quoted: str) -> None:
    assert ps_quote(value) == quoted


def test_values_a_literal_cannot_carry_are_encoded() -> None:
    for value in ("a\x00b", "\x01", "x\x1by", "\uffff", "\ufffe"):
        q = ps_quote(value)
        assert q == encoded_form(value)
        assert q.startswith("([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('")
        assert "\x00" not in q and q.isascii()
    assert ps_quote("tab\there") == "'tab\there'"


def test_unpaired_surrogates_are_refused() -> None:
    with pytest.raises(errors.InvalidNameError, match="unpaired surrogate"):
        ps_quote("a\ud800b")
    with pytest.raises(TypeError):
        ps_quote(42)  # type: ignore[arg-type]


def test_numbers_and_booleans_are_written_by_code() -> None:
    assert ps_int(1073741824) == "1073741824" and ps_int(-7) == "-7"
    assert ps_bool(True) == "$true" and ps_bool(False) == "$false"
    for bad in ("1; Stop-Computer", 1.5, True):
        with pytest.raises(TypeError):
            ps_int(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ps_bool("$true")  # type: ignore[arg-type]


def test_templates_hold_no_double_quoted_strings() -> None:
    for slot, build in SLOTS.items():
        text = build("x").text
        decoded_literals(text)  # asserts: no syntax error, no double-quoted literal
        assert '"' not in text, slot
