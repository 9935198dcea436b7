$vms = Get-VM
$vms | Where-Object { -not $_.ResourceMeteringEnabled } | Enable-VMResourceMetering
"Metering on: $(@(Get-VM | Where-Object ResourceMeteringEnabled).Count) of $(@($vms).Count)"

$rows = Get-VM | Measure-VM | Sort-Object VMName | ForEach-Object {
    [pscustomobject]@{
        Tenant    = ($_.VMName -split '-')[1]
        VM        = $_.VMName
        'RAM(GB)' = $_.AvgRAM / 1024
        'Disk(GB)' = $_.TotalDisk / 1024
        'Net(MB)'  = ($_.NetworkMeteredTrafficReport | Measure-Object -Property TotalTraffic -Sum).Sum
    }
}
$rows | Format-Table -AutoSize
$rows | Group-Object Tenant | ForEach-Object {
    'Tenant {0}: {1} GB of disk' -f $_.Name, ($_.Group | Measure-Object -Property 'Disk(GB)' -Sum).Sum
}
Get-VM | Reset-VMResourceMetering
