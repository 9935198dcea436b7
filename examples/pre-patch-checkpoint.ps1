# Pre-patch checkpoints: take a production checkpoint of each VM before patching, "patch", and
# roll back every VM whose patch failed. Usage:
#   hvemu run --world examples/worlds/fleet.toml examples/pre-patch-checkpoint.ps1 -FailOn SRV-APP02
param(
    [string[]]$VMName = @("SRV-APP01", "SRV-APP02", "SRV-WEB01"),
    [string]$Ticket = "CHG0042117",
    [string[]]$FailOn = @()
)

$stamp = Get-Date -Format 'yyyy-MM-dd'
$checkpointName = "Pre-patch $Ticket $stamp"

foreach ($vm in $VMName) {
    Checkpoint-VM -Name $vm -SnapshotName $checkpointName
    Write-Host "Checkpoint '$checkpointName' taken on $vm"
}

foreach ($vm in $VMName) {
    # Stand-in for the real patch job: the VMs listed in -FailOn fail.
    $patched = $FailOn -notcontains $vm
    if ($patched) {
        Write-Host "$vm patched; keeping its checkpoint until validation"
    }
    else {
        Write-Warning "$vm failed to patch: restoring '$checkpointName'"
        $cp = Get-VMCheckpoint -VMName $vm -Name $checkpointName
        Restore-VMCheckpoint -VMCheckpoint $cp -Confirm:$false
        Start-VM -Name $vm
    }
}

Get-VM -Name $VMName | Select-Object Name, State, Status, ParentCheckpointName | Format-Table -AutoSize
