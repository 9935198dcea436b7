$n = 0
foreach ($vm in Get-VM | Where-Object Name -notlike 'SRV-*') {
    $n++
    $new = 'SRV-{0:D3}' -f $n
    $old = $vm.Name
    $vm | Rename-VM -NewName $new
    $notes = if ($vm.Notes) { "$($vm.Notes); was '$old'" } else { "was '$old'" }
    Set-VM -Name $new -Notes $notes
}
Get-VM | ForEach-Object { '{0} [{1}] {2}' -f $_.Name, $_.State, $_.Notes }
try {
    Rename-VM -Name 'test2' -NewName 'x' -ErrorAction Stop
} catch {
    $_.Exception.Message
}
