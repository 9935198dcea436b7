foreach ($vm in Get-VM) {
    $word = switch ($vm.State) {
        ([Microsoft.HyperV.PowerShell.VMState]::Running) { 'up' }
        'Saved' { 'hibernating' }
        { $_ -eq [Microsoft.HyperV.PowerShell.VMState]::Paused } { 'frozen' }
        default { 'down' }
    }
    '{0}: {1} ({2}, {3})' -f $vm.Name, $word, [int]$vm.State, $vm.State.GetType().FullName
}
[Microsoft.HyperV.PowerShell.VMState]'Off' -eq 3
[enum]::GetNames([Microsoft.HyperV.PowerShell.CheckpointType]) -join ','
