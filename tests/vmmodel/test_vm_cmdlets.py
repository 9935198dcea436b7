"""The VM-level cmdlets through psshim: what a script sees (output, errors, state changes).

Expected texts: the "current state" refusal is Hyper-V's (hyperv-reference.md §6); Restart-VM's
confirmation query is the one in Microsoft's Restart-VM example.
"""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[[str], tuple[str, str]]
BAD_STATE = "The operation cannot be performed while the virtual machine is in its current state."


def test_set_vm_processor_count_while_running_is_refused(run: Run) -> None:
    out, err = run("Set-VM SRV-WEB01 -ProcessorCount 4; (Get-VM SRV-WEB01).ProcessorCount")
    assert out.strip() == "2"
    assert BAD_STATE in err and "InvalidState,Microsoft.HyperV.PowerShell.Commands.SetVM" in err


def test_set_vm_automatic_actions_and_passthru(run: Run) -> None:
    out, err = run("Set-VM SRV-APP01 -AutomaticStartAction Nothing -AutomaticStopAction TurnOff "
                   "-AutomaticStartDelay 30 -DynamicMemory -MemoryMinimumBytes 512MB -MemoryMaximumBytes 2GB "
                   "-Notes 'db' -Passthru | ForEach-Object { \"$($_.AutomaticStartAction) $($_.AutomaticStopAction) "
                   "$($_.AutomaticStartDelay) $($_.DynamicMemoryEnabled) $($_.MemoryMaximum) $($_.Notes)\" }")
    assert err == ""
    assert out.strip() == "Nothing TurnOff 30 True 2147483648 db"


def test_set_vm_bad_enum_is_a_binding_error(run: Run) -> None:
    _out, err = run("Set-VM SRV-APP01 -AutomaticStopAction Hibernate")
    assert "Cannot bind parameter 'AutomaticStopAction'" in err or "AutomaticStopAction" in err
    assert "Traceback" not in err and "internal error" not in err


def test_set_vmmemory_bad_size_is_a_clear_error(run: Run) -> None:
    _out, err = run("Set-VMMemory SRV-APP01 -StartupBytes 1000")
    assert "multiple of 2 MB" in err and "Set-VMMemory" in err and "Traceback" not in err


def test_get_vmmemory_and_processor_tables(run: Run) -> None:
    out, err = run("Get-VMMemory SRV-WEB01 | Format-Table -AutoSize | Out-String -Width 200; "
                   "Get-VMProcessor SRV-WEB01 | Format-Table -AutoSize | Out-String -Width 200")
    assert err == ""
    lines = [line.split() for line in out.splitlines() if line.strip() and not line.startswith("-")]
    assert lines[0] == ["VMName", "DynamicMemoryEnabled", "Minimum(M)", "Startup(M)", "Maximum(M)"]
    assert lines[1] == ["SRV-WEB01", "True", "1024", "2048", "4096"]
    assert lines[2] == ["VMName", "Count", "CompatibilityForMigrationEnabled",
                        "CompatibilityForOlderOperatingSystemsEnabled"]
    assert lines[3] == ["SRV-WEB01", "2", "False", "False"]


def test_rename_save_remove_saved_state(run: Run) -> None:
    out, err = run("Rename-VM SRV-WEB01 -NewName SRV-WEB02; Save-VM SRV-WEB02; (Get-VM SRV-WEB02).State; "
                   "Remove-VMSavedState SRV-WEB02; (Get-VM SRV-WEB02).State; @(Get-VM SRV-WEB01 -ErrorAction "
                   "SilentlyContinue).Count")
    assert err == ""
    assert out.split() == ["Saved", "Off", "0"]


def test_restart_vm_without_force_asks(run: Run) -> None:
    _out, err = run("Restart-VM SRV-WEB01")
    assert "NonInteractive mode" in err  # the hard-reset confirmation cannot be asked in a script
    out, err = run("Start-Sleep 100; Restart-VM SRV-WEB01 -Force -Passthru | ForEach-Object { $_.Uptime.TotalSeconds }")
    assert (out.strip(), err) == ("0", "")


def test_wait_vm(run: Run) -> None:
    out, err = run("Wait-VM SRV-WEB01 -For IPAddress -Timeout 5; 'up'; "
                   "Wait-VM SRV-APP01 -For Heartbeat -Timeout 120; (Get-Date).ToString('HH:mm:ss')")
    assert out.split() == ["up", "08:02:00"]
    # the module's CmdletErrorMessages.OperationFailed_ConditionNotSatisfied, raised as an operation failure
    assert "This command stopped operation because the specified condition is not satisfied in the specified " \
           "time-out." in err.replace("\n", "")
    assert "OperationFailed,Microsoft.HyperV.PowerShell.Commands.WaitVM" in err
    _out, err = run("Wait-VM SRV-APP01")
    assert "would wait forever" in err


def test_integration_service_switch_drives_vss(run: Run) -> None:
    out, err = run("Set-VM SRV-WEB01 -CheckpointType ProductionOnly; "
                   "Disable-VMIntegrationService -VMName SRV-WEB01 -Name VSS; "
                   "Checkpoint-VM SRV-WEB01 -SnapshotName p -ErrorAction SilentlyContinue; "
                   "@(Get-VMSnapshot SRV-WEB01).Count; "
                   "Get-VMIntegrationService SRV-WEB01 -Name VSS | Enable-VMIntegrationService -Passthru | "
                   "ForEach-Object Enabled; Checkpoint-VM SRV-WEB01 -SnapshotName p; (Get-VMSnapshot SRV-WEB01).Name")
    assert err == ""
    assert out.split() == ["0", "True", "p"]


def test_vmhost(run: Run) -> None:
    out, err = run("Set-VMHost -VirtualMachinePath 'E:\\VMs' -VirtualHardDiskPath 'E:\\VHDs'; "
                   "(Get-VMHost).VirtualMachinePath; (Get-VMHost).VirtualHardDiskPath; (New-VM N1 -NoVHD).Path")
    assert err == ""
    assert out.split() == ["E:\\VMs", "E:\\VHDs", "E:\\VMs"]


def test_memory_limits_need_dynamic_memory(run: Run) -> None:
    # the module's checks and texts (SetVMMemory.cs / SetVM.cs, CmdletErrorMessages): SRV-APP01 has static memory
    _out, err = run("Set-VMMemory SRV-APP01 -MinimumBytes 512MB; Set-VM SRV-APP01 -MemoryMaximumBytes 4GB; "
                    "Set-VM SRV-APP01 -DynamicMemory -StaticMemory")
    flat = err.replace("\n", " ")
    assert "Setting maximum, minimum, and buffer settings requires Dynamic Memory to be enabled." in flat
    assert flat.count("Dynamic and static memory settings cannot be specified together.") == 2
    assert "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.SetVMMemory" in err
    assert err.count("InvalidParameter,Microsoft.HyperV.PowerShell.Commands.SetVM\n") == 2


def test_memory_limits_with_dynamic_memory_turned_on(run: Run) -> None:
    out, err = run("Set-VMMemory SRV-APP01 -DynamicMemoryEnabled $true -MinimumBytes 512MB -MaximumBytes 4GB; "
                   "(Get-VMMemory SRV-APP01).Maximum")
    assert err == "" and out.strip() == str(4 * 1024**3)
