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
# member access on a type literal, by a computed name, by a number; methods taking a script block
$typeName = [int].Name
$common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name
$env = $ConfigurationData.NonNodeData.$($defaults.ModuleName).EnvironmentName
$whole = $Matches.0
$running = (Get-VM).Where{ $_.State -eq 'Running' }
$first = @(1, 2, 3).Where{ $_ -gt 1 }[0]
$doubled = (1..3).ForEach{ $_ * 2 }
