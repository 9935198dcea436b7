$auto = Get-VM -Name 'LAB-*' | Get-VMSnapshot | Where-Object { $_.IsAutomaticCheckpoint }
"Automatic checkpoints: $(@($auto).Count)"
$auto | ForEach-Object {
    "  removing $($_.VMName): $($_.Name)"
    Remove-VMSnapshot -VMSnapshot $_ -Confirm:$false
}
Get-VM -Name 'LAB-*' | Where-Object AutomaticCheckpointsEnabled | Set-VM -AutomaticCheckpointsEnabled $false -Passthru |
    ForEach-Object { "$($_.Name): automatic checkpoints $($_.AutomaticCheckpointsEnabled)" }
