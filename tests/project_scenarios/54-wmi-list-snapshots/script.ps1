$ns = 'root\virtualization\v2'
$vm = Get-WmiObject -Namespace $ns -Class Msvm_ComputerSystem -Filter "ElementName = 'LEGACY01'"
$snaps = Get-WmiObject -Namespace $ns -Query "SELECT * FROM Msvm_VirtualSystemSettingData WHERE VirtualSystemType = 'Microsoft:Hyper-V:Snapshot:Realized'"
foreach ($s in $snaps | Sort-Object CreationTime) {
    $created = $s.ConvertToDateTime($s.CreationTime)
    $parent = if ($s.Parent) { ([wmi]$s.Parent).ElementName } else { '-' }
    '{0} | {1:yyyy-MM-dd HH:mm:ss} | saved {2} | parent {3} | vm {4}' -f $s.ElementName, $created, $s.IsSaved, $parent, ($s.VirtualSystemIdentifier -eq $vm.Name)
}
$own = Get-WmiObject -Namespace $ns -Class Msvm_VirtualSystemSettingData -Filter "VirtualSystemType = 'Microsoft:Hyper-V:System:Realized'"
"The VM hangs from: $(([wmi]$own.Parent).ElementName)"
