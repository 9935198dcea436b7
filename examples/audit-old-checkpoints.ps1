# Audit: VMs with checkpoints older than -Days (seed 000's audit, with a parameter).
param([int]$Days = 7)

$threshold = (Get-Date).AddDays(-$Days)

Get-VM | ForEach-Object {
    Get-VMCheckpoint -VMName $_.Name -ErrorAction SilentlyContinue
} | Where-Object { $_.CreationTime -lt $threshold } |
    Select-Object VMName, Name, CreationTime,
        @{N='Age (days)';E={((Get-Date) - $_.CreationTime).Days}} |
    Format-Table -AutoSize
