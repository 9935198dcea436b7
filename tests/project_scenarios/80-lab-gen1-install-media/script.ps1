$vmName = 'LAB-DC01'
$media = 'D:\Lab\ISOs\WS2019_EVAL.iso'
New-Item -ItemType Directory -Path 'D:\Lab\ISOs' -Force | Out-Null
Set-Content -Path $media -Value 'CD001'

Get-VMDvdDrive -VMName $vmName
Set-VMDvdDrive -VMName $vmName -ControllerNumber 1 -ControllerLocation 0 -Path $media
Set-VMBios -VMName $vmName -StartupOrder @('CD', 'IDE', 'LegacyNetworkAdapter', 'Floppy') -EnableNumLock
Get-VMBios -VMName $vmName | Format-List StartupOrder, NumLockEnabled
Get-VMDvdDrive -VMName $vmName

Get-VMIdeController -VMName $vmName | ForEach-Object { "IDE $($_.ControllerNumber): $(@($_.Drives).Count) drive(s)" }

Set-VMDvdDrive -VMName $vmName -ControllerNumber 1 -ControllerLocation 0 -Path $null
$order = Get-VMBios -VMName $vmName | Select-Object -ExpandProperty StartupOrder | Where-Object { $_ -ne 'IDE' }
Set-VMBios -VMName $vmName -StartupOrder (@('IDE') + $order)
"Startup order: $((Get-VMBios -VMName $vmName).StartupOrder -join ', ')"
"Media: $((Get-VMDvdDrive -VMName $vmName).DvdMediaType)"
