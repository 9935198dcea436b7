"""`hvemu serve`: a WS-Management (WinRM) endpoint over the emulator, and a `powershell.exe`
drop-in (docs/server.md).

An application package: it may import psshim, the SDK, the emulator and the CLI; nothing below
imports it. Modules: `soap` (envelopes and faults), `auth` (Basic, NTLM/Negotiate),
`encryption` (WinRM message encryption), `cmdshell` (the winrs shell's command lines),
`winrs` (the shell resource), `psrp` (PowerShell remoting over psrpcore), `app` (the ASGI
application), `connections` (the HTTP protocol that ends a connection's authentication with
it), `serve` (the `hvemu serve` command), `powershell_exe` (`hvemu-powershell`).
"""
