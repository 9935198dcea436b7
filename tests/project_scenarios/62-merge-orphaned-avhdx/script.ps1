$avhdx = 'D:\Recovered\OLD-APP_5A4B3C2D-1E0F-4A9B-8C7D-6E5F4A3B2C1D.avhdx'
Remove-VM -Name OLD-APP -Force
"VM registered: $([bool](Get-VM -Name OLD-APP -ErrorAction SilentlyContinue))"
$child = Get-VHD -Path $avhdx
"{0} -> {1}" -f (Split-Path $child.Path -Leaf), (Split-Path $child.ParentPath -Leaf)
Merge-VHD -Path $avhdx -DestinationPath $child.ParentPath
"avhdx still there: $(Test-Path $avhdx)"
$merged = Get-VHD -Path 'D:\Recovered\OLD-APP.vhdx'
"merged: $($merged.VhdType), parent '$($merged.ParentPath)'"
