"""A psshim session on an SDK backend: run PowerShell against an emulated (or real) host.

    session = Session.from_world("fleet.toml", "memory://demo")
    result = session.run_file("nightly.ps1", "-VMName", "SRV-APP01")
    result.stdout, result.stderr, result.exit_code     # what powershell.exe -File would give
    result.errors                                       # the ErrorRecords written
    result.output                                       # the output objects (before formatting)

`hvemu run`, the pytest plugin, the scenario runner and the in-process PowerShell transport all
run scripts through this one class.
"""

from __future__ import annotations

import os
import pathlib
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from hyperv_emu import sdk
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.sdk.fieldwise import Fieldwise


@attrs.frozen(eq=False, repr=False)
class RunResult(Fieldwise):
    exit_code: int
    stdout: str
    stderr: str
    errors: tuple[ErrorRecord, ...] = ()
    output: tuple[Any, ...] = ()


def read_script(path: str | os.PathLike[str]) -> str:
    """A script file as powershell.exe reads it: a BOM decides, else UTF-8 (falling back to
    Windows-1252, the ANSI code page 5.1 assumes for files without a BOM)."""
    from hyperv_emu.psshim.host_services import decode_text

    data = pathlib.Path(path).read_bytes()
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode_text(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


class Session:
    def __init__(
        self,
        client: sdk.HyperVClient,
        *,
        url: str | None = None,
        edition: str | None = None,
        timeout: float | None = None,
        environment: Mapping[str, str] | None = None,
        script_dir: str | None = None,
        answers: Any = None,
    ) -> None:
        """`answers` (psshim.runtime.prompts.Answers): where prompts read from; None: every
        prompt fails as under powershell.exe -NonInteractive."""
        self.client = client
        self.answers = answers
        self.url = url
        self.timeout = timeout
        settings = client.settings()
        self.edition = edition or str(settings.get("edition", "5.1"))
        self.culture = str(settings.get("culture", "en-US"))
        self.width = int(settings.get("width", 120))
        env = dict(os.environ if environment is None else environment)
        env.update(settings.get("env", {}))
        self.environment = env
        self.script_dir = script_dir
        from hyperv_emu.psshim.tasks import attach

        attach(client, env)  # scheduled tasks due while the clock moves run their scripts through psshim

    @classmethod
    def connect(cls, url: str | None = None, **kwargs: Any) -> "Session":
        return cls(sdk.connect(url), url=url, **kwargs)

    @classmethod
    def from_world(cls, world: str | os.PathLike[str], url: str, *, force: bool = False, **kwargs: Any) -> "Session":
        """A new state at `url` from a world file (a path), and a session on it."""
        return cls(sdk.load_world_file(url, world, force=force), url=url, **kwargs)

    @classmethod
    def from_world_text(cls, text: str, url: str, *, force: bool = False, **kwargs: Any) -> "Session":
        return cls(sdk.load_world(url, text, "<world>", force=force), url=url, **kwargs)

    # --- running ----------------------------------------------------------------------------

    def runspace(self, write_out: Callable[[str], None], write_err: Callable[[str], None],
                 output: Callable[[Any], None] | None = None, script_dir: str | None = None, *,
                 write_stream: Callable[[str, str], None] | None = None,
                 progress: Callable[[Any], None] | None = None, location: str | None = None) -> Any:
        """A runspace writing to these callbacks (`runtime.host.Host`: `write_stream` gets the
        warning/verbose/debug/information lines, `progress` the Write-Progress records);
        `location`: its current location on the host (default `C:\\Users\\Administrator`)."""
        from hyperv_emu.psshim.host_services import LocalAndHostFiles, SdkFileView, SdkServices
        from hyperv_emu.psshim.runtime.host import Host
        from hyperv_emu.psshim.runtime.runner import RunSettings, Runspace

        services = SdkServices(self.client, self.environment)
        # script_dir: the folder of this machine relative code paths fall back to (as
        # powershell.exe -File resolves `. .\\lib.ps1` from its current folder)
        services.files = LocalAndHostFiles(SdkFileView(self.client, "utf-8" if self.edition == "7" else "cp1252"),
                                           script_dir or self.script_dir or os.getcwd())
        settings = RunSettings(edition=self.edition, culture=self.culture, width=self.width,
                               timeout_seconds=self.timeout)
        if location is not None:
            settings.location = location
        host = Host(write_out, write_err, write_stream=write_stream, progress=progress, answers=self.answers)
        return Runspace(services, settings, host, output=output)

    def _capture(self, run: Callable[[Any], int], script_dir: str | None) -> RunResult:
        from hyperv_emu.psshim.format.out_default import OutDefault

        out: list[str] = []
        err: list[str] = []
        objects: list[Any] = []
        formatter: list[Any] = []

        def sink(obj: Any) -> None:
            objects.append(obj)
            formatter[0].write(obj)

        rs = self.runspace(out.append, err.append, sink, script_dir)
        formatter.append(OutDefault(rs.host.write_out, rs.format_settings(), rs.adapters))
        code = run(rs)
        formatter[0].close()
        rs.host.finish()  # the "process" ends: an open transcript writes its footer
        return RunResult(int(code), "".join(out), "".join(err), tuple(rs.errors), tuple(objects))

    def run(self, text: str, *args: str, path: str = "script.ps1") -> RunResult:
        """Run script text as the script file at `path` (for `$PSScriptRoot`, error positions
        and `$MyInvocation`), binding `args` to its param() block."""
        return self._capture(lambda rs: rs.run_script(text, path, list(args)), None)

    def run_command(self, text: str) -> RunResult:
        """One command line, as typed at a prompt (errors say `At line:1 char:N`)."""
        return self._capture(lambda rs: rs.run_command(text), None)

    def run_file(self, path: str | os.PathLike[str], *args: str) -> RunResult:
        full = str(pathlib.Path(path).resolve())
        return self.run(read_script(full), *args, path=full)

    def discard(self) -> None:
        """Delete an in-memory state (states on disk are left to their owner)."""
        if self.url and self.url.startswith("memory://"):
            sdk.delete_state(self.url)
