#Requires -Modules Hyper-V
# Lab baseline: refuse to run unelevated, load the helpers, log everything to a transcript.
$principal = New-Object Security.Principal.WindowsPrincipal([Security.Principal.WindowsIdentity]::GetCurrent())
if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
    throw 'This script must be run as Administrator.'
}

. "$PSScriptRoot\lab-helpers.ps1"

$log = 'C:\ProgramData\Lab\lab-baseline.log'
New-Item -ItemType Directory -Path (Split-Path $log) -Force | Out-Null
Start-Transcript -Path $log | Out-Null

Write-LabLog "Running as $([Environment]::UserName), elevated: $($principal.IsInRole('Administrators'))"
foreach ($vm in Get-VM -Name 'LAB-*') {
    $name = New-LabCheckpointName $vm.Name
    Write-LabLog "Checkpoint '$name' of $($vm.Name) ($($vm.State))"
    Checkpoint-VM -VM $vm -SnapshotName $name
}
Write-LabLog 'Done'

Stop-Transcript | Out-Null

''
'Logged lines:'
Get-Content $log | Where-Object { $_.StartsWith("$LabPrefix ") } | ForEach-Object { '  ' + $_ }
''
Get-VM | Get-VMSnapshot | ForEach-Object { "$($_.VMName): $($_.Name)" }
