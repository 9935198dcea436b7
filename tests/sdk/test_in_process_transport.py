"""The in-process PowerShell transport (psshim.transport): scripts run by psshim on an emulated
host, answered as powershell.exe would answer them; the PowerShell backend over it gives what
the emulator gives, for every host call, here and on a named computer (Invoke-Command)."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu import sdk
from hyperv_emu.psshim.transport import InProcessBackend, InProcessTransport, in_process_client
from hyperv_emu.sdk.backends import ps_json
from hyperv_emu.sdk.backends.powershell import PowerShellBackend, map_error, script_for
from hyperv_emu.sdk.backends.transports import Transport, TransportResult

WORLD = T.base_world(extra=T.vm_table("A", state="Running"))


@pytest.fixture
def emulated(memory_url):
    return sdk.load_world(memory_url, WORLD)


@pytest.fixture
def twin():
    """A second state from the same world."""
    url = T.memory_url()
    yield sdk.load_world(url, WORLD)
    T.drop_memory_root(url)


@pytest.fixture
def transport(emulated):
    return InProcessTransport(emulated)


# --- the transport as powershell.exe -EncodedCommand ------------------------------------------------


def test_is_a_transport(transport):
    assert isinstance(transport, Transport)
    assert transport.run("'a'; 1 + 1") == TransportResult("a\n2\n", "", 0)


def test_exit_codes_and_standard_error(transport):
    assert transport.run("exit 3").exit_code == 3
    r = transport.run("Get-VM -Name NoSuchVM")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith('Get-VM : Hyper-V was unable to find a virtual machine with name "NoSuchVM".')
    assert "+ FullyQualifiedErrorId : InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM" in r.stderr
    parse = transport.run("if (")
    assert parse.exit_code == 1 and "+ CategoryInfo          : ParserError" in parse.stderr
    assert transport.run("Write-Error 'x' -ErrorAction SilentlyContinue; 'y'") == TransportResult("y\n", "", 0)


def test_standard_error_maps_to_the_sdk_exception_the_emulator_raises(transport, emulated):
    r = transport.run("Get-VM -Name NoSuchVM")
    mapped = map_error(ps_json.errors_from_stderr(r.stderr)[0], "lookup_vms")
    with pytest.raises(sdk.VMNotFoundError) as direct:
        emulated.get_vms("NoSuchVM")
    assert type(mapped) is type(direct.value)
    assert (mapped.message, mapped.error_id, mapped.category) == (
        direct.value.message, direct.value.error_id, direct.value.category)


def test_each_run_is_a_fresh_session(transport):
    assert transport.run("$hvX = 5; function f { 1 }; $hvX").stdout == "5\n"
    assert transport.run("$null -eq $hvX; [bool](Get-Command f -ErrorAction SilentlyContinue)").stdout == \
        "True\nFalse\n"


def test_the_script_sees_the_emulated_host_and_nothing_of_this_machine(transport, monkeypatch, tmp_path):
    monkeypatch.setenv("HVEMU_TEST_SENTINEL", "leaked")
    secret = tmp_path / "secret.txt"
    secret.write_text("local file")
    out = transport.run("$env:COMPUTERNAME; [string]$env:HVEMU_TEST_SENTINEL; (Get-Date).ToString('o')").stdout
    assert out.splitlines() == ["HV-HOST01", "", "2026-02-20T08:00:00.0000000"]
    for text in (f"Get-Content -LiteralPath '{secret}'",
                 f"[System.IO.File]::ReadAllBytes('{secret}')",
                 f"Test-Path -LiteralPath '{secret}'"):
        r = transport.run(text)
        assert "local file" not in r.stdout and r.stdout.strip() in ("", "False"), (text, r)


def test_accepts_a_url_and_refuses_a_powershell_client(memory_url):
    sdk.load_world(memory_url, WORLD)
    assert InProcessTransport(memory_url).run("(Get-VM).Name").stdout == "A\n"
    with pytest.raises(sdk.BackendError):
        InProcessTransport(in_process_client(memory_url))


def test_last_result_keeps_records_and_objects(transport):
    transport.run("Get-VM; Write-Error 'x'")
    result = transport.last_result
    assert result is not None and result.output[0].name == "A"
    assert result.errors[0].message == "x"


# --- the backend over it ---------------------------------------------------------------------------


def test_last_script_is_script_for(emulated):
    hv = in_process_client(emulated)
    vm = hv.vm("A")
    assert hv.backend.last_script == script_for("lookup_vms", None, ["A"])
    hv.checkpoint_vm(vm, "Before KB5034567")
    assert hv.backend.last_script == script_for("checkpoint_vm", None, vm.id, "Before KB5034567")
    assert isinstance(hv.backend, PowerShellBackend) and isinstance(hv.backend, InProcessBackend)


def test_clock_and_faults_are_the_emulated_hosts(emulated):
    hv = in_process_client(emulated)
    assert hv.clock_is_virtual
    hv.sleep(90)
    assert hv.now() == emulated.now() == T.dt_("2026-02-20T08:01:30")
    vm = hv.set_faults("A", guest_vss_failing=True)
    assert vm.name == "A"


@pytest.mark.parametrize("computer", [None, T.HOST, "localhost"])
def test_host_calls_match_the_emulator(emulated, twin, computer):
    """Every host call (name, clock, files), here and through Invoke-Command -ComputerName, gives
    what the emulator gives directly, errors included (type, message, id, category): the same
    calls on two states made from one world, one called directly, one through the scripts."""
    direct = emulated.host(computer)
    via = in_process_client(twin).host(computer)
    folder = "E:\\Data\\Sub"

    def both(call, *, ids=True):
        out = []
        for client in (direct, via):
            try:
                out.append(("ok", call(client)))
            except sdk.HyperVError as exc:
                out.append(("error", type(exc), exc.message) + ((exc.error_id, exc.category) if ids else ()))
        assert out[0] == out[1], out
        return out[0]

    assert both(lambda c: c.host_name) == ("ok", T.HOST)
    both(lambda c: c.now())
    both(lambda c: c.make_dir(folder))
    data = bytes(range(256)) * 3
    both(lambda c: c.write_file(folder + "\\f.bin", data))
    assert both(lambda c: c.read_file(folder + "\\f.bin")) == ("ok", data)
    both(lambda c: c.file_info(folder + "\\f.bin"))
    both(lambda c: c.file_info(folder + "\\none"))
    both(lambda c: c.list_dir(folder))
    both(lambda c: c.list_dir("E:\\Data"))
    assert both(lambda c: c.list_dir(folder + "\\f.bin"))[0] == "error"
    assert both(lambda c: c.read_file(folder))[0] == "error"
    # a missing path: the emulator says InvalidPath/InvalidArgument where PowerShell's Get-Item
    # says PathNotFound/ObjectNotFound; the type and the message are the same
    assert both(lambda c: c.read_file("E:\\nothing\\here"), ids=False)[0] == "error"
    assert both(lambda c: c.list_dir("E:\\nothing"), ids=False)[0] == "error"
    both(lambda c: c.delete_file(folder + "\\f.bin"))
    both(lambda c: c.list_dir(folder))
    both(lambda c: c.events())


def test_the_readme_shows_a_working_in_process_example(tmp_path, monkeypatch, capsys):
    """README, "Point the SDK at a real host": the in-process example runs as written."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    fleet = re.search(r"in `fleet.toml`:\n\n```toml\n(.*?)```", text, re.S)
    section = text.split("## Point the SDK at a real host", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert fleet is not None and len(blocks) == 2
    (tmp_path / "fleet.toml").write_text(fleet.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        exec("import sdk\n" + blocks[1], {})
    finally:
        sdk.delete_state("memory://try")
    out = capsys.readouterr().out
    assert out.startswith("# hyperv-emu: checkpoint_vm\n") and "-SnapshotName 'Before KB5034567'" in out
