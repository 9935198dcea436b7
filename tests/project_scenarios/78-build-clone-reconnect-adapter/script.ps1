Hyper-V\Export-VM -Name 'golden' -Path 'E:\Export'
$path = Get-ChildItem -Path 'E:\Export\golden\Virtual Machines' -Filter *.vmcx -Recurse | Select-Object -First 1 | ForEach-Object { $_.FullName }
$compatibilityReport = Hyper-V\Compare-VM -Path $path -VirtualMachinePath 'E:\B' -SmartPagingFilePath 'E:\B' -SnapshotFilePath 'E:\B' -VhdDestinationPath 'E:\B\Virtual Hard Disks' -GenerateNewId -Copy:$false
$networkAdaptor = $compatibilityReport.VM.NetworkAdapters | Select -First 1
$networkAdaptor.SwitchName
Hyper-V\Disconnect-VMNetworkAdapter -VMNetworkAdapter $networkAdaptor
Hyper-V\Connect-VMNetworkAdapter -VMNetworkAdapter $networkAdaptor -SwitchName 'Build'
$vm = Hyper-V\Import-VM -CompatibilityReport $compatibilityReport
if ($vm) { $result = Hyper-V\Rename-VM -VM $vm -NewName 'clone' }
(Get-VMNetworkAdapter -VMName clone).SwitchName
(Get-VMNetworkAdapter -VMName golden).SwitchName
