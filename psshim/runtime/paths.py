"""Windows path logic for the emulated host (no file access): Join-Path, Split-Path,
`[IO.Path]` helpers. Paths use backslashes; forward slashes are accepted on input.

Paths of this machine (`/home/me/x`, see `localpaths`) keep their POSIX form: each function
hands them to `localpaths`."""

from __future__ import annotations

from hyperv_emu.psshim.runtime import localpaths as L


def normalize(path: str) -> str:
    if L.is_local(path):
        return L.normalize(path)
    return path.replace("/", "\\")


def is_rooted(path: str) -> bool:
    if L.is_local(path):
        return True
    p = normalize(path)
    return p.startswith("\\") or (len(p) >= 2 and p[1] == ":")


def combine(*parts: str) -> str:
    out = ""
    for part in parts:
        if not part:
            continue
        if L.is_local(out):
            out = L.combine(out, part)
            continue
        p = normalize(part)
        if is_rooted(p) or not out:
            # [IO.Path]::Combine restarts at a rooted part
            out = p
            continue
        out = out.rstrip("\\") + "\\" + p.lstrip("\\")
    return out


def join(parent: str, child: str) -> str:
    """Join-Path: exactly one separator between the parts."""
    if L.is_local(parent):
        return L.join(parent, child)
    a = normalize(parent)
    b = normalize(child)
    if not a:
        return b
    if not b:
        return a
    return a.rstrip("\\") + "\\" + b.lstrip("\\")


def parent(path: str) -> str:
    if L.is_local(path):
        return L.parent(path)
    p = normalize(path).rstrip("\\")
    if len(p) == 2 and p[1] == ":":
        return ""
    idx = p.rfind("\\")
    if idx < 0:
        return ""
    head = p[:idx]
    if len(head) == 2 and head[1] == ":":
        return head + "\\"
    return head


def leaf(path: str) -> str:
    if L.is_local(path):
        return L.leaf(path)
    p = normalize(path).rstrip("\\")
    idx = p.rfind("\\")
    return p[idx + 1:] if idx >= 0 else p


def qualifier(path: str) -> str:
    p = normalize(path)
    return p[:2] if len(p) >= 2 and p[1] == ":" else ""


def no_qualifier(path: str) -> str:
    p = normalize(path)
    return p[2:] if len(p) >= 2 and p[1] == ":" else p


FILESYSTEM_PROVIDERS = ("microsoft.powershell.core\\filesystem::", "filesystem::")


def strip_provider(path: str) -> str:
    """A provider-qualified file path (`Microsoft.PowerShell.Core\\FileSystem::C:\\x`, the PSPath
    that Get-ChildItem's items carry, or `FileSystem::C:\\x`) as the plain path it names."""
    low = path[:40].casefold()
    for prefix in FILESYSTEM_PROVIDERS:
        if low.startswith(prefix):
            return path[len(prefix):]
    return path


def resolve(base: str, path: str) -> str:
    """An absolute path for `path` relative to the current location `base` (`.` and `..` folded);
    a path of this machine when `path` is one, or is relative to a local `base`; a FileSystem
    provider-qualified path is its plain path."""
    path = strip_provider(path)
    local = L.resolve(base, path)
    if local is not None:
        return local
    p = normalize(path)
    if p.startswith("~"):
        p = "C:\\Users\\Administrator" + p[1:]
    if not is_rooted(p):
        p = join(base, p)
    elif p.startswith("\\") and not p.startswith("\\\\"):
        p = qualifier(base) + p
    drive = qualifier(p)
    rest = no_qualifier(p)
    segs: list[str] = []
    for seg in rest.split("\\"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segs:
                segs.pop()
            continue
        segs.append(seg)
    return drive + "\\" + "\\".join(segs)
