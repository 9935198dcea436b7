# Get-VM with a pattern lists the VMs in the host's enumeration order (the module sorts only
# when no -Name is given), so the report sorts them itself.
param([string]$Lab = 'LAB1', [string]$SnapshotName = 'Baseline')

$machines = Get-VM -Name "$Lab-*"
$wasRunning = @($machines | Where-Object State -eq 'Running' | Select-Object -ExpandProperty Name)
$machines | Where-Object State -ne 'Off' | Stop-VM -TurnOff -Force

foreach ($machine in $machines) {
    $snapshot = Get-VMSnapshot -VM $machine -Name $SnapshotName -ErrorAction SilentlyContinue
    if (-not $snapshot) {
        Write-Warning "$($machine.Name) has no checkpoint '$SnapshotName'"
        continue
    }
    $snapshot | Restore-VMSnapshot -Confirm:$false
}
$machines | Where-Object Name -in $wasRunning | Start-VM
Get-VM -Name "$Lab-*" | Sort-Object Name | ForEach-Object { '{0}: {1} (from {2})' -f $_.Name, $_.State, $_.ParentSnapshotName }
