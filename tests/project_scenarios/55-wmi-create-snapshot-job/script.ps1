$ns = 'root\virtualization\v2'
$service = Get-CimInstance -Namespace $ns -ClassName Msvm_VirtualSystemSnapshotService
$vm = Get-CimInstance -Namespace $ns -ClassName Msvm_ComputerSystem -Filter "ElementName = 'CIM01'"
$result = Invoke-CimMethod -InputObject $service -MethodName CreateSnapshot -Arguments @{
    AffectedSystem = $vm
    SnapshotType   = [uint16]2
}
"ReturnValue: $($result.ReturnValue)"
if ($result.ReturnValue -eq 4096) {
    do {
        Start-Sleep -Milliseconds 500
        $job = Get-CimInstance -InputObject $result.Job
    } while ($job.JobState -in 2, 3, 4)
    "Job state: $($job.JobState), error code $($job.ErrorCode)"
}
$cp = Get-VMSnapshot -VMName CIM01
"Default name: $($cp.Name)"
$cp | Rename-VMSnapshot -NewName 'Created through WMI'
(Get-VMSnapshot -VMName CIM01).Name
