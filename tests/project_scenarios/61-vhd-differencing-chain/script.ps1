$parent = 'D:\Images\golden.vhdx'
foreach ($child in 'lab-a', 'lab-b') {
    $vhd = New-VHD -Path "D:\Lab\$child.vhdx" -ParentPath $parent -Differencing
    '{0}: {1}, parent {2}' -f (Split-Path $vhd.Path -Leaf), $vhd.VhdType, $vhd.ParentPath
}
Get-VHD -Path 'D:\Lab\lab-a.vhdx' | Select-Object VhdFormat, VhdType, @{ n = 'SizeGB'; e = { $_.Size / 1GB } } | Format-List
Test-VHD -Path 'D:\Lab\lab-b.vhdx'
try {
    New-VHD -Path 'D:\Lab\lab-a.vhdx' -ParentPath $parent -Differencing -ErrorAction Stop
} catch {
    "second lab-a: $($_.CategoryInfo.Category)"
}
