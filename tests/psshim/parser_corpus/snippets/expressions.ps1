# Expressions
$total = 10MB + 2gb * 3
$ratio = [math]::Round($used / $total, 2)
$names = $vms | ForEach-Object { $_.Name.ToUpper() }
$label = "{0} ({1:N1} GB)" -f $vm.Name, ($vm.Size / 1GB)
$table = @{
    Name = 'SRV-APP01'
    Size = 40GB
}
$obj = [pscustomobject]@{ Name = $vm.Name; Count = $list.Count }
$first = $list[0]
$range = 1..5
$ok = -not $failed -and ($count -gt 0)
$age = ((Get-Date) - $cp.CreationTime).Days
$text = @"
VM: $($vm.Name)
"@
