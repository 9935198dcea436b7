$ErrorActionPreference = 'Stop'
$vmObject = Get-VM -Name 'tf-web01' | Select-Object -Property Name, Generation, State, ProcessorCount,
    DynamicMemoryEnabled, MemoryStartup, AutomaticStartAction, AutomaticStartDelay, AutomaticStopAction,
    AutomaticCriticalErrorAction, CheckpointType, Notes
if ($vmObject) {
    $vm = ConvertTo-Json -InputObject $vmObject
    $vm
} else {
    "{}"
}
