#Requires -RunAsAdministrator
[CmdletBinding()]
param([ValidateRange(1, 50)][int]$Keep = 2)

$groups = Get-VM | Get-VMSnapshot | Group-Object -Property VMName
foreach ($group in $groups) {
    $old = $group.Group | Sort-Object -Property CreationTime -Descending | Select-Object -Skip $Keep
    foreach ($snapshot in $old) {
        Write-Output ("[{0}] removing '{1}' ({2:yyyy-MM-dd HH:mm})" -f $group.Name, $snapshot.Name, $snapshot.CreationTime)
        $snapshot | Remove-VMSnapshot
    }
    if (-not $old) { Write-Output "[$($group.Name)] nothing to remove" }
}
Start-Sleep -Seconds 5
Get-VM | Select-Object Name, @{n = 'Checkpoints'; e = { @($_ | Get-VMSnapshot).Count } }, Status | Format-Table -AutoSize
