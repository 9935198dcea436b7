$now = Get-Date
Get-VM | Get-VMSnapshot | Sort-Object CreationTime |
    Format-Table VMName, Name, @{ Label = 'Created'; Expression = { $_.CreationTime.ToString('yyyy-MM-dd') } },
        @{ Label = 'Age (days)'; Expression = { ($now - $_.CreationTime).Days } },
        @{ Label = 'VM state'; Expression = { (Get-VM -Name $_.VMName).State } } -AutoSize
