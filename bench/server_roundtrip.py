"""`Get-VM` over WinRM against `hvemu serve`, next to the same command through `hvemu run`, in
the same run; and commands per second with 8 concurrent clients.

    python bench/server_roundtrip.py [--repeat 15] [--clients 8] [--seconds 10]

Starts `hvemu serve` on a free loopback port over a state initialised from
examples/worlds/fleet.toml (in a temporary folder, removed afterwards), with a user (NTLM, so
that pywinrm and pypsrp seal their messages as against a Windows host over HTTP), then prints
`name: value` lines:

- `pywinrm_get_vm_ms`: median of `Session.run_ps("Get-VM")` (a new cmd shell, `powershell
  -EncodedCommand`, Receive, Delete: what a pywinrm user pays per call);
- `pypsrp_get_vm_ms`: median of one `Get-VM` pipeline in an open runspace pool;
- `hvemu_run_get_vm_ms`: median of a fresh `hvemu run -c Get-VM` process on the same state;
- `pywinrm_cps_8_clients`, `pypsrp_cps_8_clients`: `Get-VM` commands completed per second by
  `--clients` threads, each with its own client, during `--seconds`.

The three single-command timings take turns round after round, so a shared machine's changing
load weighs on all alike.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
WORLD = ROOT / "examples" / "worlds" / "fleet.toml"
USER = "bench"
PASSWORD = "B3nch!pass"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(state: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hyperv_emu.cli", "serve", "--state", state, "--port", str(port),
                             "--user", USER, "--password-env", "HVEMU_BENCH_PASSWORD"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(f"hvemu serve did not start: {proc.communicate()[1].decode()}") from None
            time.sleep(0.1)


def pywinrm_call(port: int) -> Callable[[], None]:
    import winrm

    session = winrm.Session(f"http://127.0.0.1:{port}/wsman", auth=(USER, PASSWORD), transport="ntlm")

    def call() -> None:
        r = session.run_ps("Get-VM")
        if r.status_code != 0:
            raise SystemExit(f"pywinrm Get-VM failed: {r.std_err.decode()}")

    return call


def pypsrp_call(port: int) -> tuple[Callable[[], None], Any]:
    from pypsrp.powershell import PowerShell, RunspacePool
    from pypsrp.wsman import WSMan

    pool = RunspacePool(WSMan("127.0.0.1", port=port, username=USER, password=PASSWORD, ssl=False, auth="ntlm"))
    pool.open()

    def call() -> None:
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-VM")
        if len(ps.invoke()) != 4 or ps.had_errors:
            raise SystemExit("pypsrp Get-VM failed")

    return call, pool


def hvemu_run_call(state: str, env: dict[str, str]) -> Callable[[], None]:
    def call() -> None:
        r = subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "run", "--state", state, "-c", "Get-VM"],
                           env=env, capture_output=True, cwd=ROOT)
        if r.returncode != 0:
            raise SystemExit(f"hvemu run failed: {r.stderr.decode()}")

    return call


def medians(calls: dict[str, Callable[[], None]], repeat: int) -> dict[str, float]:
    for call in calls.values():
        call()  # warm up: imports, the first shell, caches
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def throughput(make: Callable[[], Callable[[], None]], clients: int, seconds: float) -> float:
    """Commands per second done by `clients` threads, each with the client `make()` gives."""
    calls = [make() for _ in range(clients)]
    done = [0] * clients
    errors: list[BaseException] = []
    stop = threading.Event()
    barrier = threading.Barrier(clients + 1)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            while not stop.is_set():
                calls[i]()
                done[i] += 1
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise SystemExit(f"a client failed: {errors[0]!r}")
    return sum(done) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env["HVEMU_BENCH_PASSWORD"] = PASSWORD
    folder = tempfile.mkdtemp(prefix="hvemu-bench-server-")
    state = os.path.join(folder, "state")
    proc = None
    pools: list[Any] = []
    try:
        subprocess.run([sys.executable, "-m", "hyperv_emu.cli", "init", "--world", str(WORLD), "--state", state],
                       env=env, check=True, capture_output=True)
        proc, port = start(state, env)
        psrp, pool = pypsrp_call(port)
        pools.append(pool)
        m = medians({"pywinrm": pywinrm_call(port), "pypsrp": psrp, "hvemu_run": hvemu_run_call(state, env)},
                    args.repeat)
        print(f"pywinrm_get_vm_ms: {m['pywinrm'] * 1000:.1f}")
        print(f"pypsrp_get_vm_ms: {m['pypsrp'] * 1000:.1f}")
        print(f"hvemu_run_get_vm_ms: {m['hvemu_run'] * 1000:.1f}")

        def make_psrp() -> Callable[[], None]:
            call, p = pypsrp_call(port)
            pools.append(p)
            return call

        winrm_cps = throughput(lambda: pywinrm_call(port), args.clients, args.seconds)
        print(f"pywinrm_cps_{args.clients}_clients: {winrm_cps:.1f}")
        psrp_cps = throughput(make_psrp, args.clients, args.seconds)
        print(f"pypsrp_cps_{args.clients}_clients: {psrp_cps:.1f}")
    finally:
        for p in pools:
            try:
                p.close()
            except Exception:  # noqa: BLE001 - the server may be gone already
                pass
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
