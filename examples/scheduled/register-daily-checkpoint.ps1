# Registers the nightly job with the Task Scheduler (run once, as an administrator):
#   hvemu run --world examples/scheduled/world.toml examples/scheduled/register-daily-checkpoint.ps1
# The job script must already be on the host at C:\Scripts (the test copies it there).
param([string]$VMName = "SRV-APP01", [string]$Script = "C:\Scripts\daily-checkpoint-retention.ps1")

$action = New-ScheduledTaskAction -Execute "powershell.exe" `
    -Argument "-NoProfile -ExecutionPolicy Bypass -File $Script -VMName $VMName"
$trigger = New-ScheduledTaskTrigger -Daily -At 2am
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit (New-TimeSpan -Hours 1) -StartWhenAvailable
Register-ScheduledTask -TaskName "Daily Checkpoint" -TaskPath "\Hyper-V\" -Action $action -Trigger $trigger `
    -Settings $settings -User "SYSTEM" -RunLevel Highest -Description "Daily checkpoint of $VMName, 7-day retention"
