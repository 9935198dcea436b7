"""How the PowerShell backend runs a script on a host.

The interface is one method:

    class Transport(Protocol):
        def run(self, script: str) -> TransportResult: ...

`run` executes the whole script text in a fresh scope and returns what came back: `stdout` (the
pipeline output as text: the backend looks for its `HVEMU-JSON:` line there), `stderr` (error
records the script did not catch, as text) and `exit_code` (0 when the run itself succeeded). A
transport raises `sdk.errors.BackendError` when it cannot run the script at all (no PowerShell,
a refused connection, a timeout). It never changes the script's meaning; a transport may add a
fixed prelude of its own (the local one sets UTF-8 output). Transports may also have `close()`.

Implementations here:

- `LocalPowerShellTransport("powershell.exe" | "pwsh" | a path)`: a subprocess
  `<exe> -NoProfile -NonInteractive -EncodedCommand <base64 of UTF-16LE>`; a script too long for a
  command line is sent base64-encoded on standard input to a fixed bootstrap command instead.
- `WinRMTransport(host, …)`: WinRM/PSRP through pypsrp (`pip install hyperv-emu[winrm]`; imported
  only when the first script runs), with negotiate, ntlm, kerberos, credssp or basic auth. The
  password is held privately: it never appears in `repr()`, logs or exception messages.

The in-process transport (psshim running the script on an emulated host) lives in psshim and
implements the same `run`.
"""

from __future__ import annotations

import base64
import logging
import os
import shutil
import subprocess
import sys
import threading
import typing
from typing import Any, Protocol, runtime_checkable

import attrs

from hyperv_emu.sdk.errors import BackendError

log = logging.getLogger("hyperv_emu.sdk.backends.transports")


@attrs.frozen
class TransportResult:
    stdout: str
    stderr: str = ""
    exit_code: int = 0


@runtime_checkable
class Transport(Protocol):
    def run(self, script: str) -> TransportResult: ...


# --- local subprocess ------------------------------------------------------------------------------

# Windows' command line holds 32767 characters; beyond this the script goes through stdin.
MAX_ENCODED_COMMAND = 30000

_UTF8_PRELUDE = "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8\n"
_STDIN_BOOTSTRAP = (
    "$hvText = [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String([Console]::In.ReadToEnd()))\n"
    "& ([scriptblock]::Create($hvText))\n"
)


