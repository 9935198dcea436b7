param(
    [string]$VmId = '3f2e1d0c-b9a8-4776-8564-a3b2c1d0e9f8',
    [string]$SnapName = 'before-provision'
)
$ErrorActionPreference = "Stop"

try {
    $VM = Hyper-V\Get-VM -Id $VmId
    $ChkPnt = $VM.CheckpointType
    if ($ChkPnt -eq "Disabled") {
        Hyper-V\Set-VM -VM $VM -CheckpointType "Standard"
    }
    Hyper-V\Checkpoint-VM $VM -SnapshotName $SnapName
    if ($ChkPnt -eq "Disabled") {
        Hyper-V\Set-VM -VM $VM -CheckpointType "Disabled"
    }
} catch {
    Write-Output "Failed to create snapshot: ${PSItem}"
    exit 1
}

$after = Hyper-V\Get-VM -Id $VmId
"Checkpoint type: was $ChkPnt, is $($after.CheckpointType)"
Hyper-V\Get-VMSnapshot -VM $after | ForEach-Object { "$($_.Name) ($($_.State))" }
"Current checkpoint: $($after.ParentSnapshotName)"

# A second checkpoint now fails: the type is back to Disabled.
try {
    Hyper-V\Checkpoint-VM -VM $after -SnapshotName 'again'
} catch {
    "Refused: $($_.CategoryInfo.Reason)"
}
