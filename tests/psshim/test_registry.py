"""The Registry provider: the keys Hyper-V scripts read (Windows NT CurrentVersion, its
Virtualization subkey, the Hyper-V services), item properties, and writes for the run."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from hyperv_emu.psshim.runtime.winregistry import split_registry_path
from hyperv_emu.psshim.session import RunResult, Session

NT = "'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion'"


@pytest.fixture
def session() -> Iterator[Session]:
    s = Session.from_world_text("now = 2026-02-20T08:00:00\n", f"memory://ps12-reg/{uuid.uuid4().hex}")
    yield s
    s.discard()


def run(session: Session, script: str) -> RunResult:
    return session.run(script, path="C:\\scripts\\t.ps1")


def test_split_registry_path() -> None:
    assert split_registry_path("HKLM:\\SOFTWARE\\x") == ("HKEY_LOCAL_MACHINE", "SOFTWARE\\x")
    assert split_registry_path("hkcu:/Software/") == ("HKEY_CURRENT_USER", "Software")
    assert split_registry_path("Registry::HKEY_LOCAL_MACHINE\\SYSTEM") == ("HKEY_LOCAL_MACHINE", "SYSTEM")
    assert split_registry_path("Microsoft.PowerShell.Core\\Registry::HKLM\\SYSTEM") == ("HKEY_LOCAL_MACHINE", "SYSTEM")
    assert split_registry_path("HKLM:") == ("HKEY_LOCAL_MACHINE", "")
    assert split_registry_path("C:\\Windows") is None
    assert split_registry_path("Env:\\PATH") is None


def test_windows_version_of_the_host(session: Session) -> None:
    r = run(session, f"$cv = Get-ItemProperty {NT}\n$cv.ProductName\n"
                     "\"$($cv.CurrentMajorVersionNumber).$($cv.CurrentMinorVersionNumber).$($cv.CurrentBuild).$($cv.UBR)\"\n"
                     "$cv.CurrentMajorVersionNumber.GetType().Name\n$cv.PSChildName\n$cv.PSPath\n"
                     "$PSVersionTable.BuildVersion.Build -eq [int]$cv.CurrentBuildNumber\n"
                     f"Get-ItemPropertyValue {NT} -Name EditionID, InstallationType")
    assert r.stderr == ""
    assert r.stdout.splitlines() == [
        "Windows Server 2022 Datacenter", "10.0.20348.2849", "Int32", "CurrentVersion",
        "Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion",
        "True", "ServerDatacenter", "Server"]


def test_hyperv_keys(session: Session) -> None:
    r = run(session, "Get-ItemProperty " + NT[:-1] + "\\Virtualization' | % DefaultVirtualHardDiskPath\n"
                     "Test-Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\vmms\n"
                     "(Get-Item HKLM:\\SYSTEM\\CurrentControlSet\\Services\\vmms).GetValue('DisplayName')\n"
                     "Test-Path 'HKLM:\\SOFTWARE\\Microsoft\\Virtual Machine\\Guest\\Parameters'\n"
                     "Test-Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\vmms -PathType Leaf\n"
                     "Get-ChildItem " + NT + " | % PSChildName\n"
                     "(Get-ItemProperty HKLM:\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName)."
                     "ComputerName -eq $env:COMPUTERNAME")
    assert r.stderr == ""
    assert r.stdout.splitlines() == ["C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks", "True",
                                     "Hyper-V Virtual Machine Management", "False", "False", "Virtualization", "True"]


def test_missing_key_and_value(session: Session) -> None:
    r = run(session, f"Get-ItemProperty {NT} -Name Nope\nGet-ItemProperty HKLM:\\SOFTWARE\\Nope\n"
                     "Get-ChildItem HKCU:\\Nope\n'after'")
    assert r.stdout == "after\n"
    assert ("Property Nope does not exist at path HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows "
            "NT\\CurrentVersion.") in r.stderr.replace("\n", "")
    assert "Cannot find path 'HKLM:\\SOFTWARE\\Nope' because it does not exist." in r.stderr
    assert "Cannot find path 'HKCU:\\Nope' because it does not exist." in r.stderr


def test_writes_last_for_the_run(session: Session) -> None:
    script = ("New-Item -Path HKCU:\\Software\\Contoso | % Name\n"
              "Set-ItemProperty -Path HKCU:\\Software\\Contoso -Name LastRun -Value '2026-02-20'\n"
              "New-ItemProperty -Path HKCU:\\Software\\Contoso -Name Count -PropertyType DWord -Value 3 | % Count\n"
              "New-ItemProperty -Path HKCU:\\Software\\Contoso -Name Count -Value 4\n"
              "Set-ItemProperty HKCU:\\Software\\Contoso Count 5\n"
              "$k = Get-ItemProperty HKCU:\\Software\\Contoso\n\"$($k.LastRun) $($k.Count) $($k.Count.GetType().Name)\"\n"
              "Remove-ItemProperty -Path HKCU:\\Software\\Contoso -Name LastRun\n"
              "(Get-Item HKCU:\\Software\\Contoso).Property\n"
              "Remove-ItemProperty -Path HKCU:\\Software\\Contoso -Name LastRun")
    r = run(session, script)
    assert r.stdout.splitlines() == ["HKEY_CURRENT_USER\\Software\\Contoso", "3", "2026-02-20 5 Int32", "Count"]
    assert "The property already exists." in r.stderr
    assert r.stderr.count("Property LastRun does not exist at path HKEY_CURRENT_USER\\Software\\Contoso.") == 1
    r2 = run(session, "Test-Path HKCU:\\Software\\Contoso")
    assert r2.stdout == "False\n"
