$stamp = Get-Date -Format 'yyyyMMdd-HHmm'
$failed = @()
$done = @()
foreach ($vm in Get-VM | Where-Object State -eq 'Running') {
    Checkpoint-VM -VM $vm -SnapshotName "Nightly $stamp" -ErrorAction SilentlyContinue -ErrorVariable cpErr
    if ($cpErr) {
        $failed += [pscustomobject]@{ VM = $vm.Name; Reason = ($cpErr[0].Exception.Message -split "`n")[1].Trim() }
    } else {
        $done += $vm.Name
    }
}
"Checkpointed: $($done -join ', ')"
"Failed: $($failed.Count)"
$failed | Format-Table -AutoSize
"Errors in `$Error: $($Error.Count)"
