$changes = [ordered]@{
    'Notes'           = { Set-VM -Name TUNE01 -Notes 'tuned' -ErrorAction Stop }
    'CheckpointType'  = { Set-VM -Name TUNE01 -CheckpointType Standard -ErrorAction Stop }
    'ProcessorCount'  = { Set-VM -Name TUNE01 -ProcessorCount 4 -ErrorAction Stop }
}
foreach ($entry in $changes.GetEnumerator()) {
    try {
        & $entry.Value
        "$($entry.Key): changed"
    } catch {
        "$($entry.Key): refused ($($_.FullyQualifiedErrorId))"
    }
}
$vm = Get-VM TUNE01
"{0} | {1} | {2} processor(s)" -f $vm.Notes, $vm.CheckpointType, $vm.ProcessorCount
