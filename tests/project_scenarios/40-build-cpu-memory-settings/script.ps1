param([string]$vmName = 'build-agent')

Hyper-V\Set-VMProcessor -VMName $vmName -Count 4
Hyper-V\Set-VMMemory -VMName $vmName -DynamicMemoryEnabled $false -StartupBytes 6GB
$vm = Hyper-V\Get-VM -Name $vmName
"{0}: {1} processors, {2} MB, dynamic {3}" -f $vm.Name, $vm.ProcessorCount, ($vm.MemoryStartup / 1MB), $vm.DynamicMemoryEnabled

Hyper-V\Start-VM -Name $vmName
try {
    Hyper-V\Set-VMProcessor -VMName $vmName -Count 2 -ErrorAction Stop
} catch {
    "Refused while running: $($_.FullyQualifiedErrorId)"
}
"Processors now: $((Hyper-V\Get-VMProcessor -VMName $vmName).Count)"
