$switchName = 'packer-build'
$vmName = 'packer-ubuntu'
$switches = Hyper-V\Get-VMSwitch -Name $switchName -ErrorAction SilentlyContinue
if ($switches.Count -eq 0) {
    Hyper-V\New-VMSwitch -Name $switchName -SwitchType Internal | Out-Null
    'created switch'
}
Hyper-V\New-VM -Name $vmName -Path 'D:\Builds' -MemoryStartupBytes 2GB -NewVHDPath "D:\Builds\$vmName.vhdx" `
    -NewVHDSizeBytes 40GB -SwitchName $switchName -Generation 2 | Out-Null
Hyper-V\Set-VMNetworkAdapter $vmName -StaticMacAddress '00155D01F00D'
Hyper-V\Set-VMNetworkAdapter -VMName $vmName -MacAddressSpoofing On
Hyper-V\Set-VMNetworkAdapterVlan -VMName $vmName -Access -VlanId 42
$adapter = Hyper-V\Get-VMNetworkAdapter -VMName $vmName -ErrorAction SilentlyContinue
$adapter[0].MacAddress
(Hyper-V\Get-VMNetworkAdapter -VMName $vmName).SwitchName
(Hyper-V\Get-VMNetworkAdapterVlan -VMName $vmName).AccessVlanId
Hyper-V\Start-VM -Name $vmName -Confirm:$false
$ip = $null
$tries = 0
while (-not $ip -and $tries -lt 30) {
    $ip = (Hyper-V\Get-VMNetworkAdapter -VMName $vmName).IPAddresses | Select-Object -First 1
    $tries++
    if (-not $ip) { Start-Sleep -Seconds 2 }
}
'guest address is IPv4: ' + ($ip -match '^\d+\.\d+\.\d+\.\d+$')
Hyper-V\Stop-VM -Name $vmName -TurnOff -Force -Confirm:$false
$switch = (Hyper-V\Get-VMNetworkAdapter -VMName $vmName).SwitchName
Hyper-V\Remove-VMNetworkAdapter -VMName $vmName
Hyper-V\Add-VMNetworkAdapter -VMName $vmName -SwitchName $switch -Name $vmName -IsLegacy $false
Hyper-V\Get-VMNetworkAdapter -VMName $vmName | Format-Table Name, SwitchName, DynamicMacAddressEnabled
Hyper-V\Remove-VM -Name $vmName -Force -Confirm:$false
$switch = Hyper-V\Get-VMSwitch -Name $switchName -ErrorAction SilentlyContinue
if ($switch -ne $null) {
    $switch | Hyper-V\Remove-VMSwitch -Force -Confirm:$false
}
@(Hyper-V\Get-VMSwitch).Count
