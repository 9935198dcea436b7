"""No user value runs as code, proved by running the PowerShell backend's scripts (the psshim
half of the injection proof; tree-sitter's independent half is test_powershell_backend_security.py).

Hostile VM and checkpoint names (every quote and look-alike, `$( )`, backticks, `;`, `|`,
newlines, `--%`, NUL and other controls, very long text, any Unicode, and payloads that call a
canary, remove or create VMs and checkpoints, or write files) go through the PowerShell backend
over the in-process transport, psshim running every script on an emulated host. Each example
makes two identical hosts from one world (deterministic ids), makes the same SDK calls on both,
one host directly through the emulator and the other through the scripts, and proves:

1. the calls have the same outcome: equal results, or the same exception type and message;
2. each value arrives as exactly that string: the checkpoint, the VM and the notes it names
   read back from the emulator equal to it, code point for code point;
3. nothing else runs: the two hosts are then the same in every stored detail (every VM,
   checkpoint, name, note, setting, id counter, event and the clock in the state document, and
   every file by path and size); a canary cmdlet is never invoked; every command a script
   resolves is one the same scripts resolve for harmless names; no script wrote to standard
   error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import fsspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.emulator.storage import STATE_DB
from hyperv_emu.psshim.cmdlets import default_registry
from hyperv_emu.psshim.runtime.registry import Cmdlet, CmdletInfo, Param, Registry, cmdlet
from hyperv_emu.psshim.transport import InProcessBackend, InProcessTransport
from hyperv_emu.sdk.backends.transports import TransportResult

WORLD = 'id_seed = "hvemu-injection"\n' + T.base_world(extra=T.vm_table("Target", state="Running"))

CANARY_CALLS: list[str] = []


@cmdlet("Invoke-HvCanary", module="HvTest", class_name="HvTest.InvokeHvCanary")
class InvokeHvCanary(Cmdlet):
    """Records that it ran: no script of the backend ever calls it."""

    Value = Param("object", position=0)

    def process_record(self) -> None:
        CANARY_CALLS.append(repr(self.Value))


class WatchingRegistry(Registry):
    """psshim's default registry plus the canary, recording every command name it resolves."""

    def __init__(self) -> None:
        super().__init__()
        self.__dict__.update(default_registry().__dict__)
        self.register(InvokeHvCanary)
        self.resolved: set[str] = set()

    def find(self, name: str) -> CmdletInfo | None:
        self.resolved.add(name.casefold())
        return super().find(name)


REGISTRY = WatchingRegistry()


SMALL = 1 << 20


def summary(url: str) -> dict[str, Any]:
    """Everything an emulated host stores: the state (as one document, without the wall-clock
    anchor of its virtual clock), every file by path and size, and the bytes of the small ones
    (configurations; virtual disks hold random VHDX header GUIDs, so only their sizes count)."""
    fs, path = fsspec.core.url_to_fs(url)
    root = "/" + path.strip("/")
    out: dict[str, Any] = {}
    for key in list(fs.store):
        if not key.startswith(root + "/"):
            continue
        rel = key[len(root):]
        size = fs.size(key)
        if rel == "/" + STATE_DB:  # the state database: its content, not its pages
            doc = T.state_document(url)
            doc["clock"].pop("wall_anchor", None)
            out[rel] = doc
        elif rel.endswith(".json"):
            doc = json.loads(fs.store[key].getvalue())
            doc.get("clock", {}).pop("wall_anchor", None)
            out[rel] = doc
        elif size <= SMALL and not rel.lower().endswith((".vhdx", ".avhdx")):
            out[rel] = fs.store[key].getvalue()
        else:
            out[rel] = size
    return out


class WatchedTransport(InProcessTransport):
    """The in-process transport, keeping whatever a script wrote to standard error."""

    def __init__(self, client: sdk.HyperVClient) -> None:
        super().__init__(client, registry=REGISTRY)
        self.stderr: list[str] = []

    def run(self, script: str) -> TransportResult:
        result = super().run(script)
        if result.stderr:
            self.stderr.append(result.stderr)
        return result


class Twins:
    """Two hosts from one world: `direct` (the emulator) and `scripted` (the PowerShell backend
    over the in-process transport, on its own emulator, `emulated`)."""

    def __init__(self) -> None:
        self.urls = (T.memory_url(), T.memory_url())
        self.direct = sdk.load_world(self.urls[0], WORLD)
        self.emulated = sdk.load_world(self.urls[1], WORLD)
        self.transport = WatchedTransport(self.emulated)
        self.scripted = sdk.HyperVClient(InProcessBackend(self.transport))

    def drop(self) -> None:
        for url in self.urls:
            T.drop_memory_root(url)

    def both(self, call: Callable[[sdk.HyperVClient], Any]) -> Any:
        """The call on both hosts: the same result, or the same exception type and message."""
        outcomes = []
        for client in (self.direct, self.scripted):
            try:
                outcomes.append(("ok", _plain(call(client))))
            except sdk.HyperVError as exc:
                outcomes.append(("error", type(exc).__name__, exc.message))
        assert outcomes[0] == outcomes[1]
        return outcomes[0]


