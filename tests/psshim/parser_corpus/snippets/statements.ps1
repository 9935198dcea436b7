# Statements
$vms = @("SRV-APP01", "SRV-APP02")
foreach ($vm in $vms) {
    Checkpoint-VM -Name $vm -SnapshotName "Pre-patch $(Get-Date -Format 'yyyy-MM-dd')"
}
for ($i = 0; $i -lt 3; $i++) {
    Write-Host $i
}
while ((Get-VM -Name "SRV-APP01").Status -eq "Merging disks") {
    Start-Sleep -Seconds 5
}
do {
    $n = $n + 1
} while ($n -lt 10)
if ($vm.State -eq 'Running') {
    Stop-VM -Name $vm.Name
}
elseif ($vm.State -eq 'Saved') {
    Start-VM -Name $vm.Name
}
else {
    Write-Warning "Unknown state"
}
try {
    Checkpoint-VM -Name $vm -ErrorAction Stop
}
catch {
    Write-Error $_
}
finally {
    Write-Host "done"
}
switch ($state) {
    'Running' {
        Write-Host 'up'
    }
    default {
        Write-Host 'down'
    }
}
