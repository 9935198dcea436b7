# A group checkpoint of a multi-tier application (seed 004): save every tier, checkpoint every
# tier while they are all saved, then start them again.
param([string[]]$VMName = @("SRV-WEB01", "SRV-APP01", "SRV-APP02"))

Stop-VM -Name $VMName -Save
Checkpoint-VM -Name $VMName -SnapshotName "Group $(Get-Date -Format 'yyyy-MM-dd HH:mm')"
Start-VM -Name $VMName

Get-VMSnapshot -VMName $VMName | Select-Object VMName, Name, State | Format-Table -AutoSize
