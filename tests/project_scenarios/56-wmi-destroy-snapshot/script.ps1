$ns = 'root\virtualization\v2'
$svc = Get-WmiObject -Namespace $ns -Class Msvm_VirtualSystemSnapshotService
$three = Get-WmiObject -Namespace $ns -Class Msvm_VirtualSystemSettingData -Filter "ElementName = 'three'"
$r = $svc.DestroySnapshot($three.__PATH)
"DestroySnapshot: $($r.ReturnValue)"

$two = Get-WmiObject -Namespace $ns -Class Msvm_VirtualSystemSettingData -Filter "ElementName = 'two'"
$r = $svc.DestroySnapshotTree($two.__PATH)
"DestroySnapshotTree: $($r.ReturnValue)"

$r = $svc.DestroySnapshot('\\.\root\virtualization\v2:Msvm_VirtualSystemSettingData.InstanceID="Microsoft:00000000-0000-0000-0000-000000000000"')
"Unknown snapshot: $($r.ReturnValue)"
Get-VMSnapshot -VMName WMI02 | ForEach-Object { "$($_.Name) <- $($_.ParentSnapshotName)" }
