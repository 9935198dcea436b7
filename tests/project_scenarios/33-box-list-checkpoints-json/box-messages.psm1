# Framing of messages for a calling tool: it reads what lies between the markers.
function Write-OutputMessage {
    param([Parameter(Mandatory)][string]$Message)
    Write-Host '===Begin-Output==='
    Write-Host $Message
    Write-Host '===End-Output==='
}

function Write-ErrorMessage {
    param([Parameter(Mandatory)][string]$Message)
    Write-Host '===Begin-Error==='
    Write-Host (ConvertTo-Json -Compress -InputObject @{ error = $Message })
    Write-Host '===End-Error==='
}

Export-ModuleMember -Function Write-OutputMessage, Write-ErrorMessage
