# The state of each VM as a small JSON document; a VM id the host does not know is
# reported as "not_created" (the module throws a VirtualizationException for it).
param([string[]]$VmIds = @('0c4f9a51-2d7b-4e6a-b3c8-1f5e7d9a0b24', '7a1d3e5f-8b2c-4f60-9d4e-2a6b8c0d1e3f',
                           '9e8d7c6b-5a49-4838-a726-150493827160'))

$ExceptionType = [Microsoft.HyperV.PowerShell.VirtualizationException]
foreach ($VmId in $VmIds) {
    try {
        $VM = Hyper-V\Get-VM -Id $VmId -ErrorAction "Stop"
        $State = $VM.state
        $Status = $VM.status
    } catch [Exception] {
        if ($_.Exception.GetType() -eq $ExceptionType) {
            $State = "not_created"
            $Status = $State
        } else {
            throw
        }
    }
    $result = [ordered]@{
        id     = $VmId
        state  = "$State"
        status = "$Status"
    }
    ConvertTo-Json $result
}