def _plain(value: Any) -> Any:
    """A result without its client (values compare by content)."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def exercise(twins: Twins, value: str) -> None:
    """The calls that carry a VM or checkpoint name (and notes) into a script."""
    vm = twins.direct.vm("Target")
    assert twins.scripted.vm("Target") == vm
    outcome = twins.both(lambda c: c.checkpoint_vm(vm, value))
    cps = twins.emulated.get_checkpoints("Target")
    if outcome[0] == "ok":
        assert cps[-1].name == value  # exactly that string, read back from the emulator
    twins.both(lambda c: c.get_checkpoints(vm, name=value))
    twins.both(lambda c: c.find_checkpoint(vm, value))
    anchor = twins.both(lambda c: c.checkpoint_vm(vm, "anchor"))[1]
    renamed = twins.both(lambda c: c.rename_checkpoint(anchor, value))
    if renamed[0] == "ok":
        assert twins.emulated.get_checkpoint(anchor.id).name == value
    twins.both(lambda c: c.set_vm(vm, notes=value))
    assert twins.emulated.vm("Target").notes == value
    made = twins.both(lambda c: c.new_vm(value, memory_startup=T.GB))
    if made[0] == "ok":
        assert [v.name for v in twins.emulated.get_vms() if v.id == made[1].id] == [value]
    twins.both(lambda c: c.lookup_vms([value]))


def check(value: str) -> None:
    twins = Twins()
    try:
        before = len(CANARY_CALLS)
        REGISTRY.resolved.clear()
        exercise(twins, value)
        assert len(CANARY_CALLS) == before, CANARY_CALLS[before:]
        assert REGISTRY.resolved <= harmless_commands(), REGISTRY.resolved - harmless_commands()
        assert twins.transport.stderr == []
        assert summary(twins.urls[1]) == summary(twins.urls[0])
    finally:
        twins.drop()


_HARMLESS: set[str] = set()


def harmless_commands() -> set[str]:
    """Every command the scripts resolve for harmless names, on success and on failure paths
    (a name refused, a duplicate VM, nothing found)."""
    if not _HARMLESS:
        for value in ("harmless", "", "x" * 101, "Target", "nothing*"):
            twins = Twins()
            try:
                REGISTRY.resolved.clear()
                exercise(twins, value)
                _HARMLESS.update(REGISTRY.resolved)
            finally:
                twins.drop()
    return _HARMLESS


# --- the values ----------------------------------------------------------------------------------------

PAYLOADS = [
    "Invoke-HvCanary", "; Invoke-HvCanary pwned; ", "$(Invoke-HvCanary pwned)", "`$(Invoke-HvCanary)",
    "'; Invoke-HvCanary pwned; '", "\u2019; Invoke-HvCanary pwned; \u2018", "\"; Invoke-HvCanary pwned; \"",
    "' | Invoke-HvCanary | '", "'+(Invoke-HvCanary)+'", "\n Invoke-HvCanary \n", "--% Invoke-HvCanary",
    "'; Remove-VM -Name Target -Force; '", "'; New-VM -Name Pwned; '", "\u2018; Checkpoint-VM -Name Target -SnapshotName pwned; \u2019",
    "'; Stop-VM -Name Target -TurnOff -Force; '", "'; [System.IO.File]::WriteAllBytes('E:\\pwned', [byte[]](1)); '",
    "'; $ErrorActionPreference = 'SilentlyContinue'; '", "'; function Select-Object { Invoke-HvCanary }; '",
    "'; exit 0; '", "'; Write-Output 'HVEMU-JSON:{}'; '", "'@\n'; Invoke-HvCanary\n@'",
]
PIECES = [
    "'", "''", "\u2018", "\u2019", "\u201a", "\u201b", '"', "\u201c", "\u201d", "\u201e", "`", "``", "`'", "`\u2019",
    "$(", ")", "${x}", "$env:COMPUTERNAME", "$_", "@(", "@{", "}", "{", ";", "|", "&", "&&", "||", ">", "2>&1",
    "\n", "\r\n", "\r", "--%", "#", "<#", "#>", "\u2013", "\u2014", " ", "\t", "\x00", "\x01", "\x1b", "\x7f",
    "\u0085", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\U0001f600", "e\u0301", "\u202e", "*", "?", "[", "]",
] + PAYLOADS

hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1, max_size=12).map("".join)


@settings(max_examples=T.examples(20), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(hostile, st.text(min_size=1, max_size=40)))
@example("'; Invoke-HvCanary pwned; '")
@example("\u2019; Invoke-HvCanary pwned; \u2018")
@example("$(Invoke-HvCanary pwned) `$(x) ${env:PATH}")
@example("a;b|c&d\nInvoke-HvCanary\r\n--% e")
@example("\u201c$(Invoke-HvCanary)\u201d \u201e\u201b\u201a")
@example("nul\x00Invoke-HvCanary\x00'")
@example("'; Remove-VM -Name Target -Force; New-VM -Name Pwned; '")
@example("\U0001f600\u202e\u0000\ufffe".replace("\u0000", "\x00") + "'" * 30)
@example("'" * 4000 + "$(Invoke-HvCanary)" + "\u2019" * 4000)
def test_hostile_names_arrive_as_data_and_nothing_else_runs(value: str) -> None:
    check(value)


def test_the_canary_and_the_watch_would_see_an_injection() -> None:
    """The checks are not vacuous: the same script text with a value pasted in unquoted calls
    the canary, resolves a command no harmless script resolves, and changes the host."""
    harmless = harmless_commands()  # first: computing it clears and refills REGISTRY.resolved
    twins = Twins()
    try:
        before = len(CANARY_CALLS)
        REGISTRY.resolved.clear()
        script = twins.scripted.backend.scripts.set_vm(None, twins.direct.vm("Target").id, notes="x").text
        pasted = script.replace("-Notes 'x'", "-Notes x; Invoke-HvCanary pwned; New-VM -Name Pwned")
        assert pasted != script
        twins.transport.run(pasted)
        assert CANARY_CALLS[before:] == ["'pwned'"]
        assert "invoke-hvcanary" in REGISTRY.resolved - harmless
        assert [v.name for v in twins.emulated.get_vms()] == ["Pwned", "Target"]
        assert summary(twins.urls[1]) != summary(twins.urls[0])
    finally:
        twins.drop()
