"""Build the Hyper-V module's binding metadata from the cmdlet reference pages.

    python scripts/gen_hyperv_metadata.py /path/to/windows-powershell-docs \
        [--stub /path/to/HyperVDsc] [--check]

Reads `docset/winserver2022-ps/Hyper-V/*.md` of a checkout (or of a bare mirror: the pages are
read with `git show` at HEAD when the path has no work tree) of
MicrosoftDocs/windows-powershell-docs and writes

- `psshim/cmdlets/hyperv_metadata.json`: per cmdlet its parameter sets (the default set
  first), -WhatIf/-Confirm, and per parameter its .NET type, aliases, ValidateSet values or enum
  names (the pages' "Accepted values"), and per set its position, Mandatory, ValueFromPipeline
  and ValueFromPipelineByPropertyName; the source commit at the top; the problems found;
- `psshim/cmdlets/hyperv_index.py`: the cmdlet names, their synopses, ConfirmImpact and the
  module's command aliases, all that psshim needs at start-up (the JSON is read only when a Hyper-V cmdlet is
  first bound).

A page is a platyPS page, read by `scripts/hyperv_pages.py`: the yaml blocks of `## PARAMETERS`
are the source of the attributes; the code blocks of `## SYNTAX` give the sets, their order, the
default set and -WhatIf/-Confirm, and are cross-checked against the yaml (the differences and
anything else suspicious, such as two parameters at one position in a set, are listed under
"problems" in the JSON and printed).

The pages never show validation attributes or ConfirmImpact, and are wrong at times. With
`--stub`, a second source is read (by `scripts/hyperv_stub.py`): the module's metadata as reflection over the live module wrote
it (dsccommunity/HyperVDsc `tests/Unit/Stubs/Hyper-V.stubs.psm1`, "Hyper-V 2.0.0.0", captured
2020-03-08 on a build before Server 2022). By the issue's order of authority (real behaviour,
then the module's own logic, then the pages) it wins where both describe a cmdlet:

- validation attributes (ValidateNotNullOrEmpty, ValidateNotNull, ValidateRange, ValidateSet,
  ValidateLength, ValidatePattern, ValidateCount, AllowNull, AllowEmptyString,
  AllowEmptyCollection), ConfirmImpact and the parameters' declaration order come from it;
- a parameter's sets, positions, Mandatory and pipeline flags come from it when the cmdlet has
  the same parameter sets in both (the same declaration, seen twice); the page's differences are
  listed as problems;
- the enums' member values come from it (the pages give names only);
- the cmdlets it has and the pages do not (a 2020 build's; e.g. Wait-VM) are added, marked
  `"source": "stub"`.

Remaining corrections live in `psshim/cmdlets/hyperv_overrides.py`, each with its source.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from hyperv_pages import ALL_SETS, parse_page, parse_syntax_block  # noqa: E402,F401
from hyperv_stub import (  # noqa: E402,F401
    merge_stub,
    parse_stub_enums,
    parse_stub_functions,
    stub_only_cmdlet,
    stub_type,
)

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = "docset/winserver2022-ps/Hyper-V"
REPOSITORY = "MicrosoftDocs/windows-powershell-docs"
STUB_PATH = "tests/Unit/Stubs/Hyper-V.stubs.psm1"
STUB_REPOSITORY = "dsccommunity/HyperVDsc"
JSON_TARGET = ROOT / "psshim" / "cmdlets" / "hyperv_metadata.json"
INDEX_TARGET = ROOT / "psshim" / "cmdlets" / "hyperv_index.py"

# The module's command aliases. The pages do not list them; the module manifest (v2.0.0.0)
# exports these five (hyperv-reference.md §1.1, [O]: `Get-Command -Module Hyper-V -CommandType Alias`).
MODULE_ALIASES: dict[str, str] = {
    "Export-VMCheckpoint": "Export-VMSnapshot",
    "Get-VMCheckpoint": "Get-VMSnapshot",
    "Remove-VMCheckpoint": "Remove-VMSnapshot",
    "Rename-VMCheckpoint": "Rename-VMSnapshot",
    "Restore-VMCheckpoint": "Restore-VMSnapshot",
}


# the checkout
# ------------------------------------------------------------------------------------------


def _git(repo: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def read_pages(repo: pathlib.Path) -> tuple[str, dict[str, str]]:
    """The commit and {file name: text} of the Hyper-V pages (a work tree, or a bare mirror's HEAD)."""
    commit = _git(repo, "rev-parse", "HEAD").strip()
    folder = repo / PAGES
    if folder.is_dir():
        return commit, {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(folder.glob("*.md"))}
    names = _git(repo, "ls-tree", "--name-only", "HEAD", PAGES + "/").split()
    pages: dict[str, str] = {}
    for path in sorted(names):
        if path.endswith(".md"):
            pages[path.rsplit("/", 1)[-1]] = _git(repo, "show", f"HEAD:{path}").lstrip("\ufeff")
    return commit, pages


def read_stub(repo: pathlib.Path) -> tuple[str, str]:
    """The commit and text of the reflection stub in a HyperVDsc clone (work tree or bare mirror)."""
    commit = _git(repo, "rev-parse", "HEAD").strip()
    path = repo / STUB_PATH
    text = path.read_text(encoding="utf-8-sig") if path.is_file() else _git(repo, "show", f"HEAD:{STUB_PATH}")
    return commit, text.lstrip("\ufeff").replace("\r\n", "\n")


def build(repo: pathlib.Path, stub_repo: pathlib.Path | None = None) -> tuple[dict[str, Any], str]:
    commit, pages = read_pages(repo)
    if not pages:
        raise SystemExit(f"no pages under {repo / PAGES}")
    problems: list[str] = []
    cmdlets: dict[str, Any] = {}
    for file_name, text in pages.items():
        try:
            page = parse_page(text, file_name, problems)
        except (ValueError, KeyError, IndexError) as exc:
            problems.append(f"{file_name}: could not be parsed ({exc})")
            continue
        if page is not None:
            cmdlets[page.pop("name")] = page
    for alias, target in MODULE_ALIASES.items():
        if target not in cmdlets:
            problems.append(f"alias {alias}: its cmdlet {target} has no page")
    sources: dict[str, Any] = {"repository": REPOSITORY, "commit": commit, "path": PAGES}
    enums: dict[str, dict[str, int]] = {}
    if stub_repo is not None:
        stub_commit, stub_text = read_stub(stub_repo)
        sources["stub"] = {"repository": STUB_REPOSITORY, "commit": stub_commit, "path": STUB_PATH}
        enums = parse_stub_enums(stub_text)
        functions = parse_stub_functions(stub_text)
        for name, stub in functions.items():
            if name in cmdlets:
                merge_stub(name, cmdlets[name], stub, problems)
            else:
                cmdlets[name] = stub_only_cmdlet(name, stub)
                problems.append(f"{name}: in the module's metadata but has no page; declared from the metadata")
        for name in cmdlets:
            if name not in functions:
                problems.append(f"{name}: has a page but is not in the module's metadata (newer than the stub)")
    data = {
        "source": sources,
        "generator": "scripts/gen_hyperv_metadata.py",
        "aliases": MODULE_ALIASES,
        "problems": problems,
        # every enum of the module (type literals such as [Microsoft.HyperV.PowerShell.VMHeartbeatStatus])
        "enums": dict(sorted(enums.items())),
        "cmdlets": dict(sorted(cmdlets.items(), key=lambda kv: kv[0].casefold())),
    }
    return data, commit


def render_json(data: dict[str, Any]) -> str:
    """JSON with one line per parameter (diffable, and a third of an indented dump)."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{"]
    for key in ("source", "generator", "aliases"):
        lines.append(f" {dump(key)}:{dump(data[key])},")
    lines.append(' "problems":[')
    lines += [f"  {dump(p)}{',' if i < len(data['problems']) - 1 else ''}" for i, p in enumerate(data["problems"])]
    lines.append(" ],")
    lines.append(f' "enums":{dump(data["enums"])},')
    lines.append(' "cmdlets":{')
    names = list(data["cmdlets"])
    for i, name in enumerate(names):
        page = dict(data["cmdlets"][name])
        params = page.pop("parameters")
        head = dump(page)[:-1]
        lines.append(f"  {dump(name)}:{head},\"parameters\":[")
        lines += [f"   {dump(p)}{',' if j < len(params) - 1 else ''}" for j, p in enumerate(params)]
        lines.append("  ]}" + ("," if i < len(names) - 1 else ""))
    lines += [" }", "}", ""]
    text = "\n".join(lines)
    assert json.loads(text) == data
    return text


def render_index(data: dict[str, Any]) -> str:
    lines = [
        '"""The Hyper-V module\'s cmdlets and aliases, for start-up (their parameters are in',
        "hyperv_metadata.json, read when first needed). Generated by scripts/gen_hyperv_metadata.py",
        f"from {REPOSITORY}@{data['source']['commit']} ({PAGES})"
        + (f" and {STUB_REPOSITORY}@{data['source']['stub']['commit']} ({STUB_PATH})" if "stub" in data["source"]
           else "") + "; do not edit.\"\"\"",
        "",
        f"SOURCE_COMMIT = {data['source']['commit']!r}",
        "",
        "# cmdlet name -> synopsis",
        "CMDLETS: dict[str, str] = {",
    ]
    for name, page in data["cmdlets"].items():
        lines.append(f"    {name!r}: {page['synopsis']!r},")
    lines += ["}", "", "# ConfirmImpact of the cmdlets whose ConfirmImpact is not Medium", "CONFIRM_IMPACT: dict[str, str] = {"]
    for name, page in data["cmdlets"].items():
        if page.get("confirm_impact") not in (None, "Medium"):
            lines.append(f"    {name!r}: {page['confirm_impact']!r},")
    lines += ["}", "", "ALIASES: dict[str, str] = {"]
    for alias, target in data["aliases"].items():
        lines.append(f"    {alias!r}: {target!r},")
    lines += ["}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("checkout", help="a clone of MicrosoftDocs/windows-powershell-docs")
    parser.add_argument("--stub", help="a clone of dsccommunity/HyperVDsc (its reflection stub of the module)")
    parser.add_argument("--check", action="store_true", help="fail if the outputs are out of date")
    args = parser.parse_args(argv)
    data, _commit = build(pathlib.Path(args.checkout), pathlib.Path(args.stub) if args.stub else None)
    json_text = render_json(data)
    index_text = render_index(data)
    if args.check:
        stale = [t for t, text in ((JSON_TARGET, json_text), (INDEX_TARGET, index_text))
                 if not t.exists() or t.read_text(encoding="utf-8") != text]
        for t in stale:
            print(f"{t} is out of date", file=sys.stderr)
        return 1 if stale else 0
    JSON_TARGET.write_text(json_text, encoding="utf-8")
    INDEX_TARGET.write_text(index_text, encoding="utf-8")
    print(f"{len(data['cmdlets'])} cmdlets, {len(data['aliases'])} aliases; {len(data['problems'])} problems:")
    for p in data["problems"]:
        print("  " + p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
