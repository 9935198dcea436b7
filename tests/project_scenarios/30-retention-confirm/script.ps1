# Retention: checkpoints older than $RetentionDays are removed, each only after the operator
# confirms it (ConfirmImpact High prompts by default). The answers come from standard input.
param([int]$RetentionDays = 7)

function Remove-OldCheckpoint {
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]
    param([Parameter(ValueFromPipeline)] $Checkpoint, [string]$Operator)
    process {
        $age = ((Get-Date) - $Checkpoint.CreationTime).Days
        $target = "$($Checkpoint.VMName)\$($Checkpoint.Name)"
        if ($PSCmdlet.ShouldProcess($target, "Remove checkpoint ($age days old)")) {
            $Checkpoint | Remove-VMSnapshot -Confirm:$false
            "Removed $target ($Operator)"
        }
        else {
            "Kept $target"
        }
    }
}

$operator = Read-Host -Prompt 'Operator initials'
$threshold = (Get-Date).AddDays(-$RetentionDays)
Get-VM | Get-VMSnapshot | Where-Object { $_.CreationTime -lt $threshold } |
    Sort-Object CreationTime | Remove-OldCheckpoint -Operator $operator

''
Get-VM | Get-VMSnapshot | ForEach-Object { "$($_.VMName): $($_.Name)" }
