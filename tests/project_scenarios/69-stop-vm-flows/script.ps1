foreach ($vm in Get-VM -Name 'DEV*' | Sort-Object Name) {
    switch ($vm.State) {
        'Running' { Stop-VM -VM $vm -Force }
        'Paused' { Stop-VM -VM $vm -TurnOff -Force }
        default { Stop-VM -VM $vm -WarningVariable w -WarningAction SilentlyContinue; "$($vm.Name): $w" }
    }
}
Get-VM -Name 'DEV*' | Sort-Object Name | ForEach-Object { "$($_.Name) $($_.State)" }
try {
    Stop-VM -Name DEV1 -Save -TurnOff -ErrorAction Stop
} catch {
    $_.Exception.Message
}
