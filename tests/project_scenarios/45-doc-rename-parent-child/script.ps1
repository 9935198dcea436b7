Rename-VMSnapshot -VMName TestVM -Name Base -NewName 'Base Configuration'
$renamed = Get-VMSnapshot -VMName TestVM -Name 'Branch t*' | Rename-VMSnapshot -NewName 'Second branch' -Passthru
"Renamed to: $($renamed.Name)"

$base = Get-VMSnapshot -VMName TestVM -Name 'Base Configuration'
"Children of the base: " + ((Get-VMSnapshot -ChildOf $base | Select-Object -ExpandProperty Name) -join ', ')
"Parent of the VM: " + (Get-VMSnapshot -ParentOf (Get-VM TestVM)).Name
"Parent of 'Branch one': " + (Get-VMSnapshot -ParentOf (Get-VMSnapshot -VMName TestVM -Name 'Branch one')).Name
