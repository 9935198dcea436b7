"""A fork server for the kill tests: one Python process that has imported hyperv_emu (and warmed
it up on a throwaway in-memory state) forks a worker per request, so a worker starts in a few
milliseconds instead of the ~0.3 s of a new interpreter. The server is single-threaded (a fork
of pytest's own process, with xdist's threads, could inherit a held lock).

Protocol, one JSON document per line: `{"run": {...work() arguments...}}` answers `{"pid": N}`
(the worker's process, which the test SIGKILLs itself); `{"wait": N}` reaps it and answers
`{"signal": S, "code": C}`. The server ends at the end of its standard input.

    zygote = Zygote(); pid = zygote.run(url=..., model=..., seed=..., count=..., log=..., kinds=[...])
    os.kill(pid, signal.SIGKILL); zygote.wait(pid); zygote.close()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from typing import Any


class Zygote:
    """The test's side: starts the server (python -m hvemu_zygote) and talks to it."""

    def __init__(self) -> None:
        import hvemu_testlib

        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=hvemu_testlib.subprocess_env())
        assert self._read() == {"ready": True}

    def _read(self) -> Any:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the fork server ended (exit {self.proc.wait()})")
        return json.loads(line)

    def _ask(self, request: dict[str, Any]) -> Any:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def run(self, **work: Any) -> int:
        return int(self._ask({"run": work})["pid"])

    def wait(self, pid: int) -> tuple[int, int]:
        """(the signal that ended the worker or 0, its exit code or 0)."""
        answer = self._ask({"wait": pid})
        return int(answer["signal"]), int(answer["code"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _child(work: dict[str, Any]) -> None:
    import hvemu_oracle

    fd = os.open(work.pop("log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    code = 0
    try:
        hvemu_oracle.work(log_fd=fd, kinds=tuple(work.pop("kinds")), **work)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except BaseException:  # noqa: BLE001 - reported to the test through the log
        os.write(fd, ("crash " + traceback.format_exc().replace("\n", "\\n") + "\n").encode())
        code = 4
    os._exit(code)


def _serve() -> None:
    import hvemu_oracle  # noqa: F401 - imported before any fork

    from hyperv_emu import sdk
    import hvemu_testlib

    # warm up: every module an operation needs is imported once, here
    url = hvemu_testlib.memory_url()
    client = sdk.load_world(url, hvemu_oracle.world(["W"]))
    for op in ({"kind": "write", "vm": "W", "page": 0, "seed": 1}, {"kind": "create", "vm": "W", "name": "c"},
               {"kind": "apply", "vm": "W", "name": "c"}, {"kind": "remove", "vm": "W", "name": "c"},
               {"kind": "export", "vm": "W", "path": "D:\\Exports\\W-1"}):
        hvemu_oracle.execute(client, op)
    hvemu_testlib.drop_memory_root(url)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "run" in request:
            pid = os.fork()
            if pid == 0:
                _child(request["run"])
            print(json.dumps({"pid": pid}), flush=True)
        elif "wait" in request:
            _, status = os.waitpid(int(request["wait"]), 0)
            print(json.dumps({"signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0,
                              "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else 0}), flush=True)


if __name__ == "__main__":
    _serve()
