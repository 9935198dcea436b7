$cp = Checkpoint-VM -Name Test -SnapshotName BeforeInstallingUpdates -Passthru
"{0} | {1} | {2} | {3} | parent '{4}'" -f $cp.GetType().FullName, $cp.Name, $cp.State, $cp.SnapshotType, $cp.ParentSnapshotName

Get-VM Test | Checkpoint-VM
Get-VMSnapshot -VMName Test | ForEach-Object { "$($_.Name) <- $($_.ParentSnapshotName)" }
