# The nightly job of the guides: take today's checkpoint, then remove the ones older than the
# retention (7 days). The Task Scheduler runs it as
#   powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\Scripts\daily-checkpoint-retention.ps1 -VMName SRV-APP01
param(
    [Parameter(Mandatory = $true)][string]$VMName,
    [int]$RetentionDays = 7
)

Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format 'yyyy-MM-dd')"

$threshold = (Get-Date).AddDays(-$RetentionDays)
Get-VMCheckpoint -VMName $VMName |
    Where-Object { $_.CreationTime -lt $threshold } |
    Remove-VMCheckpoint
"$(Get-Date -Format s) $VMName has $(@(Get-VMCheckpoint -VMName $VMName).Count) checkpoints"
