"""Paths on this machine (the one running hvemu), beside the emulated host's Windows paths.

A script run from this machine keeps its real POSIX path (`$PSScriptRoot`, `$PSCommandPath`,
`$MyInvocation.MyCommand.Path`), so the paths a script builds from it reach back here:
`$PSScriptRoot\\lib.ps1` is `/home/me/scripts\\lib.ps1`. The rule that tells the two apart:

- A path is *local* when it starts with one `/` (`/home/me/x`, `/home/me/x\\lib.ps1`). A
  Windows script rarely writes a drive-relative path with a forward slash, and `//server/share`
  stays a UNC path of the emulated host.
- In a local path both `/` and `\\` separate components (as pwsh on Linux accepts both); the
  result is written with `/`.
- A relative path (`.\\lib.ps1`, `..\\x`) or a root-relative one (`\\x`) is local when the current
  location is local (after `Set-Location $PSScriptRoot`).

`psshim.runtime.paths` sends local paths here; the file view (`psshim.host_services`) reads them
from this machine's disk and refuses every write (docs/differences.md, "Scripts on this machine").
"""

from __future__ import annotations


def is_local(path: str) -> bool:
    """True for an absolute POSIX path of this machine (`/x`, not `//server/share`)."""
    return path.startswith("/") and not path.startswith(("//", "/\\"))


def normalize(path: str) -> str:
    """Both separators read as `/`; repeated separators kept as they are written (Join-Path
    collapses them at the seam only)."""
    return path.replace("\\", "/")


def join(parent: str, child: str) -> str:
    """Join-Path on a local parent: exactly one `/` at the seam."""
    a = normalize(parent)
    b = normalize(child)
    if not b:
        return a
    return a.rstrip("/") + "/" + b.lstrip("/")


def combine(out: str, part: str) -> str:
    """[IO.Path]::Combine's step on a local path: a rooted part starts again."""
    p = normalize(part)
    if p.startswith("/"):
        return p
    return out.rstrip("/") + "/" + p if out else p


def parent(path: str) -> str:
    """Split-Path -Parent: `/a/b` -> `/a`, `/a` -> `/`, `/` -> `` (as pwsh on Linux)."""
    p = normalize(path)
    stripped = p.rstrip("/")
    if not stripped:
        return ""
    idx = stripped.rfind("/")
    return "/" if idx == 0 else stripped[:idx]


def leaf(path: str) -> str:
    p = normalize(path).rstrip("/")
    return p[p.rfind("/") + 1:]


def fold(path: str) -> str:
    """An absolute local path with `.` and `..` folded and one `/` between components."""
    segs: list[str] = []
    for seg in normalize(path).split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segs:
                segs.pop()
            continue
        segs.append(seg)
    return "/" + "/".join(segs)


def resolve(base: str, path: str) -> str | None:
    """The absolute local path `path` names from the current location `base`, or None when
    the path is not local (a Windows path of the emulated host)."""
    if is_local(path):
        return fold(path)
    if not is_local(base) or path.startswith("~"):
        return None
    p = normalize(path)
    if p.startswith("//") or (len(p) >= 2 and p[1] == ":"):
        return None
    if p.startswith("/"):  # `\x` from a local location: the root of this machine
        return fold(p)
    return fold(join(base, p))


def module_path_entries(value: str) -> list[str]:
    """The folders of a `$env:PSModulePath` value: `;`-separated as on Windows; an entry of this
    machine may also hold several POSIX folders separated by `:` (a PSModulePath exported by a
    POSIX shell, as pwsh on Linux writes it)."""
    out: list[str] = []
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        if is_local(entry):
            out.extend(p for p in entry.split(":") if p)
        else:
            out.append(entry)
    return out
