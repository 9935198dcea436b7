param([string]$SnapName = 'clean')
$ErrorActionPreference = "Stop"

foreach ($VmId in '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d', '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b') {
    try {
        $VM = Hyper-V\Get-VM -Id $VmId
        Hyper-V\Restore-VMSnapshot $VM -Name $SnapName -Confirm:$false
    } catch {
        "Failed to restore snapshot: ${PSItem}"
        continue
    }
    $VM = Hyper-V\Get-VM -Id $VmId
    "{0}: {1}, from '{2}'" -f $VM.Name, $VM.State, $VM.ParentSnapshotName
}
