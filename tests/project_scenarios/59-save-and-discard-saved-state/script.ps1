Get-VM -Name 'KIOSK*' | Save-VM
Get-VM -Name 'KIOSK*' | Sort-Object Name | ForEach-Object { "$($_.Name): $($_.State)" }
Remove-VMSavedState -VMName KIOSK2
"KIOSK2 after Remove-VMSavedState: $((Get-VM KIOSK2).State)"
try {
    Remove-VMSavedState -VMName KIOSK2 -ErrorAction Stop
} catch {
    "again: $($_.Exception.Message)"
}
Start-VM -Name KIOSK1, KIOSK2 -Passthru | Sort-Object Name | ForEach-Object { "$($_.Name): $($_.State)" }
