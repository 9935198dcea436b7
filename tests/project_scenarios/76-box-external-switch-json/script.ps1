$switch = $null
$names = @('ethernet', 'wi-fi', 'lan')
$adapters = foreach ($name in $names) {
    Get-NetAdapter -Physical -Name $name -ErrorAction SilentlyContinue | Where-Object Status -eq 'up'
}
foreach ($adapter in $adapters) {
    $switch = Hyper-V\Get-VMSwitch -SwitchType External | Where-Object { $_.NetAdapterInterfaceDescription -eq $adapter.InterfaceDescription }
    if ($switch -eq $null) {
        $switch = Hyper-V\New-VMSwitch -Name 'vagrant-external' -NetAdapterName $adapter.Name -AllowManagementOS $true -Notes 'Parent OS, VMs, LAN'
    }
    if ($switch -ne $null) {
        break
    }
}
if ($switch -ne $null) {
    Hyper-V\Get-VMNetworkAdapter -VMName 'box01' | Hyper-V\Connect-VMNetworkAdapter -VMSwitch $switch
} else {
    Write-Error 'No internet adapters found'
}
(Hyper-V\Get-VMNetworkAdapter -VMName 'box01').SwitchName
$Switches = @(Hyper-V\Get-VMSwitch | Select-Object Name, SwitchType, NetAdapterInterfaceDescription)
ConvertTo-Json $Switches
