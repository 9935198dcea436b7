"""hyperv_emu.cli.tree: the checkpoint tree as text and as a mermaid flowchart (pure functions)."""

from __future__ import annotations

from hyperv_emu.cli.tree import ENGLISH, FRENCH, TreeNode, labels_for_culture, mermaid_label, render_mermaid, render_text

CHAIN = [TreeNode("a", "One", None), TreeNode("b", "Two", "a"), TreeNode("c", "Three", "b")]
BRANCHED = [
    TreeNode("a", "Root", None),
    TreeNode("b", "Left", "a"),
    TreeNode("c", "Left child", "b"),
    TreeNode("d", "Right", "a"),
]


def test_chain_with_now_under_the_current_checkpoint() -> None:
    assert render_text("VM1", CHAIN, "c") == "\n".join([
        "VM1",
        "└── One",
        "    └── Two",
        "        └── Three",
        "            └── Now",
    ])


def test_now_is_the_last_child_of_a_checkpoint_with_children() -> None:
    assert render_text("VM1", CHAIN, "b") == "\n".join([
        "VM1",
        "└── One",
        "    └── Two",
        "        ├── Three",
        "        └── Now",
    ])


def test_branches_draw_pipes_down_to_the_next_sibling() -> None:
    assert render_text("VM1", BRANCHED, "d") == "\n".join([
        "VM1",
        "└── Root",
        "    ├── Left",
        "    │   └── Left child",
        "    └── Right",
        "        └── Now",
    ])


def test_no_checkpoints_shows_now_alone() -> None:
    assert render_text("VM1", [], None) == "VM1\n└── Now"


def test_now_at_the_top_when_the_vm_hangs_from_no_checkpoint() -> None:
    assert render_text("VM1", CHAIN[:1], None) == "VM1\n├── One\n└── Now"


def test_a_checkpoint_with_an_unknown_parent_is_shown_as_a_root() -> None:
    nodes = [TreeNode("a", "One", None), TreeNode("x", "Orphan", "gone")]
    assert render_text("VM1", nodes, "a") == "VM1\n├── One\n│   └── Now\n└── Orphan"


def test_mermaid_numbers_checkpoints_in_the_order_given_and_walks_edges_in_tree_order() -> None:
    assert render_mermaid(BRANCHED, "d", ["VM1.vhdx"]) == "\n".join([
        "flowchart TD",
        '    ROOT["Original disk<br/>VM1.vhdx"]',
        '    CP1["Checkpoint 1<br/>Root"]',
        '    CP2["Checkpoint 2<br/>Left"]',
        '    CP3["Checkpoint 3<br/>Left child"]',
        '    CP4["Checkpoint 4<br/>Right"]',
        '    CURRENT["Now"]',
        "",
        "    ROOT --> CP1",
        "    CP1 --> CP2",
        "    CP2 --> CP3",
        "    CP1 --> CP4",
        "    CP4 --> CURRENT",
    ])


def test_mermaid_without_checkpoints_or_disks() -> None:
    assert render_mermaid([], None, []) == 'flowchart TD\n    ROOT["Original disk"]\n    CURRENT["Now"]\n\n    ROOT --> CURRENT'


def test_mermaid_names_several_original_disks() -> None:
    out = render_mermaid([], None, ["a.vhdx", "b.vhdx"], FRENCH)
    assert 'ROOT["Disques originaux<br/>a.vhdx<br/>b.vhdx"]' in out
    assert 'CURRENT["Etat actuel<br/>(Now)"]' in out


def test_mermaid_labels_escape_quotes_and_markup() -> None:
    assert mermaid_label('a "b" <i>#1</i> & c') == "a #quot;b#quot; #lt;i#gt;#35;1#lt;/i#gt; #amp; c"
    out = render_mermaid([TreeNode("a", 'Say "hi"', None)], "a", ["x.vhdx"])
    assert 'CP1["Checkpoint 1<br/>Say #quot;hi#quot;"]' in out


def test_labels_follow_the_culture() -> None:
    assert labels_for_culture("fr-FR") is FRENCH
    assert labels_for_culture("en-US") is ENGLISH
    assert labels_for_culture("sv-SE") is ENGLISH
