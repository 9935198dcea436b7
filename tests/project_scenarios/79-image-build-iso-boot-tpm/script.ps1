param([string]$VMName = 'packer-w2k22', [string]$OutDir = 'E:\packer\output-w2k22',
      [string]$Iso = 'E:\packer\cache\SERVER_EVAL_x64FRE_en-us.iso')
$ErrorActionPreference = 'Stop'
New-Item -ItemType Directory -Path (Split-Path $Iso) -Force | Out-Null
Set-Content -Path $Iso -Value 'CD001'

$null = Hyper-V\New-VM -Name $VMName -Path $OutDir -Generation 2 -MemoryStartupBytes 4GB `
    -NewVHDPath "$OutDir\Virtual Hard Disks\$VMName.vhdx" -NewVHDSizeBytes 40GB
Hyper-V\Set-VMProcessor -VMName $VMName -Count 2
Hyper-V\Set-VMProcessor -VMName $VMName -ExposeVirtualizationExtensions $true
Hyper-V\Set-VMFirmware -VMName $VMName -EnableSecureBoot On -SecureBootTemplate 'MicrosoftWindows'
Hyper-V\Set-VMKeyProtector -VMName $VMName -NewLocalKeyProtector
Hyper-V\Enable-VMTPM -VMName $VMName

$dvdController = Hyper-V\Add-VMDvdDrive -VMName $VMName -Path $Iso -Passthru
$dvdController | Hyper-V\Set-VMDvdDrive -Path $null
$cn = $dvdController.ControllerNumber
$cl = $dvdController.ControllerLocation
"DVD drive at $cn,$cl"
"Boot order after New-VM: $((Hyper-V\Get-VMFirmware -VMName $VMName).BootOrder.BootType -join ', ')"

Hyper-V\Set-VMDvdDrive -VMName $VMName -ControllerNumber $cn -ControllerLocation $cl -Path $Iso
$vmDvdDrive = Hyper-V\Get-VMDvdDrive -VMName $VMName -ControllerNumber $cn -ControllerLocation $cl
Hyper-V\Set-VMFirmware -VMName $VMName -FirstBootDevice $vmDvdDrive -ErrorAction SilentlyContinue
Hyper-V\Get-VMFirmware -VMName $VMName | Format-List VMName, SecureBoot, SecureBootTemplate, BootOrder
(Hyper-V\Get-VMFirmware -VMName $VMName).BootOrder | ForEach-Object { '{0,-8} {1}' -f $_.BootType, $_.Device.Name }
Hyper-V\Get-VMDvdDrive -VMName $VMName

Hyper-V\Start-VM -Name $VMName
"TPM enabled: $((Hyper-V\Get-VMSecurity -VMName $VMName).TpmEnabled)"
Hyper-V\Stop-VM -Name $VMName -TurnOff -Force

Hyper-V\Set-VMDvdDrive -VMName $VMName -ControllerNumber $cn -ControllerLocation $cl -Path $null
Hyper-V\Get-VMDvdDrive -VMName $VMName | Hyper-V\Remove-VMDvdDrive
"DVD drives left: $(@(Hyper-V\Get-VMDvdDrive -VMName $VMName).Count)"
"Boot order: $((Hyper-V\Get-VMFirmware -VMName $VMName).BootOrder.BootType -join ', ')"
"Nested virtualization: $((Hyper-V\Get-VMProcessor -VMName $VMName).ExposeVirtualizationExtensions)"
