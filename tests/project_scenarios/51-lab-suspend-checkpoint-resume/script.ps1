function Checkpoint-LabMachine {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string[]]$ComputerName, [Parameter(Mandatory)][string]$SnapshotName)

    $machines = Get-VM -Name $ComputerName
    $paused = $machines | Where-Object State -eq 'Running'
    $paused | Suspend-VM
    Write-Verbose "Paused $(@($paused).Count) machine(s)"
    foreach ($machine in $machines) {
        $machine | Set-VM -CheckpointType Standard
        $machine | Checkpoint-VM -SnapshotName $SnapshotName
    }
    $paused | Resume-VM
}

Checkpoint-LabMachine -ComputerName 'CONTOSO-DC1', 'CONTOSO-SQL1', 'CONTOSO-CL1' -SnapshotName 'Lab installed' -Verbose 4>&1 |
    ForEach-Object { "VERBOSE: $_" }
Get-VM -Name 'CONTOSO-*' | Sort-Object Name | ForEach-Object {
    $cp = Get-VMSnapshot -VM $_ -Name 'Lab installed'
    '{0,-13} {1,-8} {2} ({3})' -f $_.Name, $_.State, $cp.Name, $cp.State
}
