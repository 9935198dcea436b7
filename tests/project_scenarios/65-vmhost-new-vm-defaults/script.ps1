$vmHost = Get-VMHost
"VM path: $($vmHost.VirtualMachinePath)"
"VHD path: $($vmHost.VirtualHardDiskPath)"
$vhd = Join-Path $vmHost.VirtualHardDiskPath 'svc-01.vhdx'
$vm = New-VM -Name 'svc-01' -Generation 2 -MemoryStartupBytes 2GB -NewVHDPath $vhd -NewVHDSizeBytes 64GB
'{0}: {1}, gen {2}, {3}, checkpoints {4}, config version {5}' -f $vm.Name, $vm.State, $vm.Generation,
    $vm.Path, $vm.CheckpointType, $vm.Version
'{0} / {1} / {2}' -f $vm.AutomaticStartAction, $vm.AutomaticStopAction, $vm.AutomaticCheckpointsEnabled
(Get-VHD -Path $vhd).VhdType
