# Commands, parameters, arguments and pipelines
Get-VM -Name "SRV-APP01" | Select-Object "Name", "State"
Set-VM -Name 'SRV-TEST01' -CheckpointType Standard -Confirm:$false
Get-ChildItem -Path C:\VMs\*.avhdx -Recurse | Sort-Object -Property Length -Descending
Remove-VMSnapshot -VMName vHost17 -IncludeAllChildSnapshots -WhatIf
Get-VMSnapshot -VMName $vm.Name -ErrorAction SilentlyContinue
Start-Sleep -Seconds 5
Write-Output (Get-Date).AddDays(-7)
Get-VM @params -Verbose
& $scriptBlock -Name x
Get-Process | Out-Null
