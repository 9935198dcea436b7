# A deliberately broken variant of ../daily-checkpoint-retention.ps1: the threshold is one day too
# far back, so the job keeps a ninth checkpoint from its ninth night on.
param(
    [Parameter(Mandatory = $true)][string]$VMName,
    [int]$RetentionDays = 7
)

Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format 'yyyy-MM-dd')"

$threshold = (Get-Date).AddDays(-($RetentionDays + 1))
Get-VMCheckpoint -VMName $VMName |
    Where-Object { $_.CreationTime -lt $threshold } |
    Remove-VMCheckpoint
