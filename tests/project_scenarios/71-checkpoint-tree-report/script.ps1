function Show-Tree {
    param($VM, $Parent, [int]$Depth)
    $children = if ($Parent) { Get-VMSnapshot -ChildOf $Parent -ErrorAction SilentlyContinue }
                else { Get-VMSnapshot -VM $VM | Where-Object { -not $_.ParentSnapshotId } }
    foreach ($c in $children | Sort-Object CreationTime) {
        $mark = if ($c.Id -eq $VM.ParentSnapshotId) { '  <- Now' } else { '' }
        ('  ' * $Depth) + '- ' + $c.Name + $mark
        Show-Tree -VM $VM -Parent $c -Depth ($Depth + 1)
    }
}
foreach ($vm in Get-VM) {
    "$($vm.Name)"
    Show-Tree -VM $vm -Depth 0
}
