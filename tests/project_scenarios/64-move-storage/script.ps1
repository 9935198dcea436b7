Move-VMStorage -VMName MAIL01 -DestinationStoragePath 'F:\VMs\MAIL01'
$vm = Get-VM MAIL01
"State: $($vm.State)"
"Disk: $((Get-VMHardDiskDrive -VMName MAIL01).Path)"
"Old disk left: $(Test-Path 'C:\VMs\MAIL01\MAIL01.vhdx')"
