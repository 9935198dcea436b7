$ErrorActionPreference = 'Stop'
Export-VM -Name BASE-2022 -Path 'D:\Export'
$config = Get-ChildItem -Path 'D:\Export\BASE-2022\Virtual Machines' -Filter *.vmcx -Recurse | Select-Object -First 1
"Exported: $($config.Name)"
$copy = Import-VM -Path $config.FullName -Copy -GenerateNewId -VirtualMachinePath 'D:\Clones\web-07' `
    -VhdDestinationPath 'D:\Clones\web-07\Virtual Hard Disks'
Rename-VM -VM $copy -NewName 'web-07'
$vm = Get-VM -Name 'web-07'
"Same id as the original: $($vm.Id -eq [guid]'0a0b0c0d-0e0f-4a1b-8c2d-3e4f5a6b7c8d')"
"Disk: $((Get-VMHardDiskDrive -VM $vm).Path)"
(Get-VM | Sort-Object Name | ForEach-Object Name) -join ', '
