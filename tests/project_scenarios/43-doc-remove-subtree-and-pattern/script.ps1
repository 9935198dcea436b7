Remove-VMSnapshot -VMName TestVM -Name 'Base image' -IncludeAllChildSnapshots
Get-VM TestVM2 | Remove-VMSnapshot -Name Experiment*

foreach ($name in 'TestVM', 'TestVM2') {
    $vm = Get-VM $name
    "{0}: {1} left, current '{2}'" -f $vm.Name, @(Get-VMSnapshot -VM $vm).Count, $vm.ParentSnapshotName
}
