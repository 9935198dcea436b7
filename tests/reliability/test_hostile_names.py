"""Hostile names through every entry point (issue 14, point 5): the SDK, the cmdlets, the `hvemu`
command line, world files and the server's `powershell -EncodedCommand`.

Names: quotes of every kind, wildcards (`[`, `*`, `?`), Unicode (right-to-left override,
combining marks, emoji, CJK, a lone surrogate where the entry point can carry one), control
characters (NUL, newline, ESC, DEL), 255 and more characters, reserved device names, path
separators, `..`, empty and blank names, PowerShell syntax (`$( )`, `;`, backticks).

Each name, used as a VM name, a checkpoint name and a piece of an export path, must be taken as
data (it reads back exactly) or refused with a clear error of its entry point: a typed SDK
error, a PowerShell error record, a command-line error (exit 1 or 2), a world-file error naming
the key — never a Python traceback, never hvemu's internal error. Afterwards the state is
consistent (`hvemu state check`) and nothing outside the state root changed. (The PowerShell
backend's generated scripts are proven against the same kinds of names by
tests/sdk/test_powershell_injection.py.)
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import pathlib
import shutil
import tempfile
from collections.abc import Iterator

import hvemu_oracle as O
import hvemu_testlib as T
import pytest

from hyperv_emu import sdk
from hyperv_emu.cli.main import main
from hyperv_emu.psshim.session import Session
from hyperv_emu.server.pwsh_run import run_powershell

NAMES = [
    "it's", 'say "hi"', "back`tick", "\u2018curly\u2019 \u201cquotes\u201d", "[", "]", "[a-z]", "*", "?", "vm*",
    "\u202eevil", "e\u0301", "\U0001f600" * 3, "\u4e2d\u6587", "\x00", "a\x00b", "line\nbreak", "cr\rx", "tab\tx",
    "esc\x1b[31m", "del\x7f", "x" * 255, "y" * 256, "z" * 1000, "CON", "nul", "COM1", "LPT9.txt", "aux.vhdx",
    "a\\b", "a/b", "\\\\server\\share", "C:\\Windows", "..", ".", "..\\..\\x", "../../x", "", " ", "trailing.",
    "$(Remove-Item -Recurse C:\\)", "a; Remove-VM -Name Target -Force", "@{x=1}", "-Name", "--%", "#comment",
]
SURROGATE = "\ud800"  # Python text only (no UTF-8, no TOML, no command line can carry it)

WORLD = T.base_world(extra=T.vm_table("Target"))


def ps_literal(text: str) -> str:
    """A single-quoted PowerShell string whose value is `text` (every quote doubled)."""
    for q in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        text = text.replace(q, q + q)
    return f"'{text}'"


class Sandbox:
    """A local state with a canary folder beside it, whose tree must not change."""

    def __init__(self, base: pathlib.Path) -> None:
        self.base = base
        (base / "outside").mkdir()
        (base / "outside" / "canary.txt").write_text("canary")
        self.url = str(base / "state")
        self.client = sdk.load_world(self.url, WORLD)
        self.before = self.outside()

    def outside(self) -> dict[str, tuple[int, int]]:
        return {k: v for k, v in T.tree(self.base).items() if not k.startswith("state")}

    def check(self) -> None:
        assert self.outside() == self.before, "something outside the state root changed"
        code, text = O.state_check(self.url)
        assert code == 0, text


@pytest.fixture
def scratch() -> Iterator[pathlib.Path]:
    """A folder in /dev/shm when there is one (no fsync cost), removed afterwards."""
    shm = pathlib.Path("/dev/shm")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="hvemu-hostile-", dir=shm if shm.is_dir() else None))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def sandbox(scratch: pathlib.Path) -> Iterator[Sandbox]:
    yield Sandbox(scratch)


def no_internal_error(text: str) -> None:
    assert "Traceback (most recent call last)" not in text, text
    assert "internal error" not in text, text


def test_sdk(sandbox: Sandbox, record_property: pytest.RecordProperty) -> None:
    c = sandbox.client
    tried = 0
    for name in [*NAMES, SURROGATE]:
        for call in (lambda: c.new_vm(name), lambda: c.checkpoint_vm("Target", name),
                     lambda: c.export_vm("Target", f"D:\\Exports\\{name}")):
            tried += 1
            try:
                result = call()
            except sdk.HyperVError as exc:  # a refusal: typed, with Hyper-V's message
                assert exc.message and exc.error_id and exc.category, exc
                continue
            if isinstance(result, sdk.VM):  # taken as data: it reads back exactly
                assert result.name == name and c.get_vm_by_id(result.id).name == name
                c.remove_vm(result)
            elif isinstance(result, sdk.Checkpoint):
                assert result.name == name and c.get_checkpoint(result.id).name == name
                c.remove_checkpoint(result)
    c.sleep(600)
    sandbox.check()
    record_property("reliability.hostile_inputs", tried)


def test_cmdlets(sandbox: Sandbox, record_property: pytest.RecordProperty) -> None:
    session = Session(sandbox.client)
    tried = 0
    for name in NAMES:
        lit = ps_literal(name)
        script = (f"New-VM -Name {lit} -MemoryStartupBytes 512MB | Out-Null\n"
                  f"Get-VM -Name {lit} | Remove-VM -Force\n"
                  f"Checkpoint-VM -Name Target -SnapshotName {lit}\n"
                  f"Get-VMSnapshot -VMName Target | Where-Object Name -ceq {lit} | Rename-VMSnapshot -NewName x\n"
                  f"Remove-VMSnapshot -VMName Target -Name x\n"
                  f"Export-VM -Name Target -Path (Join-Path 'D:\\Exports' {lit})\n"
                  f"Get-VMSnapshot -VMName Target -Name {lit}\n")
        result = session.run(script)
        tried += 1
        no_internal_error(result.stdout + result.stderr)
        assert not [e for e in result.errors if e.fully_qualified_error_id.startswith("HvemuInternalError")]
    sandbox.client.sleep(600)
    sandbox.check()
    record_property("reliability.hostile_inputs", tried)


def cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return code, out.getvalue()


def test_cli_arguments(sandbox: Sandbox, record_property: pytest.RecordProperty) -> None:
    state = ["--state", sandbox.url]
    tried = 0
    for name in NAMES:
        if "\x00" in name:
            continue  # no command line carries a NUL (execve ends the argument there)
        for args in (["checkpoint", "create", "Target", name], ["checkpoint", "list", name],
                     ["checkpoint", "rename", "Target", name, "renamed"], ["checkpoint", "restore", "Target", name],
                     ["checkpoint", "remove", "Target", "--name", name], ["vm", "start", name], ["tree", name],
                     ["path", name], ["checkpoint", "remove", "Target", "--name", "renamed"]):
            tried += 1
            code, text = cli(*args, *state)
            assert code in (0, 1, 2), (args, code, text)
            no_internal_error(text)
    sandbox.client.sleep(600)
    sandbox.check()
    record_property("reliability.hostile_inputs", tried)


VMS_FOLDER = "D:\\VMs\\"


def toml_string(text: str) -> str:
    # a JSON string is a TOML basic string once DEL is escaped too (TOML forbids it raw)
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def test_world_files(scratch: pathlib.Path, record_property: pytest.RecordProperty) -> None:
    tried = 0
    for i, name in enumerate(NAMES):
        for world in (
            T.base_world() + f"\n[[vm]]\nname = {toml_string(name)}\n",
            T.base_world(extra=T.vm_table("Target")) + f"\n[[vm.checkpoint]]\nname = {toml_string(name)}\n"
            "created = 2026-02-19T08:00:00\n",
            T.base_world() + f"\n[[vm]]\nname = \"V\"\ndisks = [{{ path = {toml_string(VMS_FOLDER + name)}, "
            "size = \"1GB\" }]\n",
        ):
            tried += 1
            url = str(scratch / f"w{tried}")
            try:
                client = sdk.load_world(url, world, f"world{i}.toml")
            except sdk.HyperVError as exc:
                assert exc.message, exc
                continue
            code, text = O.state_check(url)
            assert code == 0, (name, text)
            names = [v.name for v in client.get_vms()] + [c.name for c in client.get_checkpoints(None)]
            assert name in names or "path =" in world, (name, names)
    record_property("reliability.hostile_inputs", tried)


def test_server_encoded_command(sandbox: Sandbox, record_property: pytest.RecordProperty) -> None:
    tried = 0
    for name in NAMES:
        lit = ps_literal(name)
        script = (f"Checkpoint-VM -Name Target -SnapshotName {lit}\n"
                  f"$c = Get-VMSnapshot -VMName Target | Where-Object Name -ceq {lit}\n"
                  f"if ($c) {{ 'found' ; $c | Remove-VMSnapshot }} else {{ 'absent' }}\n"
                  f"New-VM -Name {lit} | Remove-VM -Force\n")
        encoded = base64.b64encode(script.encode("utf-16-le")).decode()
        result = run_powershell(sandbox.client, ["-NoProfile", "-NonInteractive", "-EncodedCommand", encoded],
                                read_script=lambda _path: None, environment={})
        tried += 1
        assert isinstance(result.exit_code, int)
        no_internal_error(result.stdout + result.stderr)
        # a checkpoint name is data: the checkpoint is made and found again, or Checkpoint-VM
        # refused it with its error record (too long for Hyper-V, say)
        assert result.stdout.split()[:1] == ["found"] or "Checkpoint-VM" in result.stderr, (name, result.stdout)
    sandbox.client.sleep(600)
    sandbox.check()
    record_property("reliability.hostile_inputs", tried)
