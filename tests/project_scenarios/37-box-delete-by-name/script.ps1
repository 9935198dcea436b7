param([string]$VmId = '2d3e4f50-6172-4839-a4b5-c6d7e8f90a1b')
$ErrorActionPreference = "Stop"

foreach ($SnapName in 'no-such-checkpoint', 'mid') {
    try {
        $VM = Hyper-V\Get-VM -Id $VmId
        Hyper-V\Remove-VMSnapshot $VM -Name $SnapName
        "delete '$SnapName': done"
    } catch {
        "Failed to delete snapshot: ${PSItem}"
    }
}
Hyper-V\Get-VMSnapshot -VMName devbox-4405 |
    ForEach-Object { "{0} <- {1}" -f $_.Name, $(if ($_.ParentSnapshotName) { $_.ParentSnapshotName } else { '(root)' }) }
