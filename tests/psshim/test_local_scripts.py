"""Scripts on this machine (issue 12, point 1): a script run from a local folder keeps its real
POSIX path, reads code and data beside it (dot-source, Import-Module, #Requires through a local
$env:PSModulePath entry, the path cmdlets) with either separator, and cannot change a local file:
every write goes to the emulated host.

Expected values follow PowerShell's documented behaviour on a POSIX file system (pwsh on Linux:
`/` is the root and the separator, `\\` is read as a separator too); the errors are .NET's.
"""

from __future__ import annotations

import pathlib

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.runtime import localpaths, paths
from hyperv_emu.psshim.session import RunResult, Session


@pytest.fixture
def session(memory_url: str) -> Session:
    return Session.from_world_text(T.base_world(extra=T.vm_table("SRV-APP01")), memory_url, environment={})


def write(folder: pathlib.Path, rel: str, text: str) -> pathlib.Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def lines(result: RunResult) -> list[str]:
    assert result.stderr == "", result.stderr
    return [line.rstrip() for line in result.stdout.splitlines() if line.strip()]


# --- path logic (no files) ---------------------------------------------------------------------


@pytest.mark.parametrize(("parent", "child", "joined"), [
    ("/srv/app", "lib.ps1", "/srv/app/lib.ps1"),
    ("/srv/app/", "\\lib\\x.ps1", "/srv/app/lib/x.ps1"),
    ("/srv/app\\sub", "x.ps1", "/srv/app/sub/x.ps1"),
    ("C:\\Temp", "x/y", "C:\\Temp\\x\\y"),
])
def test_join_keeps_the_separator_of_the_parents_file_system(parent: str, child: str, joined: str) -> None:
    assert paths.join(parent, child) == joined


@pytest.mark.parametrize(("base", "path", "resolved"), [
    ("C:\\Users\\Administrator", "/srv/app\\lib.ps1", "/srv/app/lib.ps1"),
    ("C:\\Users\\Administrator", "/srv/app/./sub/../lib.ps1", "/srv/app/lib.ps1"),
    ("/srv/app", ".\\lib.ps1", "/srv/app/lib.ps1"),
    ("/srv/app", "../other/x.ps1", "/srv/other/x.ps1"),
    ("/srv/app", "\\etc\\hosts", "/etc/hosts"),
    ("/srv/app", "C:\\x.txt", "C:\\x.txt"),
    ("C:\\Users\\Administrator", ".\\x.txt", "C:\\Users\\Administrator\\x.txt"),
])
def test_resolve_local_and_host_paths(base: str, path: str, resolved: str) -> None:
    assert paths.resolve(base, path) == resolved


def test_parent_and_leaf_of_local_paths() -> None:
    assert [paths.parent("/srv/app\\lib.ps1"), paths.parent("/srv"), paths.parent("/")] == ["/srv/app", "/", ""]
    assert paths.leaf("/srv/app\\lib.ps1") == "lib.ps1"
    assert not localpaths.is_local("//server/share") and not localpaths.is_local("C:/x")
    assert localpaths.module_path_entries("C:\\Mods;/a/b:/c/d;;/e") == ["C:\\Mods", "/a/b", "/c/d", "/e"]


# --- a script file on this machine ------------------------------------------------------------


def test_automatic_variables_keep_the_real_posix_path(session: Session, tmp_path: pathlib.Path) -> None:
    script = write(tmp_path, "scripts/show.ps1",
                   "$PSScriptRoot\n$PSCommandPath\n$MyInvocation.MyCommand.Path\n$MyInvocation.MyCommand.Name\n")
    assert lines(session.run_file(script)) == [str(tmp_path / "scripts"), str(script), str(script), "show.ps1"]


@pytest.mark.parametrize("dot_source", [
    ". $PSScriptRoot\\lib\\lib.ps1",
    '. "$PSScriptRoot/lib/lib.ps1"',
    ". (Join-Path $PSScriptRoot 'lib\\lib.ps1')",
    "Set-Location $PSScriptRoot; . .\\lib\\lib.ps1",
])
def test_dot_sourcing_a_library_beside_the_script(session: Session, tmp_path: pathlib.Path, dot_source: str) -> None:
    write(tmp_path, "lib/lib.ps1", "function Get-Lib { \"lib:$($args[0])\" }\n$LibRoot = $PSScriptRoot\n")
    script = write(tmp_path, "main.ps1", f"{dot_source}\nGet-Lib 1\n$LibRoot\n$PSScriptRoot\n")
    # inside the library $PSScriptRoot is the library's folder; back in the caller it is the caller's
    assert lines(session.run_file(script)) == ["lib:1", str(tmp_path / "lib"), str(tmp_path)]


