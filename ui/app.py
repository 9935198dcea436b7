"""The Starlette application of `hvemu ui`.

    GET  /                  the page: ?host=N&vm=ID&cp=ID&dialog=apply|rename|delete|delete-subtree|export
                            (&path=FOLDER for the export folder picker) &flash=ID (an action's outcome)
    GET  /api/vms           the virtual machines list as JSON (the page polls it while a merge runs)
    POST /action/NAME       an action (actions.ACTIONS) with the page's CSRF token; answers 303 to the page
    GET  /static/...        the stylesheet and the script

SDK calls run in a worker thread, one at a time (`UIState.lock`): the page and the poller never
interleave calls on one client.
"""

from __future__ import annotations

import collections
import pathlib
import secrets
import threading
import urllib.parse
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from hyperv_emu.sdk import HyperVClient, HyperVError
from hyperv_emu.ui import actions, pages, texts
from hyperv_emu.ui.security import Guard, GuardMiddleware

HERE = pathlib.Path(__file__).resolve().parent
DIALOGS = ("apply", "revert", "rename", "delete", "delete-subtree", "export", "turn-off", "shut-down")
VM_DIALOGS = ("turn-off", "shut-down")  # the others are about the selected checkpoint
MAX_FLASHES = 64
MAX_FORM = 64 * 1024
T = TypeVar("T")


@attrs.define
class UIState:
    """One server's hosts (a client each), its lock and the outcomes waiting to be shown."""

    hosts: Sequence[HyperVClient]
    guard: Guard
    lock: threading.Lock = attrs.field(factory=threading.Lock)
    flashes: "collections.OrderedDict[str, actions.Outcome]" = attrs.field(factory=collections.OrderedDict)

    def remember(self, outcome: actions.Outcome) -> str:
        key = secrets.token_urlsafe(8)
        self.flashes[key] = outcome
        while len(self.flashes) > MAX_FLASHES:
            self.flashes.popitem(last=False)
        return key

    async def call(self, fn: Callable[[], T]) -> T:
        def locked() -> T:
            with self.lock:
                return fn()

        return await run_in_threadpool(locked)


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def parent_folder(path: str) -> str | None:
    """The folder above a Windows path (`D:\\a\\b` -> `D:\\a`, `D:\\a` -> `D:\\`), None at a root."""
    trimmed = path.rstrip("\\")
    if len(trimmed) <= 2:  # `D:`
        return None
    head = trimmed.rsplit("\\", 1)[0]
    return head + "\\" if len(head) == 2 else head


def join_folder(path: str, name: str) -> str:
    return path.rstrip("\\") + "\\" + name


def _folders(hv: HyperVClient, path: str) -> tuple[list[str], str]:
    """The subfolders of `path` on the host, and an error message (empty when listed)."""
    try:
        return sorted((f.name for f in hv.list_dir(path) if f.is_dir), key=str.casefold), ""
    except HyperVError as exc:
        return [], exc.message


