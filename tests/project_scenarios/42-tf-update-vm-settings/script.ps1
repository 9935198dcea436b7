$ErrorActionPreference = 'Stop'
$vmObject = @{
    Name                         = 'tf-db01'
    AutomaticStartAction         = 'Start'
    AutomaticStartDelay          = 30
    AutomaticStopAction          = 'ShutDown'
    AutomaticCriticalErrorAction = 'None'
    CheckpointType               = 'Standard'
    AutomaticCheckpointsEnabled  = $false
    Notes                        = 'Managed by infrastructure code; do not edit'
}
Set-VM @vmObject

$vm = Get-VM -Name 'tf-db01'
foreach ($p in 'AutomaticStartAction', 'AutomaticStartDelay', 'AutomaticStopAction',
               'AutomaticCriticalErrorAction', 'CheckpointType', 'AutomaticCheckpointsEnabled', 'Notes') {
    '{0,-29}: {1}' -f $p, $vm.$p
}
[int]$vm.AutomaticStopAction
$vm.AutomaticStartAction -eq [Microsoft.HyperV.PowerShell.StartAction]::Start
