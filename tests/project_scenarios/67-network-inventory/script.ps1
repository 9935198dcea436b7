Get-VMSwitch | Sort-Object Name | ForEach-Object {
    $switch = $_
    $adapters = Get-VMNetworkAdapter -VMName * | Where-Object SwitchName -eq $switch.Name
    '{0} ({1}): {2}' -f $switch.Name, $switch.SwitchType, (($adapters | ForEach-Object { "$($_.VMName)/$($_.Name)" }) -join ', ')
}
(Get-VMNetworkAdapter -VMName GW01).Count
