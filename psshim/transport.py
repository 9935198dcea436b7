"""The in-process PowerShell transport: the SDK's PowerShell backend, run through psshim on an
emulated host, so its scripts can be tested (and seen) without Windows.

    from hyperv_emu import sdk
    from hyperv_emu.sdk.backends.powershell import PowerShellBackend
    from hyperv_emu.psshim.transport import InProcessTransport

    emulated = sdk.load_world("memory://demo", open("fleet.toml").read())
    hv = sdk.HyperVClient(PowerShellBackend(InProcessTransport(emulated)))
    hv.vm("SRV-APP01").create_checkpoint("Before KB5034567")   # one script, run by psshim
    print(hv.backend.last_script)                                # the exact script

`InProcessTransport(client_or_url)` implements `sdk.backends.transports.Transport`: `run(script)`
executes the whole script as `powershell.exe -NoProfile -NonInteractive -EncodedCommand` would
(one command text, in a fresh runspace, so nothing carries over between calls) against the
emulated host behind `client_or_url` (an `sdk.HyperVClient` on the emulator, or an emulator URL
for `sdk.connect`), and returns `TransportResult(stdout, stderr, exit_code)`:

- `stdout`: the pipeline output as the console shows it (the backend's `HVEMU-JSON:` line);
- `stderr`: the error records the script did not catch, in the edition's error view;
- `exit_code`: `exit N` gives N; a parse error, a terminating error, or a last statement that
  failed (`$?` false) gives 1; else 0 (powershell.exe's rule for -Command).

What the script sees is the emulated host and nothing of this machine: the Hyper-V cmdlets go to
the client's backend, Get-Date/Start-Sleep to its clock, the file cmdlets and `[System.IO.File]`
to the host's Windows files (never to local files; `hvemu run` also lets a script read its own
folder, this transport does not), and `$env:` holds the world's environment only (with
`COMPUTERNAME`), not this process's. The edition, culture and console width are the world's.

`last_result` holds the last run's `psshim.session.RunResult` (its `errors` and `output` objects
too). A `registry` may be given (tests use it to watch which commands a script resolves); by
default each transport builds psshim's default registry once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from hyperv_emu import sdk
from hyperv_emu.psshim.runtime.registry import Registry
from hyperv_emu.psshim.session import RunResult
from hyperv_emu.sdk.backends.powershell import PowerShellBackend
from hyperv_emu.sdk.backends.transports import TransportResult
from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.types import VM


class InProcessTransport:
    """Runs PowerShell backend scripts through psshim on an emulated host (see the module
    docstring)."""

    def __init__(self, client_or_url: HyperVClient | str | os.PathLike[str], *, edition: str | None = None,
                 environment: Mapping[str, str] | None = None, registry: Registry | None = None,
                 timeout: float | None = None) -> None:
        if isinstance(client_or_url, HyperVClient):
            client = client_or_url
        else:
            client = sdk.connect(os.fspath(client_or_url))
        if _is_powershell_backend(client.backend):
            raise sdk.BackendError("InProcessTransport needs a client on the emulator, not another PowerShell "
                                   "backend.", error_id="InvalidArgument", category="InvalidArgument")
        # the cmdlets' own warnings go into the script's warning stream, never to Python's
        self.client = client.host(None).with_warnings(lambda message: None)
        self.edition = edition
        self.environment = dict(environment) if environment is not None else None
        self.timeout = timeout
        self._registry = registry
        self.last_result: RunResult | None = None

    def __repr__(self) -> str:
        return f"InProcessTransport({self.client.backend!r}, edition={self.edition!r})"

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from hyperv_emu.psshim.cmdlets import default_registry

            self._registry = default_registry()
        return self._registry

    def run(self, script: str) -> TransportResult:
        result = self.run_result(script)
        return TransportResult(result.stdout, result.stderr, result.exit_code)

    def run_result(self, script: str) -> RunResult:
        """`run`, with psshim's whole result (error records and output objects too)."""
        from hyperv_emu.psshim.format.out_default import OutDefault
        from hyperv_emu.psshim.host_services import SdkFileView, SdkServices
        from hyperv_emu.psshim.runtime.host import Host
        from hyperv_emu.psshim.runtime.runner import RunSettings, Runspace

        settings = self.client.settings()
        edition = self.edition or str(settings.get("edition", "5.1"))
        env: dict[str, str] = {}
        env.update({str(k): str(v) for k, v in dict(settings.get("env", {})).items()})
        if self.environment is not None:
            env.update(self.environment)
        services = SdkServices(self.client, env)
        services.files = SdkFileView(self.client, "utf-8" if edition.startswith("7") else "cp1252")
        run_settings = RunSettings(edition=edition, culture=str(settings.get("culture", "en-US")),
                                   width=int(settings.get("width", 120)), timeout_seconds=self.timeout)
        out: list[str] = []
        err: list[str] = []
        objects: list[Any] = []
        formatter: list[OutDefault] = []

        def sink(obj: Any) -> None:
            objects.append(obj)
            formatter[0].write(obj)

        rs = Runspace(services, run_settings, Host(out.append, err.append), registry=self.registry, output=sink)
        formatter.append(OutDefault(rs.host.write_out, rs.format_settings(), rs.adapters))
        code = rs.run_command(script)
        formatter[0].close()
        if code == 0 and not rs.interp.status:
            code = 1
        result = RunResult(int(code), "".join(out), "".join(err), tuple(rs.errors), tuple(objects))
        self.last_result = result
        return result

    def close(self) -> None:
        """Nothing to close (the emulated host belongs to the client given)."""


class InProcessBackend(PowerShellBackend):
    """The PowerShell backend over an `InProcessTransport`: every call is the script a real host
    would run, through psshim on the emulated host. The emulator's own controls, which no script
    can reach on a real host, go to the emulated host directly: `sleep` moves its virtual clock
    (on a real host time simply passes), `clock_is_virtual` is its clock's, and `set_faults`
    switches its faults (on a real host a guest's VSS writer fails by itself)."""

    def __init__(self, transport: InProcessTransport) -> None:
        super().__init__(transport)
        self.in_process = transport

    def __repr__(self) -> str:
        return f"InProcessBackend({self.in_process!r})"

    def sleep(self, computer: str | None, seconds: float) -> None:
        self.in_process.client.backend.sleep(computer, seconds)

    def clock_is_virtual(self) -> bool:
        return self.in_process.client.backend.clock_is_virtual()

    def set_faults(self, computer: str | None, vm_id: str, *, guest_vss_failing: bool | None,
                   pass_through_disks: int | None) -> VM:
        self.in_process.client.backend.set_faults(computer, self._vm_id(vm_id), guest_vss_failing=guest_vss_failing,
                                                  pass_through_disks=pass_through_disks)
        return self.get_vm_by_id(computer, vm_id)  # read back through a script, as every value is

    def guest_reachable(self, computer: str | None, vm_id: str) -> bool:
        return self.in_process.client.backend.guest_reachable(computer, self._vm_id(vm_id))


def in_process_client(client_or_url: HyperVClient | str | os.PathLike[str], **kwargs: Any) -> HyperVClient:
    """An SDK client whose every call is a PowerShell backend script run by psshim on the emulated
    host behind `client_or_url` (`kwargs` go to `InProcessTransport`)."""
    return HyperVClient(InProcessBackend(InProcessTransport(client_or_url, **kwargs)))


def _is_powershell_backend(backend: Any) -> bool:
    return isinstance(backend, PowerShellBackend)


__all__ = ["InProcessBackend", "InProcessTransport", "in_process_client"]