def test_import_module_by_path_and_by_name(session: Session, tmp_path: pathlib.Path) -> None:
    write(tmp_path, "Mod.psm1", "function Get-Mod { 'mod' }\n")
    write(tmp_path, "modules/Named/Named.psm1", "function Get-Named { \"named in $PSScriptRoot\" }\n")
    script = write(tmp_path, "main.ps1",
                   "Import-Module $PSScriptRoot\\Mod.psm1\nGet-Mod\n"
                   "$env:PSModulePath = $env:PSModulePath + ';' + (Join-Path $PSScriptRoot modules)\n"
                   "Import-Module Named\nGet-Named\n(Get-Module Named).ModuleBase\n")
    named = tmp_path / "modules" / "Named"
    assert lines(session.run_file(script)) == ["mod", f"named in {named}", str(named)]


def test_requires_finds_a_module_in_a_local_psmodulepath_folder(memory_url: str, tmp_path: pathlib.Path) -> None:
    write(tmp_path, "utils/Msgs/Msgs.psm1", "function Write-Msg { param([string]$Text) \"msg: $Text\" }\n")
    script = write(tmp_path, "job.ps1", "#Requires -Modules Msgs\nparam([string]$Name)\nWrite-Msg $Name\n")
    env = {"PSModulePath": f"C:\\Program Files\\WindowsPowerShell\\Modules;{tmp_path / 'utils'}"}
    session = Session.from_world_text(T.base_world(), memory_url, environment=env)
    assert lines(session.run_file(script, "-Name", "x")) == ["msg: x"]
    # without the folder the script does not start (ScriptRequiresException)
    bare = Session(session.client, environment={})
    result = bare.run_file(script, "-Name", "x")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.errors[0].fully_qualified_error_id == "ScriptRequiresMissingModules"
    assert "are missing: Msgs." in result.errors[0].message


def test_requires_of_a_script_called_with_the_call_operator(session: Session, tmp_path: pathlib.Path) -> None:
    write(tmp_path, "utils/Msgs/Msgs.psm1", "function Write-Msg { 'from module' }\n")
    write(tmp_path, "child.ps1", "#Requires -Modules Msgs\nWrite-Msg\n")
    script = write(tmp_path, "main.ps1",
                   "& $PSScriptRoot\\child.ps1\n'after missing'\n"
                   "$env:PSModulePath += \";$PSScriptRoot/utils\"\n& \"$PSScriptRoot/child.ps1\"\n")
    result = session.run_file(script)
    assert result.stdout.splitlines() == ["after missing", "from module"]
    assert [e.fully_qualified_error_id for e in result.errors] == ["ScriptRequiresMissingModules"]


def test_path_cmdlets_on_local_paths(session: Session, tmp_path: pathlib.Path) -> None:
    write(tmp_path, "lib/a.ps1", "'a'\n")
    write(tmp_path, "lib/b.txt", "line1\nline2\n")
    script = write(tmp_path, "main.ps1", "\n".join([
        "Join-Path $PSScriptRoot lib\\a.ps1",
        "Split-Path $PSCommandPath -Parent",
        "Split-Path $PSCommandPath -Leaf",
        "Split-Path \"$PSScriptRoot\\lib\\a.ps1\" -Parent",
        "Split-Path $PSScriptRoot -IsAbsolute",
        "Test-Path \"$PSScriptRoot\\lib\\a.ps1\"",
        "Test-Path \"$PSScriptRoot/lib/none.ps1\"",
        "Test-Path $PSScriptRoot\\lib -PathType Container",
        "Test-Path $PSScriptRoot\\lib\\a.ps1 -PathType Container",
        "(Resolve-Path \"$PSScriptRoot\\lib\\..\\main.ps1\").Path",
        "(Get-ChildItem $PSScriptRoot\\lib | ForEach-Object Name) -join ','",
        "(Get-ChildItem $PSScriptRoot\\lib\\*.txt).FullName",
        "(Get-Item $PSScriptRoot\\lib\\b.txt).Length",
        "Get-Content \"$PSScriptRoot\\lib\\b.txt\" -TotalCount 1",
        "Set-Location $PSScriptRoot\\lib",
        "(Get-Location).Path",
        "(Resolve-Path .\\a.ps1).Path",
    ]) + "\n")
    lib = tmp_path / "lib"
    assert lines(session.run_file(script)) == [
        str(lib / "a.ps1"), str(tmp_path), "main.ps1", str(lib), "True", "True", "False", "True", "False",
        str(script), "a.ps1,b.txt", str(lib / "b.txt"), "12", "line1", str(lib), str(lib / "a.ps1")]