def page_context(state: UIState, params: dict[str, str]) -> dict[str, Any]:
    """Everything the page template shows (read under the lock)."""
    host_index = min(max(_int(params.get("host")), 0), len(state.hosts) - 1)
    hv = state.hosts[host_index]
    hosts = []
    for i, client in enumerate(state.hosts):
        hosts.append((i, *pages.vm_rows(client)))
    vms = hosts[host_index][2]
    vm = next((v for v, _ in vms if v.id == params.get("vm")), vms[0][0] if vms else None)
    outcome = state.flashes.get(params.get("flash", ""))
    ctx: dict[str, Any] = {
        "texts": texts, "hosts": hosts, "host_index": host_index, "vm": vm, "csrf": state.guard.csrf_token,
        "outcome": outcome, "dialog": params.get("dialog") if params.get("dialog") in DIALOGS else None,
        "clock_virtual": hv.clock_is_virtual, "clock_steps": actions.CLOCK_STEPS,
        "any_merging": any(row.merging for _, _, rows in hosts for _, row in rows),
        "cp": None, "tree": (), "details": None, "chains": (), "mermaid": "", "checkpoint_count": 0,
    }
    culture, edition = pages.culture_of(hv)
    ctx["now"] = pages.format_time(hv.now(), culture, edition)
    ctx["culture"] = culture
    if vm is None:
        ctx["dialog"] = None
        return ctx
    checkpoints = hv.get_checkpoints(vm)
    wanted = params.get("cp") or (outcome.select if outcome is not None else None) or vm.parent_snapshot_id
    cp = next((c for c in checkpoints if c.id == wanted), None)
    ctx.update(
        tree=pages.checkpoint_tree(vm, checkpoints), cp=cp, checkpoint_count=len(checkpoints),
        details=pages.details(hv, vm, cp, culture, edition) if cp is not None else None,
        chains=(chains := pages.disk_chains(hv, vm)), mermaid=pages.chains_mermaid(chains),
    )
    if ctx["dialog"] is not None and cp is None and ctx["dialog"] not in VM_DIALOGS:
        ctx["dialog"] = None
    if ctx["dialog"] == "export":
        host = hv.get_vm_host()
        start = params.get("path") or host.virtual_machine_path
        known = [host.virtual_machine_path, host.virtual_hard_disk_path, vm.path, *(d.path for d in vm.hard_drives)]
        ctx["browse_drives"] = sorted({p[:2].upper() + "\\" for p in known if len(p) > 1 and p[1] == ":"})
        folders, problem = _folders(hv, start)
        ctx.update(browse_path=start, browse_parent=parent_folder(start), browse_problem=problem,
                   browse_folders=[(name, join_folder(start, name)) for name in folders])
    return ctx


def _query(**values: str | int | None) -> str:
    return urllib.parse.urlencode({k: v for k, v in values.items() if v not in (None, "")})


def build_app(state: UIState) -> Any:
    """The ASGI application: the routes behind `GuardMiddleware`."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["query"] = _query
    templates = Jinja2Templates(env=env)

    async def index(request: Request) -> Response:
        params = dict(request.query_params)
        try:
            ctx = await state.call(lambda: page_context(state, params))
        except HyperVError as exc:  # the host or the state cannot be read now (a lock, a transport)
            return templates.TemplateResponse(request, "unavailable.html", {"texts": texts, "message": exc.message},
                                              status_code=503, headers={"Cache-Control": "no-store"})
        return templates.TemplateResponse(request, "index.html", ctx,
                                          headers={"Cache-Control": "no-store"})

    async def api_vms(request: Request) -> Response:
        def rows() -> dict[str, Any]:
            out = [attrs.asdict(row) for hv in state.hosts for _, row in pages.vm_rows(hv)[1]]
            culture, edition = pages.culture_of(state.hosts[0])
            return {"vms": out, "merging": any(r["merging"] for r in out),
                    "now": pages.format_time(state.hosts[0].now(), culture, edition)}

        try:
            return JSONResponse(await state.call(rows), headers={"Cache-Control": "no-store"})
        except HyperVError as exc:
            return JSONResponse({"error": exc.message}, status_code=503, headers={"Cache-Control": "no-store"})

    async def action(request: Request) -> Response:
        name = request.path_params["name"]
        body = await request.body()
        if len(body) > MAX_FORM:
            return PlainTextResponse("The form is too large.", status_code=413)
        try:
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        except UnicodeDecodeError:
            return PlainTextResponse("The form is not UTF-8.", status_code=400)
        if not state.guard.csrf_ok(form.get("csrf")):
            return PlainTextResponse("Refused: the form's security token is missing or stale; reload the page.",
                                     status_code=403)
        host_index = min(max(_int(form.get("host")), 0), len(state.hosts) - 1)
        hv = state.hosts[host_index]
        try:
            outcome = await state.call(lambda: actions.perform(hv, name, form))
        except actions.BadRequest as exc:
            return PlainTextResponse(str(exc), status_code=400)
        flash = state.remember(outcome)
        cp = outcome.select if name not in ("delete", "delete-subtree") else None
        target = "/?" + _query(host=host_index, vm=form.get("vm"), cp=cp, flash=flash)
        return RedirectResponse(target, status_code=303)

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/api/vms", api_vms, methods=["GET"]),
        Route("/action/{name}", action, methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    return GuardMiddleware(app, state.guard)
