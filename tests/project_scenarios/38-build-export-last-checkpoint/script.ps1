param([string]$vmName = 'win2022-golden', [string]$path = 'D:\Build\output', [string]$snapshotName = '')
$ErrorActionPreference = 'Stop'

if (!(Test-Path $path)) {
    New-Item -ItemType Directory -Force -Path $path | Out-Null
}
if ($snapshotName) {
    $snapshot = Hyper-V\Get-VMSnapshot -VMName $vmName -Name $snapshotName
} else {
    $snapshot = Hyper-V\Get-VMSnapshot -VMName $vmName | Select-Object -Last 1
}
"Exporting '$($snapshot.Name)' of $vmName"
Hyper-V\Export-VMSnapshot -VMSnapshot $snapshot -Path $path

$root = Join-Path $path $vmName
foreach ($folder in 'Virtual Machines', 'Virtual Hard Disks') {
    "{0}: {1}" -f $folder, (Test-Path (Join-Path $root $folder) -PathType Container)
}
(Get-ChildItem (Join-Path $root 'Virtual Machines') -Filter *.vmcx | Measure-Object).Count
