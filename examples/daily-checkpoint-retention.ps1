# The scheduled job seed 001 describes: a daily checkpoint, and removal of the checkpoints older
# than the retention (7 days by default). Usage:
#   hvemu run --world examples/worlds/fleet.toml examples/daily-checkpoint-retention.ps1 -VMName SRV-APP01
param(
    [Parameter(Mandatory = $true)][string]$VMName,
    [int]$RetentionDays = 7
)

Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format 'yyyy-MM-dd')"

$threshold = (Get-Date).AddDays(-$RetentionDays)
$old = Get-VMCheckpoint -VMName $VMName | Where-Object { $_.CreationTime -lt $threshold }
foreach ($cp in $old) {
    Write-Host "Removing $($cp.Name) ($([int]((Get-Date) - $cp.CreationTime).TotalDays) days old)"
    $cp | Remove-VMCheckpoint
}

Get-VMCheckpoint -VMName $VMName | Select-Object Name, CreationTime, ParentCheckpointName | Format-Table -AutoSize
