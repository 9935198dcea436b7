Start-VM -Name APP-NEW
$started = Get-Date
Wait-VM -Name APP-NEW -For Heartbeat -Timeout 30 -ErrorAction SilentlyContinue -ErrorVariable waitErr
$vm = Get-VM APP-NEW
"State $($vm.State), heartbeat $($vm.Heartbeat)"
"Waited about $([int]((Get-Date) - $started).TotalSeconds) s, $($waitErr.Count) error(s)"
