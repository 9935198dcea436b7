param([int]$MaxAgeDays = 30, [switch]$Apply)

$cutoff = (Get-Date).AddDays(-$MaxAgeDays)
$stale = Get-VMSnapshot -VMName * | Where-Object CreationTime -lt $cutoff
"{0} checkpoint(s) older than {1:d}" -f @($stale).Count, $cutoff
$stale | Remove-VMSnapshot -WhatIf:(-not $Apply)
$stale | Remove-VMSnapshot -IncludeAllChildSnapshots -WhatIf
"Still there: " + ((Get-VMSnapshot -VMName SQL01).Name -join ', ')
