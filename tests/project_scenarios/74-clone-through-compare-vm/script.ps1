param([string]$VMName = 'build-0307', [string]$BuildRoot = 'E:\Builds\build-0307', [long]$Memory = 4GB)
$ErrorActionPreference = 'Stop'

Hyper-V\Export-VM -Name 'golden-2022' -Path 'E:\Export'
$config = Get-ChildItem -Path 'E:\Export\golden-2022\Virtual Machines' -Filter *.vmcx -Recurse |
    Select-Object -First 1 | ForEach-Object { $_.FullName }

$report = Hyper-V\Compare-VM -Path $config -VirtualMachinePath $BuildRoot -SnapshotFilePath $BuildRoot `
    -SmartPagingFilePath $BuildRoot -VhdDestinationPath "$BuildRoot\Virtual Hard Disks" -GenerateNewId -Copy
"Incompatibilities: $($report.Incompatibilities.Count)"
"Planned VM listed by Get-VM: $(@(Get-VM | Where-Object Id -eq $report.VM.Id).Count)"

Hyper-V\Set-VMMemory -VM $report.VM -StartupBytes $Memory
Hyper-V\Set-VMProcessor -VM $report.VM -Count 2
$vm = Hyper-V\Import-VM -CompatibilityReport $report
if ($vm) {
    Hyper-V\Rename-VM -VM $vm -NewName $VMName
}

$clone = Get-VM -Name $VMName
'{0}: {1}, {2} MB, {3} processors, new id {4}' -f $clone.Name, $clone.State, ($clone.MemoryStartup / 1MB),
    $clone.ProcessorCount, ($clone.Id -ne [guid]'0f1e2d3c-4b5a-4697-8877-665544332211')
"Path: $($clone.Path)"
"Disk: $((Get-VMHardDiskDrive -VM $clone).Path)"
"Switch: $((Get-VMNetworkAdapter -VM $clone).SwitchName)"
"Golden still 2048 MB: $((Get-VM golden-2022).MemoryStartup / 1MB)"
