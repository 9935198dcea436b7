"""-WhatIf texts of the emulated Hyper-V cmdlets: the module's own (CmdletResources.ShouldProcess_*
in the decompiled Hyper-V module), not paraphrases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Run = Callable[[str], tuple[str, str]]

CASES = [
    ("Set-VM SRV-APP01 -Notes x -WhatIf", 'Set-VM will configure the virtual machine "SRV-APP01".'),
    ("Export-VM SRV-APP01 -Path D:\\Out -WhatIf", 'Export-VM will export the virtual machine "SRV-APP01" to the given location.'),
    ("Move-VMStorage SRV-APP01 -DestinationStoragePath E:\\VMs -WhatIf",
     'Move-VMStorage will move the storage of virtual machine "SRV-APP01".'),
    ("Import-VM -Path 'D:\\Out\\SRV-APP01\\Virtual Machines\\x.vmcx' -WhatIf",
     "Import-VM will import the virtual machine from the provided configuration file or compatibility report."),
    ("Rename-VM SRV-APP01 -NewName X -WhatIf", 'Rename-VM will rename the virtual machine "SRV-APP01" to "X".'),
    ("Set-VMMemory SRV-APP01 -StartupBytes 2GB -WhatIf",
     'Set-VMMemory will configure the memory settings of the virtual machine "SRV-APP01".'),
    ("Set-VMProcessor SRV-APP01 -Count 2 -WhatIf",
     'Set-VMProcessor will configure the processor settings of the virtual machine "SRV-APP01".'),
    ("Add-VMHardDiskDrive SRV-APP01 -Path D:\\VHDs\\x.vhdx -WhatIf",
     'Add-VMHardDiskDrive will add a hard disk drive to virtual machine "SRV-APP01".'),
    ("Get-VMHardDiskDrive SRV-APP01 | Remove-VMHardDiskDrive -WhatIf",
     'Remove-VMHardDiskDrive will remove the hard disk drive "Hard Drive on SCSI controller number 0 at location 0" '
     'from the virtual machine "SRV-APP01".'),
    ("New-VHD -Path D:\\VHDs\\n.vhdx -SizeBytes 1GB -WhatIf",
     'New-VHD will create a new virtual hard disk with the path "D:\\VHDs\\n.vhdx".'),
    ("Resize-VHD -Path D:\\VHDs\\SRV-APP01.vhdx -SizeBytes 20GB -WhatIf",
     'Resize-VHD will resize the virtual hard disk "D:\\VHDs\\SRV-APP01.vhdx".'),
    ("Optimize-VHD -Path D:\\VHDs\\SRV-APP01.vhdx -WhatIf",
     'Optimize-VHD will compact the virtual hard disk "D:\\VHDs\\SRV-APP01.vhdx" to reduce disk space usage.'),
]


@pytest.mark.parametrize(("script", "text"), CASES, ids=[c[0].split()[0] + str(i) for i, c in enumerate(CASES)])
def test_whatif_text_is_the_modules(run: Run, script: str, text: str) -> None:
    out, err = run(script)
    assert err == ""
    assert f"What if: {text}" in out.splitlines(), out
