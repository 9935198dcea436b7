param([string]$vmName = 'ubuntu-build', [long]$newSizeInBytes = 42GB)

$firstVhdPath = Hyper-V\Get-VM -Name $vmName | Hyper-V\Get-VMHardDiskDrive |
    Sort-Object ControllerNumber, ControllerLocation | Select-Object -First 1 -ExpandProperty Path
"First disk: $firstVhdPath"
Hyper-V\Get-VHD -Path $firstVhdPath | Hyper-V\Resize-VHD -SizeBytes "$newSizeInBytes"

Hyper-V\Get-VM -Name $vmName | Hyper-V\Get-VMHardDiskDrive | Get-VHD |
    ForEach-Object { '{0} {1} GB {2}' -f (Split-Path $_.Path -Leaf), ($_.Size / 1GB), $_.VhdType }
