$vm = Get-VM -Name DC01
Get-VMNetworkAdapter -VM $vm | Rename-VMNetworkAdapter -NewName 'LabNet'
Connect-VMNetworkAdapter -VMName DC01 -Name LabNet -SwitchName LabNet
Add-VMNetworkAdapter -VM $vm -Name Internet -SwitchName Internet -StaticMacAddress '00155D0A0001'
Checkpoint-VM -VM $vm -SnapshotName 'Baseline'
Get-VMNetworkAdapter -VM $vm | Remove-VMNetworkAdapter
Add-VMNetworkAdapter -VM $vm -Name Temp
Get-VMNetworkAdapter -VMName DC01 | ForEach-Object { '{0} -> [{1}]' -f $_.Name, $_.SwitchName }
Restore-VMSnapshot -VMName DC01 -Name Baseline -Confirm:$false
Get-VMNetworkAdapter -VMName DC01 | Format-Table Name, SwitchName, MacAddress -AutoSize | Out-String -Stream |
    Where-Object { $_ -notmatch '^Network|^LabNet' }
(Get-VMNetworkAdapter -VMName DC01 -Name LabNet).DynamicMacAddressEnabled
