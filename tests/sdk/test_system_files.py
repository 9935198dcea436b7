"""The Hyper-V role's binaries every host has, on every backend.

Expected behaviour: a Windows Server 2022 host with Hyper-V has C:\\Windows\\System32\\vmms.exe
(the Virtual Machine Management Service) and vmwp.exe (the worker process); their version
resource gives ProductVersion 10.0.20348.x (build 20348 is Windows Server 2022), which scripts read
through FileInfo.VersionInfo; an administrator cannot delete or overwrite them
(UnauthorizedAccessException: TrustedInstaller owns them).
"""

from __future__ import annotations

import pytest

from hyperv_emu import sdk


def test_vmms_exe_has_the_server_2022_version(client):
    info = client.file_info("C:\\Windows\\System32\\vmms.exe")
    assert info is not None and not info.is_dir and info.length > 0
    assert info.product_version is not None and info.product_version.startswith("10.0.20348.")
    assert info.company_name == "Microsoft Corporation"
    names = {f.name.casefold() for f in client.list_dir("C:\\Windows\\System32")}
    assert {"vmms.exe", "vmwp.exe"} <= names
    assert "windows" in {f.name.casefold() for f in client.list_dir("C:\\")}


def test_system_binaries_cannot_be_deleted(client, is_emulated):
    if not is_emulated:
        pytest.skip("the emulator's host files")
    with pytest.raises(sdk.HyperVError):
        client.delete_file("C:\\Windows\\System32\\vmms.exe")
    assert client.file_info("C:\\Windows\\System32\\vmms.exe") is not None
