"""Module auto-loading (about_Modules, "Module Auto-Loading"; about_Preference_Variables,
$PSModuleAutoLoadingPreference): calling a command that no loaded module has imports the module
of $env:PSModulePath that exports it; `None` turns that off, `ModuleQualified` loads only for
`Module\\Command` names. Module folders on this machine and on the emulated host alike."""

from __future__ import annotations

import pathlib

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.session import Session


@pytest.fixture
def modules(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "modules"
    (root / "Exp").mkdir(parents=True)
    (root / "Exp" / "Exp.psm1").write_text(
        "function Get-Pub { 'pub' }\nfunction Get-Priv { 'priv' }\nExport-ModuleMember -Function Get-Pub\n",
        encoding="utf-8")
    (root / "Man" / "2.0").mkdir(parents=True)
    (root / "Man" / "2.0" / "Man.psd1").write_text(
        "@{ RootModule = 'Man.psm1'; ModuleVersion = '2.0'; FunctionsToExport = @('Get-Man') }\n", encoding="utf-8")
    (root / "Man" / "2.0" / "Man.psm1").write_text("function Get-Man { 'man' }\nfunction Get-Other { 'x' }\n",
                                                  encoding="utf-8")
    return root


@pytest.fixture
def session(memory_url: str, modules: pathlib.Path) -> Session:
    return Session.from_world_text(T.base_world(), memory_url,
                                   environment={"PSModulePath": f"C:\\Program Files\\WindowsPowerShell\\Modules;{modules}"})


def test_a_command_of_an_unloaded_module_loads_it(session: Session) -> None:
    result = session.run_command("Get-Pub; Get-Man; (Get-Module | Sort-Object Name).Name -join ','")
    assert (result.stdout.splitlines(), result.stderr) == (["pub", "man", "Exp,Man"], "")


def test_only_exported_commands_load_a_module(session: Session) -> None:
    for name in ("Get-Priv", "Get-Other"):
        result = session.run_command(f"{name}; (Get-Module).Count")
        assert result.stdout.splitlines() == ["0"]
        assert result.errors[0].fully_qualified_error_id == "CommandNotFoundException"


def test_a_module_qualified_name_loads_its_module(session: Session) -> None:
    result = session.run_command("Exp\\Get-Pub")
    assert (result.stdout, result.stderr) == ("pub\n", "")


@pytest.mark.parametrize(("preference", "plain", "qualified"), [("None", False, False),
                                                                 ("ModuleQualified", False, True)])
def test_the_preference_turns_it_off(session: Session, preference: str, plain: bool, qualified: bool) -> None:
    result = session.run_command(f"$PSModuleAutoLoadingPreference = '{preference}'\nGet-Pub\nExp\\Get-Pub")
    assert result.stdout.splitlines() == ["pub"] * (int(plain) + int(qualified))


def test_a_module_on_the_emulated_host(memory_url: str) -> None:
    session = Session.from_world_text(T.base_world(), memory_url, environment={})
    session.client.make_dir("C:\\Program Files\\WindowsPowerShell\\Modules\\HostMod")
    session.client.write_file("C:\\Program Files\\WindowsPowerShell\\Modules\\HostMod\\HostMod.psm1",
                              b"function Get-HostThing { 'from the host' }\r\n")
    result = session.run_command("Get-HostThing")
    assert (result.stdout, result.stderr) == ("from the host\n", "")
