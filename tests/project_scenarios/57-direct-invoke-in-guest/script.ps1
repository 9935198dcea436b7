$password = ConvertTo-SecureString 'Pa55w.rd' -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ('Administrator', $password)

foreach ($name in 'GUEST-OK', 'GUEST-SILENT', 'GUEST-OFF') {
    $out = Invoke-Command -VMName $name -Credential $cred -ScriptBlock { "hello from $env:COMPUTERNAME" } `
        -ErrorAction SilentlyContinue -ErrorVariable directErr
    if ($directErr) {
        "${name}: failed ($($directErr[0].Exception.Message))"
    } else {
        "${name}: $out"
    }
}