def test_local_files_are_read_only(session: Session, tmp_path: pathlib.Path) -> None:
    data = write(tmp_path, "data.txt", "keep\n")
    script = write(tmp_path, "main.ps1", "\n".join([
        "Set-Content $PSScriptRoot\\data.txt 'changed'",
        "Add-Content $PSScriptRoot/data.txt 'more'",
        "Remove-Item $PSScriptRoot\\data.txt",
        "New-Item -ItemType Directory $PSScriptRoot\\made",
        "New-Item -ItemType File $PSScriptRoot\\made.txt",
        "try { 'x' | Out-File $PSScriptRoot\\out.txt } catch { \"caught $($_.FullyQualifiedErrorId)\" }",
        "try { [IO.File]::WriteAllBytes(\"$PSScriptRoot/raw.bin\", [byte[]](1, 2)) } "
        "catch { \"caught $($_.FullyQualifiedErrorId)\" }",
        "Set-Content C:\\Temp.txt 'to the host'",
        "Get-Content C:\\Temp.txt",
    ]) + "\n")
    result = session.run_file(script)
    assert result.stdout.splitlines() == [
        "caught FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand",
        "caught UnauthorizedAccessException", "to the host"]
    # $Error, newest first
    assert [(e.fully_qualified_error_id.split(",")[0], e.category_info.category) for e in result.errors] == [
        ("UnauthorizedAccessException", "NotSpecified"),
        ("FileOpenFailure", "OpenError"),
        ("NewItemUnauthorizedAccessError", "PermissionDenied"),
        ("CreateDirectoryUnauthorizedAccessError", "PermissionDenied"),
        ("RemoveFileSystemItemUnAuthorizedAccess", "PermissionDenied"),
        ("GetContentWriterUnauthorizedAccessError", "PermissionDenied"),
        ("GetContentWriterUnauthorizedAccessError", "PermissionDenied"),
    ]
    assert result.errors[-1].message.startswith(f"Access to the path '{data}' is denied.")
    assert "hvemu lets scripts read files on this machine but not change them" in result.errors[-1].message
    assert data.read_text(encoding="utf-8") == "keep\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.txt", "main.ps1"]
    assert session.client.read_file("C:\\Temp.txt") == b"to the host\r\n"


def test_windows_variables_default_to_the_emulated_hosts(memory_url: str) -> None:
    # a path built as Vagrant's get_vm_status.ps1 builds it: "$($env:SystemRoot)\System32\vmms.exe"
    session = Session.from_world_text(T.base_world(), memory_url, environment={})
    assert lines(session.run_command('"$($env:SystemRoot)\\System32\\vmms.exe"; $env:windir')) == [
        "C:\\Windows\\System32\\vmms.exe", "C:\\Windows"]
    # a variable this machine (or the world's [env]) sets wins
    other = Session(session.client, environment={"SystemRoot": "D:\\Win"})
    assert lines(other.run_command("$env:SystemRoot")) == ["D:\\Win"]


def test_os_version_is_an_operating_system_object(memory_url: str) -> None:
    # System.OperatingSystem: Vagrant's has_vmcx_support.ps1 tests `.Version.Major -ge 10`
    session = Session.from_world_text(T.base_world(), memory_url, environment={})
    assert lines(session.run_command("[System.Environment]::OSVersion.Version.Major -ge 10; "
                                     "[Environment]::OSVersion.Platform; \"$([Environment]::OSVersion)\"")) == [
        "True", "Win32NT", "Microsoft Windows NT 10.0.20348.0"]


def test_only_regular_local_files_are_read(session: Session, tmp_path: pathlib.Path) -> None:
    # a pipe or a device (/dev/zero) would never end: reading one is an access error, not a hang
    import os

    os.mkfifo(tmp_path / "pipe.ps1")
    script = write(tmp_path, "main.ps1", ". $PSScriptRoot\\pipe.ps1\n'after dot-source'\n"
                                         "Get-Content $PSScriptRoot/pipe.ps1\n'after Get-Content'\n"
                                         "Get-ChildItem $PSScriptRoot\\none\n'after Get-ChildItem'\n")
    result = session.run_file(script)
    assert result.stdout.splitlines() == ["after dot-source", "after Get-Content", "after Get-ChildItem"]
    assert [e.fully_qualified_error_id for e in reversed(result.errors)] == [
        "UnauthorizedAccessException", "UnauthorizedAccessException,Microsoft.PowerShell.Commands.GetContentCommand",
        "PathNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand"]
    assert result.errors[-1].message == f"Access to the path '{tmp_path / 'pipe.ps1'}' is denied."


def test_redirection_onto_this_machine_is_refused(session: Session, tmp_path: pathlib.Path) -> None:
    script = write(tmp_path, "main.ps1", "'x' > $PSScriptRoot\\r.txt\n'y' >> \"$PSScriptRoot/r.txt\"\n'next'\n")
    result = session.run_file(script)
    assert result.stdout == "next\n"
    assert [e.exception_type for e in result.errors] == ["System.UnauthorizedAccessException"] * 2
    assert not (tmp_path / "r.txt").exists()
