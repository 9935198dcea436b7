# Lists a VM's checkpoints for a calling tool, as JSON between markers; a VM that is gone
# is reported as an error message, framed the same way.
param([string[]]$VmIds = @('5b7e2f0a-91c4-4d2e-8a3b-6c1d0e9f8a27', '00000000-0000-0000-0000-00000000beef'))

Import-Module "$PSScriptRoot\box-messages.psm1"
$ErrorActionPreference = 'Stop'

foreach ($VmId in $VmIds) {
    try {
        $VM = Hyper-V\Get-VM -Id $VmId
        $Snapshots = @(Hyper-V\Get-VMSnapshot $VM | Select-Object Name)
    } catch {
        Write-ErrorMessage "Failed to get snapshot list: ${PSItem}"
        continue
    }
    Write-OutputMessage (ConvertTo-Json $Snapshots)
}
