$cp = Get-VMSnapshot -Id '9f8e7d6c-5b4a-4392-8a1b-0c9d8e7f6a5b'
"$($cp.VMName): $($cp.Name), $($cp.SnapshotType)"
"Recovery checkpoints: $(@(Get-VMSnapshot -VMName BK01 -SnapshotType Recovery -ErrorAction SilentlyContinue).Count)"
"Standard checkpoints: $(@(Get-VMSnapshot -VMName BK01 -SnapshotType Standard).Count)"
try {
    Get-VMSnapshot -Id ([guid]::NewGuid()) -ErrorAction Stop
} catch {
    "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"
}
