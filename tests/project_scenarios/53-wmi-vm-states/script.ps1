$states = @{ 2 = 'Running'; 3 = 'Off'; 6 = 'Saved'; 9 = 'Paused'; 10 = 'Starting' }
$vms = Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_ComputerSystem -Filter "Caption = 'Virtual Machine'"
$vms.GetType().FullName
$vms[0].GetType().FullName
$vms | Sort-Object ElementName | ForEach-Object {
    '{0,-6} {1} {2,-8} ({3})' -f $_.ElementName, $_.Name, $states[[int]$_.EnabledState], $_.EnabledState
}
$host1 = Get-CimInstance -Namespace root\virtualization\v2 -ClassName Msvm_ComputerSystem -Filter "Caption <> 'Virtual Machine'"
"Host entries: $(@($host1).Count), caption '$($host1.Caption)'"
