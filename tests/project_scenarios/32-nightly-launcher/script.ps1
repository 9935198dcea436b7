# The operator picks the VMs and gives the job account; each VM's checkpoint is taken by the
# nightly job script, run as a new powershell.exe that must never prompt.
$job = 'C:\Scripts\nightly-checkpoint.ps1'
New-Item -ItemType Directory -Path (Split-Path $job) -Force | Out-Null
Set-Content -Path $job -Value @'
param([Parameter(Mandatory)][string]$VMName, [string]$Label = 'Nightly')
$name = "$Label $(Get-Date -Format 'yyyy-MM-dd')"
Checkpoint-VM -Name $VMName -SnapshotName $name -ErrorAction Stop
"  [$VMName] checkpoint '$name' taken"
'@

$picked = Get-VM | Sort-Object Name | Select-Object Name, State |
    Out-GridView -Title 'VMs to checkpoint tonight' -PassThru
$cred = Get-Credential -UserName 'CONTOSO\svc-hyperv' -Message 'Account of the nightly job'
"Job account: $($cred.UserName), password of $($cred.GetNetworkCredential().Password.Length) characters"

foreach ($vm in $picked) {
    $arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File $job -VMName $($vm.Name)"
    $p = Start-Process -FilePath powershell.exe -ArgumentList $arguments -NoNewWindow -Wait -PassThru
    "$($vm.Name) ($($vm.State)): exit code $($p.ExitCode)"
}
$p = Start-Process powershell.exe -ArgumentList "-NonInteractive -File $job" -NoNewWindow -Wait -PassThru
"Without -VMName: exit code $($p.ExitCode)"

''
Get-VM | Get-VMSnapshot | ForEach-Object { "$($_.VMName): $($_.Name)" }