def encode_command(script: str) -> str:
    """PowerShell's `-EncodedCommand` form: base64 of the UTF-16LE text."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def default_executable() -> str:
    """`powershell.exe` on Windows when present, else `pwsh`."""
    if sys.platform == "win32" and shutil.which("powershell.exe"):
        return "powershell.exe"
    return "pwsh"


class LocalPowerShellTransport:
    """Runs each script in a new local PowerShell process."""

    def __init__(self, executable: str | None = None, *, timeout: float | None = 600.0,
                 extra_args: tuple[str, ...] = ()) -> None:
        self.executable = executable or default_executable()
        self.timeout = timeout
        self.extra_args = tuple(extra_args)

    def __repr__(self) -> str:
        return f"LocalPowerShellTransport(executable={self.executable!r}, timeout={self.timeout!r})"

    def command_line(self, script: str) -> tuple[list[str], bytes | None]:
        """The exact argv (and standard input) used for `script`."""
        full = _UTF8_PRELUDE + script
        encoded = encode_command(full)
        base = [self.executable, "-NoProfile", "-NonInteractive", *self.extra_args]
        if len(encoded) <= MAX_ENCODED_COMMAND:
            return base + ["-EncodedCommand", encoded], None
        stdin = base64.b64encode(full.encode("utf-8"))
        return base + ["-EncodedCommand", encode_command(_STDIN_BOOTSTRAP)], stdin

    def run(self, script: str) -> TransportResult:
        argv, stdin = self.command_line(script)
        kwargs: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
        if sys.platform == "win32":
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
        log.debug("running a %d-character script with %s", len(script), self.executable)
        try:
            proc = subprocess.run(argv, capture_output=True, timeout=self.timeout, check=False, **kwargs)
        except FileNotFoundError:
            raise BackendError(
                f"PowerShell was not found: '{self.executable}'. Install it, or choose another executable "
                "(powershell://localhost?exe=pwsh).") from None
        except subprocess.TimeoutExpired:
            raise BackendError(f"PowerShell did not finish within {self.timeout} seconds.",
                               error_id="Timeout", category="OperationTimeout") from None
        except OSError as exc:
            raise BackendError(f"PowerShell could not be started: {exc}.") from None
        return TransportResult(_decode(proc.stdout), _decode(proc.stderr), proc.returncode)


def _decode(data: bytes | None) -> str:
    if not data:
        return ""
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


# --- WinRM / PSRP -----------------------------------------------------------------------------------

AUTH_METHODS = ("negotiate", "ntlm", "kerberos", "credssp", "basic", "certificate")

# System.Management.Automation.ErrorCategory, by number (PSRP sends the number).
ERROR_CATEGORIES = (
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
    "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled",
    "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied",
    "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr",
    "SecurityError", "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded",
    "QuotaExceeded", "NotEnabled",
)


class _Secret:
    """A value that does not print."""

    __slots__ = ("_value",)

    def __init__(self, value: str | None) -> None:
        self._value = value

    def get(self) -> str | None:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>" if self._value else "None"

    __str__ = __repr__


def redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "********")
    return text


class WinRMTransport:
    """Runs scripts on a remote host over WinRM/PSRP (pypsrp), in one runspace pool kept open
    between calls (`close()` ends it)."""

    def __init__(
        self,
        host: str,
        *,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        auth: str = "negotiate",
        ssl: bool = True,
        cert_validation: bool | str = True,
        path: str = "wsman",
        configuration_name: str = "Microsoft.PowerShell",
        operation_timeout: int = 20,
        read_timeout: int = 30,
        connection_timeout: int = 30,
        encryption: str = "auto",
        wsman_options: dict[str, Any] | None = None,
    ) -> None:
        if auth not in AUTH_METHODS:
            raise BackendError(f"Unknown WinRM authentication '{auth}' (use one of {', '.join(AUTH_METHODS)}).",
                               error_id="InvalidArgument", category="InvalidArgument")
        self.host = host
        self.port = port if port is not None else (5986 if ssl else 5985)
        self.username = username
        self._password = _Secret(password)
        self.auth = auth
        self.ssl = ssl
        self.cert_validation = cert_validation
        self.path = path
        self.configuration_name = configuration_name
        self.operation_timeout = operation_timeout
        self.read_timeout = max(read_timeout, operation_timeout + 10)
        self.connection_timeout = connection_timeout
        self.encryption = encryption
        self._wsman_options = dict(wsman_options or {})
        self._pool: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"WinRMTransport(host={self.host!r}, port={self.port}, username={self.username!r}, "
                f"auth={self.auth!r}, ssl={self.ssl}, cert_validation={self.cert_validation!r})")

    @property
    def has_password(self) -> bool:
        return bool(self._password.get())

    def _where(self) -> str:
        return f"{'https' if self.ssl else 'http'}://{self.host}:{self.port}/{self.path}"

    def _fail(self, what: str, exc: BaseException) -> BackendError:
        detail = redact(f"{type(exc).__name__}: {exc}", self._password.get())
        return BackendError(f"{what} ({self._where()}, user {self.username or '(current)'}, auth {self.auth}): "
                            f"{detail}")

    def _open(self) -> Any:
        if self._pool is not None:
            return self._pool
        try:
            from pypsrp.powershell import RunspacePool
            from pypsrp.wsman import WSMan
        except ImportError:
            raise BackendError("WinRM needs pypsrp: pip install 'hyperv-emu[winrm]'.",
                               error_id="NotInstalled", category="NotInstalled") from None
        log.info("opening a PSRP runspace pool on %s as %s (%s)", self._where(), self.username or "(current)", self.auth)
        try:
            wsman = WSMan(self.host, port=self.port, username=self.username, password=self._password.get(),
                          ssl=self.ssl, path=self.path, auth=self.auth,
                          cert_validation=typing.cast(Any, self.cert_validation),  # a CA bundle path too
                          operation_timeout=self.operation_timeout, read_timeout=self.read_timeout,
                          connection_timeout=self.connection_timeout, encryption=self.encryption,
                          **self._wsman_options)
            pool = RunspacePool(wsman, configuration_name=self.configuration_name)
            pool.open()
        except Exception as exc:  # pypsrp, requests, spnego: any failure to connect
            raise self._fail("Cannot open a WinRM session", exc) from None
        self._pool = pool
        return pool

    def run(self, script: str) -> TransportResult:
        with self._lock:
            pool = self._open()
            try:
                from pypsrp.powershell import PowerShell

                ps = PowerShell(pool)
                ps.add_script(script, use_local_scope=True)
                output = ps.invoke()
            except Exception as exc:
                self._discard()
                raise self._fail("The WinRM call failed", exc) from None
            stdout = "\n".join("" if o is None else str(o) for o in output)
            stderr = "\n\n".join(_psrp_error_text(e) for e in ps.streams.error)
            return TransportResult(stdout, stderr, 1 if ps.had_errors else 0)

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                pool.close()
            except Exception:  # the pool is broken anyway
                pass

    def close(self) -> None:
        with self._lock:
            self._discard()

    def __enter__(self) -> "WinRMTransport":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _psrp_error_text(record: Any) -> str:
    """A PSRP ErrorRecord as 5.1 NormalView text, which `ps_json.errors_from_stderr` reads."""
    message = ""
    exception = getattr(record, "exception", None)
    for holder in (getattr(exception, "adapted_properties", None), getattr(exception, "extended_properties", None)):
        if isinstance(holder, dict) and holder.get("Message"):
            message = str(holder["Message"])
            break
    if not message:
        message = str(getattr(record, "details_message", None) or getattr(record, "message", None) or record)
    category = getattr(record, "category", None)
    category_name = ERROR_CATEGORIES[category] if isinstance(category, int) and 0 <= category < len(
        ERROR_CATEGORIES) else str(category or "NotSpecified")
    activity = getattr(record, "activity", None) or ""
    fqid = getattr(record, "fq_error", None) or ""
    return (f"{message}\n    + CategoryInfo          : {category_name}: (:) [{activity}], Exception\n"
            f"    + FullyQualifiedErrorId : {fqid}")


def env_password(variable: str | None) -> str | None:
    """The password from the named environment variable, else `HVEMU_WINRM_PASSWORD`."""
    if variable:
        value = os.environ.get(variable)
        if value is None:
            raise BackendError(f"The environment variable {variable} (password_env) is not set.",
                               error_id="InvalidArgument", category="InvalidArgument")
        return value
    return os.environ.get("HVEMU_WINRM_PASSWORD")
