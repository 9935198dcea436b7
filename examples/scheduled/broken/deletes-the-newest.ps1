# A deliberately broken variant of ../daily-checkpoint-retention.ps1: it sorts the wrong way and
# removes the newest checkpoints (the one it has just taken) instead of the oldest.
param(
    [Parameter(Mandatory = $true)][string]$VMName,
    [int]$Keep = 8
)

Checkpoint-VM -Name $VMName -SnapshotName "Daily $(Get-Date -Format 'yyyy-MM-dd')"

$all = @(Get-VMCheckpoint -VMName $VMName | Sort-Object CreationTime -Descending)
if ($all.Count -gt $Keep) {
    $all | Select-Object -First ($all.Count - $Keep) | Remove-VMCheckpoint
}
