# Helpers of script.ps1, dot-sourced into its scope.
$LabPrefix = '[LAB]'

function Write-LabLog([string]$Message) {
    Write-Host "$LabPrefix $(Get-Date -Format 'yyyy-MM-dd HH:mm') $Message"
}

function New-LabCheckpointName([string]$VMName) {
    "Lab baseline $(Get-Date -Format 'yyyyMMdd')"
}
