"""Scheduled tasks' programs, run by psshim: the `ActionRunner` the emulator asks when a task
is due (`sdk.tasks`), attached to an SDK client with `attach(client)`.

An action runs as the Task Scheduler would start it: the program (`Execute`, environment
variables such as %SystemRoot% expanded) with its argument string and working folder (default
C:\\Windows\\system32). `powershell.exe` / `pwsh` (by name or by their full paths) run their
command line through `psshim.launch` (the project's one powershell command-line parser): the
-File script from the emulated host's disk, or the -Command text, in a fresh session on the
task's host. What it writes to standard output and standard error is the run's output; its exit
code the run's result. Any other program cannot be started on the emulated host: the run fails
with 0x80070002 (file not found), as on a host without it.

`hvemu run`, the pytest fixture and `hvemu clock --advance` attach the runner to the client
they make (`psshim.session.Session` does it for every session).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import BackendError

if TYPE_CHECKING:
    from hyperv_emu.sdk.tasks import ActionOutcome, ActionRequest

FILE_NOT_FOUND = 0x80070002
_POWERSHELL = {"powershell", "powershell.exe"}
_PWSH = {"pwsh", "pwsh.exe"}
_DEFAULT_ENV = {"systemroot": "C:\\Windows", "windir": "C:\\Windows", "programfiles": "C:\\Program Files",
                "systemdrive": "C:"}


def expand_environment(text: str, environment: Mapping[str, str]) -> str:
    """%NAME% -> its value (case-insensitive); unknown names stay as they are (as Windows does)."""
    env = {**_DEFAULT_ENV, **{k.casefold(): v for k, v in environment.items()}}
    return re.sub(r"%([^%]+)%", lambda m: env.get(m.group(1).casefold(), m.group(0)), text)


def edition_of(execute: str) -> str | None:
    """"5.1" for Windows PowerShell, "7" for pwsh, None for another program."""
    leaf = execute.strip().strip('"').replace("/", "\\").rsplit("\\", 1)[-1].casefold()
    if leaf in _POWERSHELL:
        return "5.1"
    if leaf in _PWSH:
        return "7"
    return None


class ActionRunner:
    """Runs task actions against `client`'s backend (each on the task's own host)."""

    def __init__(self, client: HyperVClient, environment: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.environment = dict(environment or {})

    def __call__(self, request: ActionRequest) -> ActionOutcome:
        from hyperv_emu.psshim.commandline import split_windows_command_line
        from hyperv_emu.psshim.host_services import SdkFileView, SdkServices
        from hyperv_emu.psshim.launch import launch
        from hyperv_emu.psshim.runtime.runner import RunSettings
        from hyperv_emu.sdk.tasks import ActionOutcome

        execute = expand_environment(request.execute, self.environment)
        edition = edition_of(execute)
        if edition is None:
            return ActionOutcome(FILE_NOT_FOUND, f"The program '{execute}' is not available on the emulated host.\n",
                                 launched=False)
        client = self.client.host(request.host)
        settings_doc = client.settings()
        env = {**self.environment, **settings_doc.get("env", {})}
        services = SdkServices(client, env)
        services.files = SdkFileView(client, "utf-8" if edition == "7" else "cp1252")
        settings = RunSettings(edition=edition, culture=str(settings_doc.get("culture", "en-US")),
                               width=int(settings_doc.get("width", 120)))
        workdir = expand_environment(request.working_directory, env) if request.working_directory else \
            "C:\\Windows\\system32"
        out: list[str] = []
        err: list[str] = []
        args = split_windows_command_line(expand_environment(request.arguments, env))
        code = launch(args, services=services, settings=settings, workdir=workdir, write_out=out.append,
                      write_err=err.append)
        return ActionOutcome(int(code) & 0xFFFFFFFF, "".join(out) + "".join(err))


def attach(client: HyperVClient, environment: Mapping[str, str] | None = None) -> None:
    """Let `client`'s backend run scheduled tasks' programs through psshim (nothing happens
    for a backend without a Task Scheduler)."""
    runner = ActionRunner(client, environment)
    direct = getattr(client.backend, "set_action_runner", None)
    if direct is not None:  # the emulated backend: its Task Scheduler is made when first used
        direct(runner)
        return
    try:
        tasks = client.tasks
    except BackendError:
        return
    tasks.set_action_runner(runner)
