"""The environment a client's commands see: the emulated host's, never the server process's.

A WinRM client's processes on Windows get the host's system variables and the user's profile
variables; here those are a fixed set for the served user and host, then the world's `[env]`
(psshim's Session puts it on top), then, for a winrs shell, the variables of the Create request.
Nothing comes from `os.environ`: the server's password variable, its PATH or HOME never reach a
script.
"""

from __future__ import annotations

from hyperv_emu import sdk

USER_HOME = "C:\\Users\\{user}"


def netbios_name(host_name: str) -> str:
    return host_name.split(".")[0][:15].upper()


def host_environment(client: sdk.HyperVClient, user: str, computer_name: str | None = None) -> dict[str, str]:
    """The variables of a process the user starts on the emulated host (before the world's
    `[env]`)."""
    home = USER_HOME.format(user=user)
    try:
        computer = netbios_name(computer_name or client.host_name)
    except sdk.HyperVError:
        computer = "LOCALHOST"
    temp = home + "\\AppData\\Local\\Temp"
    return {
        "ALLUSERSPROFILE": "C:\\ProgramData", "APPDATA": home + "\\AppData\\Roaming",
        "CommonProgramFiles": "C:\\Program Files\\Common Files", "COMPUTERNAME": computer,
        "ComSpec": "C:\\Windows\\system32\\cmd.exe", "HOMEDRIVE": "C:", "HOMEPATH": home[2:],
        "LOCALAPPDATA": home + "\\AppData\\Local", "NUMBER_OF_PROCESSORS": "4", "OS": "Windows_NT",
        "Path": "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;"
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC;.CPL",
        "PROCESSOR_ARCHITECTURE": "AMD64", "ProgramData": "C:\\ProgramData", "ProgramFiles": "C:\\Program Files",
        "ProgramFiles(x86)": "C:\\Program Files (x86)", "PUBLIC": "C:\\Users\\Public", "SystemDrive": "C:",
        "SystemRoot": "C:\\Windows", "TEMP": temp, "TMP": temp, "USERDOMAIN": computer, "USERNAME": user,
        "USERPROFILE": home, "windir": "C:\\Windows",
    }
