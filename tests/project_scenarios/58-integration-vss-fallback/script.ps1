foreach ($name in 'FILE01', 'FILE02') {
    Get-VMIntegrationService -VMName $name -Name 'VSS' | Disable-VMIntegrationService
    $vss = Get-VMIntegrationService -VMName $name | Where-Object Name -eq 'VSS'
    "${name}: VSS enabled $($vss.Enabled)"
    try {
        Checkpoint-VM -Name $name -SnapshotName 'Before backup test' -ErrorAction Stop
        $cp = Get-VMSnapshot -VMName $name -Name 'Before backup test'
        "${name}: checkpoint taken, state $($cp.State)"
    } catch {
        "${name}: no checkpoint ($($_.CategoryInfo.Reason))"
    }
}
