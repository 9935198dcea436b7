"""The checkpoint tree of one VM, as text (Hyper-V Manager's Checkpoints pane) or as a mermaid
flowchart (the seeds' "Arborescence de checkpoints" diagram). Used by `hvemu tree`.

Pure functions over plain data: no SDK import, so the tree can be tested without a state.

    SRV-WEB01
    └── Test config IIS
        ├── IIS + TLS 1.3
        └── IIS sans TLS 1.0
            └── Now

Children are listed in the order the checkpoints are given (creation order, as Get-VMSnapshot
sorts them); "Now" (the VM's current state) is the last child of the checkpoint the VM hangs
from, or a child of the VM itself when it hangs from none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

BRANCH = "├── "
LAST = "└── "
PIPE = "│   "
SPACE = "    "

NOW = "Now"


class TreeNode(NamedTuple):
    """One checkpoint: its id, its name and its parent checkpoint's id (None for a root)."""

    id: str
    name: str
    parent_id: str | None


class Labels(NamedTuple):
    """The words of the mermaid diagram in one language."""

    original_disk: str
    original_disks: str
    checkpoint: str
    now: str


ENGLISH = Labels("Original disk", "Original disks", "Checkpoint", "Now")
FRENCH = Labels("Disque original", "Disques originaux", "Checkpoint", "Etat actuel<br/>(Now)")


def labels_for_culture(culture: str) -> Labels:
    """French labels (as seed 000 draws them) for a French culture, English otherwise."""
    return FRENCH if culture.split("-")[0].casefold() == "fr" else ENGLISH


# A child of the tree: a checkpoint, or None for "Now".
_Child = TreeNode | None


def _children(nodes: Sequence[TreeNode], current_id: str | None) -> dict[str | None, list[_Child]]:
    """parent id (None: the VM itself) -> children in order, with "Now" (None) last under the
    current checkpoint. A checkpoint whose parent is unknown is shown as a root."""
    known = {n.id for n in nodes}
    out: dict[str | None, list[_Child]] = {}
    for node in nodes:
        parent = node.parent_id if node.parent_id in known else None
        out.setdefault(parent, []).append(node)
    now_parent = current_id if current_id in known else None
    out.setdefault(now_parent, []).append(None)
    return out


def _plain(kind: str, text: str) -> str:
    return text


def render_text(vm_name: str, nodes: Sequence[TreeNode], current_id: str | None,
                style: Callable[[str, str], str] = _plain) -> str:
    """The tree as lines of text (no trailing newline). `style(kind, text)` may decorate each
    piece (kind `vm`, `branch`, `checkpoint` or `now`), e.g. with a terminal's colours."""
    kids = _children(nodes, current_id)
    lines = [style("vm", vm_name)]

    def walk(parent: str | None, prefix: str) -> None:
        children = kids.get(parent, [])
        for i, child in enumerate(children):
            last = i == len(children) - 1
            name = style("now", NOW) if child is None else style("checkpoint", child.name)
            lines.append(style("branch", prefix + (LAST if last else BRANCH)) + name)
            if child is not None:
                walk(child.id, prefix + (SPACE if last else PIPE))

    walk(None, "")
    return "\n".join(lines)


def mermaid_label(text: str) -> str:
    """Text safe inside a mermaid `["..."]` label: quotes and markup become entity codes."""
    for raw, code in (("#", "#35;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;"), ("&", "#amp;")):
        text = text.replace(raw, code)
    return text


def render_mermaid(
    nodes: Sequence[TreeNode],
    current_id: str | None,
    original_disks: Sequence[str],
    labels: Labels = ENGLISH,
    indent: str = "    ",
) -> str:
    """A `flowchart TD`: ROOT (the original disks), CP1..CPn (numbered in the order given),
    CURRENT (the VM's current state), then the edges in tree order (no trailing newline)."""
    ids = {node.id: f"CP{i}" for i, node in enumerate(nodes, start=1)}
    kids = _children(nodes, current_id)

    disks = [mermaid_label(d) for d in original_disks]
    root_label = labels.original_disks if len(disks) > 1 else labels.original_disk
    root_text = "<br/>".join([root_label, *disks])
    lines = ["flowchart TD", f'{indent}ROOT["{root_text}"]']
    for i, node in enumerate(nodes, start=1):
        lines.append(f'{indent}CP{i}["{labels.checkpoint} {i}<br/>{mermaid_label(node.name)}"]')
    lines.append(f'{indent}CURRENT["{labels.now}"]')
    lines.append("")

    def walk(parent: str | None) -> None:
        source = "ROOT" if parent is None else ids[parent]
        for child in kids.get(parent, []):
            lines.append(f"{indent}{source} --> {'CURRENT' if child is None else ids[child.id]}")
            if child is not None:
                walk(child.id)

    walk(None)
    return "\n".join(lines)
