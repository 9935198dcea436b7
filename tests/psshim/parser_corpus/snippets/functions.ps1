function Get-OldCheckpoint {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)]
        [string[]]$VMName,
        [int]$Days = 7
    )
    begin {
        $threshold = (Get-Date).AddDays(-$Days)
    }
    process {
        foreach ($name in $VMName) {
            Get-VMCheckpoint -VMName $name |
                Where-Object { $_.CreationTime -lt $threshold }
        }
    }
    end {
        Write-Verbose "checked"
    }
}
Get-OldCheckpoint -VMName SRV-APP01 -Days 14
