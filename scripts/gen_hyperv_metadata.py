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
- `psshim/cmdlets/hyperv_index.py`: the cmdlet names, their synopses and the module's command
  aliases, all that psshim needs at start-up (the JSON is read only when a Hyper-V cmdlet is
  first bound).

A page is a platyPS page: `## SYNTAX` has one code block per parameter set under a
`### SetName` or `### SetName (Default)` heading; `## PARAMETERS` has one `### -Name` heading
per parameter with one yaml block per group of sets that share the parameter's attributes.
The yaml blocks are the source of the attributes; the syntax blocks give the sets, their order,
the default set and -WhatIf/-Confirm, and are cross-checked against the yaml (the differences
and anything else suspicious, such as two parameters at one position in a set, are listed under
"problems" in the JSON and printed).

The pages never show validation attributes or ConfirmImpact, and are wrong at times. With
`--stub`, a second source is read: the module's metadata as reflection over the live module wrote
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
import re
import subprocess
import sys
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = "docset/winserver2022-ps/Hyper-V"
REPOSITORY = "MicrosoftDocs/windows-powershell-docs"
STUB_PATH = "tests/Unit/Stubs/Hyper-V.stubs.psm1"
STUB_REPOSITORY = "dsccommunity/HyperVDsc"
JSON_TARGET = ROOT / "psshim" / "cmdlets" / "hyperv_metadata.json"
INDEX_TARGET = ROOT / "psshim" / "cmdlets" / "hyperv_index.py"
ALL_SETS = "__AllParameterSets"

# The module's command aliases. The pages do not list them; the module manifest (v2.0.0.0)
# exports these five (hyperv-reference.md §1.1, [O]: `Get-Command -Module Hyper-V -CommandType Alias`).
MODULE_ALIASES: dict[str, str] = {
    "Export-VMCheckpoint": "Export-VMSnapshot",
    "Get-VMCheckpoint": "Get-VMSnapshot",
    "Remove-VMCheckpoint": "Remove-VMSnapshot",
    "Rename-VMCheckpoint": "Rename-VMSnapshot",
    "Restore-VMCheckpoint": "Restore-VMSnapshot",
}

# Page type names that are not Hyper-V types -> their .NET full names.
SYSTEM_TYPES: dict[str, str] = {
    "String": "System.String", "Int16": "System.Int16", "Int32": "System.Int32", "Int64": "System.Int64",
    "UInt16": "System.UInt16", "UInt32": "System.UInt32", "UInt64": "System.UInt64", "Byte": "System.Byte",
    "Boolean": "System.Boolean", "Guid": "System.Guid", "TimeSpan": "System.TimeSpan",
    "DateTime": "System.DateTime", "Version": "System.Version", "Hashtable": "System.Collections.Hashtable",
    "Object": "System.Object",
    "SwitchParameter": "System.Management.Automation.SwitchParameter",
    "PSCredential": "System.Management.Automation.PSCredential",
    "PSObject": "System.Management.Automation.PSObject",
    "CimSession": "Microsoft.Management.Infrastructure.CimSession",
    "CimInstance": "Microsoft.Management.Infrastructure.CimInstance",
}
# Types of the VHD half of the module (Microsoft.Vhd.PowerShell.*); the rest are Microsoft.HyperV.PowerShell.*.
VHD_TYPES = {"VhdType", "VhdFormat", "VhdCompactMode", "VHDSnapshotInfo", "VirtualHardDisk"}


def full_type_name(page_type: str) -> str:
    base = page_type.strip()
    suffix = ""
    while base.endswith("[]"):
        base, suffix = base[:-2], suffix + "[]"
    if base in SYSTEM_TYPES:
        return SYSTEM_TYPES[base] + suffix
    if "." in base:
        return base + suffix
    ns = "Microsoft.Vhd.PowerShell." if base in VHD_TYPES else "Microsoft.HyperV.PowerShell."
    return ns + base + suffix


# ------------------------------------------------------------------------------------------
# reading one page
# ------------------------------------------------------------------------------------------


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}[ \t]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


_TOKEN = re.compile(r"\[\[-(\w+)\]\s+<[^>]*>\]|\[-(\w+)\]\s+<[^>]*>|\[-(\w+)(?:\s+<[^>]*>)?\]|-(\w+)(?:\s+<[^>]*>)?")


def parse_syntax_block(code: str) -> dict[str, tuple[bool, bool]]:
    """{parameter: (mandatory, positional)} as one syntax block shows them."""
    text = " ".join(line.strip() for line in code.splitlines())
    # drop the command name
    text = text.split(" ", 1)[1] if " " in text else ""
    text = text.replace("[<CommonParameters>]", " ")
    out: dict[str, tuple[bool, bool]] = {}
    for m in _TOKEN.finditer(text):
        if m.group(1):  # [[-Name] <T>]: optional positional
            out[m.group(1)] = (False, True)
        elif m.group(2):  # [-Name] <T>: mandatory positional
            out[m.group(2)] = (True, True)
        elif m.group(3):  # [-Name <T>] or [-Switch]: optional named
            out[m.group(3)] = (False, False)
        elif m.group(4):  # -Name <T>: mandatory named
            out[m.group(4)] = (True, False)
    return out


def parse_syntax(text: str, problems: list[str], cmd: str) -> tuple[list[str], str | None, dict[str, dict[str, tuple[bool, bool]]], bool]:
    """The sets in page order, the default set, each set's syntax, and whether -WhatIf shows."""
    section = _section(text, "SYNTAX")
    sets: list[str] = []
    default: str | None = None
    syntax: dict[str, dict[str, tuple[bool, bool]]] = {}
    what_if = False
    parts = re.split(r"^### +(.*)$", section, flags=re.M)
    chunks: list[tuple[str, str]] = []
    if parts[0].strip():
        chunks.append((ALL_SETS, parts[0]))
    for i in range(1, len(parts), 2):
        chunks.append((parts[i].strip(), parts[i + 1]))
    for heading, body in chunks:
        is_default = heading.endswith("(Default)")
        name = heading[: -len("(Default)")].strip() if is_default else heading
        code = re.search(r"```[^\n]*\n(.*?)```", body, re.S)
        if code is None:
            problems.append(f"{cmd}: syntax of set {name!r} has no code block")
            continue
        block = parse_syntax_block(code.group(1))
        if "WhatIf" in block:
            what_if = True
        sets.append(name)
        syntax[name] = block
        if is_default:
            default = name
    if not sets:
        problems.append(f"{cmd}: no SYNTAX code block")
    return sets, default, syntax, what_if


def _yaml_fields(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def _split_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_parameters(text: str, problems: list[str], cmd: str) -> list[dict[str, Any]]:
    section = _section(text, "PARAMETERS")
    params: list[dict[str, Any]] = []
    for m in re.finditer(r"^### -(\w+)[ \t]*\n(.*?)(?=^### |\Z)", section, re.M | re.S):
        name, body = m.group(1), m.group(2)
        blocks = re.findall(r"```yaml\n(.*?)```", body, re.S)
        if not blocks:
            problems.append(f"{cmd}: -{name} has no yaml block")
            continue
        param: dict[str, Any] = {"name": name, "sets": {}}
        for block in blocks:
            f = _yaml_fields(block)
            page_type = f.get("Type", "")
            if not page_type:
                problems.append(f"{cmd}: -{name} has no Type")
                page_type = "Object"
            if "page_type" in param and param["page_type"] != page_type:
                problems.append(f"{cmd}: -{name} has two types ({param['page_type']}, {page_type})")
            param["page_type"] = page_type
            aliases = [a for a in _split_list(f.get("Aliases", "")) if a.lower() != "none"]
            param["aliases"] = sorted(set(param.get("aliases", [])) | set(aliases), key=aliases.index) \
                if aliases else param.get("aliases", [])
            if f.get("Accepted values"):
                param["accepted"] = _split_list(f["Accepted values"])
            position_text = f.get("Position", "Named")
            position = None if position_text.lower() == "named" else int(position_text)
            mandatory = f.get("Required", "False").lower().startswith("true")
            pipe = f.get("Accept pipeline input", "False")
            by_value = pipe.startswith("True") and "ByValue" in pipe
            by_property = pipe.startswith("True") and "ByPropertyName" in pipe
            if pipe.startswith("True") and not (by_value or by_property):
                problems.append(f"{cmd}: -{name} pipeline input {pipe!r} names no kind; taken as ByValue")
                by_value = True
            set_text = f.get("Parameter Sets", "(All)")
            set_names = [ALL_SETS] if set_text.strip() in ("(All)", "") else _split_list(set_text)
            for s in set_names:
                param["sets"][s] = [position, mandatory, by_value, by_property]
        params.append(param)
    return params


def parse_page(text: str, file_name: str, problems: list[str]) -> dict[str, Any] | None:
    title = re.search(r"^title:\s*(.+)$", text, re.M)
    cmd = title.group(1).strip() if title else file_name[:-3]
    if "-" not in cmd or re.search(r"^Module Guid:", text, re.M):
        return None  # the module page (Hyper-V.md)
    synopsis = " ".join(_section(text, "SYNOPSIS").split())
    sets, default, syntax, what_if = parse_syntax(text, problems, cmd)
    params = parse_parameters(text, problems, cmd)
    common = [p for p in params if p["name"] in ("WhatIf", "Confirm")]
    params = [p for p in params if p["name"] not in ("WhatIf", "Confirm")]
    if bool(common) != what_if:
        problems.append(f"{cmd}: -WhatIf/-Confirm in {'PARAMETERS' if common else 'SYNTAX'} only")
    named_sets = [s for s in sets if s != ALL_SETS]
    if default is None and len(named_sets) > 1:
        problems.append(f"{cmd}: no default parameter set marked")
    if default is None and len(named_sets) == 1:
        default = named_sets[0]
    out_params: list[dict[str, Any]] = []
    for p in params:
        full = full_type_name(p["page_type"])
        entry: dict[str, Any] = {"name": p["name"], "type": full}
        if p["aliases"]:
            entry["aliases"] = p["aliases"]
        accepted = p.get("accepted")
        if accepted:
            element = full[:-2] if full.endswith("[]") else full
            if element.startswith("System.") or element.startswith("Microsoft.Management."):
                entry["validators"] = [["ValidateSet", *accepted]]
            else:
                entry["enum"] = accepted
        for s in p["sets"]:
            if s != ALL_SETS and s not in sets:
                problems.append(f"{cmd}: -{p['name']} is in set {s!r}, which SYNTAX does not show")
        entry["sets"] = p["sets"]
        out_params.append(entry)
    _cross_check(cmd, sets, syntax, out_params, problems)
    return {
        "name": cmd,
        "synopsis": synopsis,
        "default_set": default,
        "sets": named_sets,
        "supports_should_process": what_if,
        "parameters": out_params,
    }


def _in_set(param: dict[str, Any], set_name: str) -> list[Any] | None:
    sets: dict[str, list[Any]] = param["sets"]
    return sets.get(set_name) or sets.get(ALL_SETS)


def _cross_check(cmd: str, sets: list[str], syntax: dict[str, dict[str, tuple[bool, bool]]],
                 params: list[dict[str, Any]], problems: list[str]) -> None:
    for s in sets:
        shown = syntax.get(s, {})
        positions: dict[int, str] = {}
        for p in params:
            spec = _in_set(p, s)
            name = p["name"]
            if spec is None:
                if name in shown:
                    problems.append(f"{cmd}: -{name} shows in the syntax of set {s!r} but its yaml omits the set")
                continue
            if name not in shown:
                problems.append(f"{cmd}: -{name} is in set {s!r} by its yaml but not in the set's syntax")
                continue
            mandatory, positional = shown[name]
            # platyPS shows a mandatory switch as [-Switch]: not a disagreement
            is_switch = p["type"] == SYSTEM_TYPES["SwitchParameter"]
            if mandatory != spec[1] and not (is_switch and spec[1]):
                problems.append(f"{cmd}: -{name} in set {s!r}: Required {spec[1]} but the syntax shows "
                                f"{'mandatory' if mandatory else 'optional'}")
            if positional != (spec[0] is not None):
                problems.append(f"{cmd}: -{name} in set {s!r}: Position {spec[0]} but the syntax shows it "
                                f"{'positional' if positional else 'named'}")
            if spec[0] is not None:
                other = positions.get(spec[0])
                if other is not None:
                    problems.append(f"{cmd}: -{other} and -{name} both have position {spec[0]} in set {s!r}")
                positions[spec[0]] = name


# ------------------------------------------------------------------------------------------
# the reflection stub (second source)
# ------------------------------------------------------------------------------------------

_STUB_TYPES = {"string": "System.String", "switch": "System.Management.Automation.SwitchParameter",
               "int": "System.Int32", "long": "System.Int64", "bool": "System.Boolean", "uint16": "System.UInt16",
               "uint32": "System.UInt32", "uint64": "System.UInt64", "byte": "System.Byte", "int16": "System.Int16",
               "guid": "System.Guid", "timespan": "System.TimeSpan", "datetime": "System.DateTime",
               "hashtable": "System.Collections.Hashtable", "pscredential": "System.Management.Automation.PSCredential",
               "psobject": "System.Management.Automation.PSObject", "version": "System.Version",
               "CimSession": "Microsoft.Management.Infrastructure.CimSession",
               "ciminstance": "Microsoft.Management.Infrastructure.CimInstance", "System.Object": "System.Object",
               "Object": "System.Object", "switchparameter": "System.Management.Automation.SwitchParameter"}


def parse_stub_enums(text: str) -> dict[str, dict[str, int]]:
    """{full enum name: {member: value}} of the stub's Add-Type block."""
    enums: dict[str, dict[str, int]] = {}
    parts = re.split(r"^namespace\s+(\S+)\s*$", text, flags=re.M)
    for i in range(1, len(parts), 2):
        ns, body = parts[i], parts[i + 1]
        for m in re.finditer(r"public enum (\w+)\s*:\s*\w+\s*\{(.*?)\}", body, re.S):
            members: dict[str, int] = {}
            for member in re.finditer(r"(\w+)\s*=\s*(-?\d+)", m.group(2)):
                members[member.group(1)] = int(member.group(2))
            outer = _enclosing_class(body[: m.start()])
            enums[f"{ns}.{outer}+{m.group(1)}" if outer else f"{ns}.{m.group(1)}"] = members
    return enums


def _enclosing_class(before: str) -> str | None:
    """The class a nested enum is declared in (`RestartVM` of `RestartVM+WaitVMTypes`), if any."""
    stack: list[str | None] = []
    pending: str | None = None
    for tok in re.finditer(r"public class (\w+)|\{|\}", before):
        if tok.group(1):
            pending = tok.group(1)
        elif tok.group(0) == "{":
            stack.append(pending)
            pending = None
        elif stack:
            stack.pop()
    # the namespace's own brace is the first one
    inner = [c for c in stack[1:] if c]
    return inner[-1] if inner else None


def _ps_literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if text.lower() in ("$true", "$false"):
        return text.lower() == "$true"
    try:
        return int(text)
    except ValueError:
        return text


def _attr_args(inner: str) -> list[str]:
    out: list[str] = []
    cur = ""
    quoted = False
    for ch in inner:
        if ch == "'":
            quoted = not quoted
        if ch == "," and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_stub_functions(text: str) -> dict[str, dict[str, Any]]:
    """{cmdlet: {"binding": {...}, "parameters": [...]}} of the stub's functions."""
    out: dict[str, dict[str, Any]] = {}
    for m in re.finditer(r"^function ([\w-]+) \{\n(.*?)^\}", text, re.M | re.S):
        name, body = m.group(1), m.group(2)
        binding_m = re.search(r"\[CmdletBinding\((.*?)\)\]", body)
        binding: dict[str, Any] = {}
        if binding_m:
            for arg in _attr_args(binding_m.group(1)):
                key, _, value = arg.partition("=")
                binding[key.strip()] = _ps_literal(value)
        param_m = re.search(r"^    param \(\n(.*?)^    \)", body, re.M | re.S)
        params: list[dict[str, Any]] = []
        for chunk in re.findall(r"((?:[ \t]*\[.*\]\n)*)[ \t]*\$\{(\w+)\}", param_m.group(1) if param_m else ""):
            attrs_text, pname = chunk
            entry: dict[str, Any] = {"name": pname, "sets": {}, "validators": [], "aliases": []}
            for line in (ln.strip() for ln in attrs_text.splitlines() if ln.strip()):
                am = re.fullmatch(r"\[([\w.]+)\((.*)\)\]", line)
                if am is None:  # the type
                    entry["type"] = line[1:-1]
                    continue
                attr, inner = am.group(1).rsplit(".", 1)[-1], am.group(2)
                args = _attr_args(inner)
                if attr == "Parameter":
                    named = {k.strip(): _ps_literal(v) for k, _, v in (a.partition("=") for a in args)}
                    set_name = named.get("ParameterSetName", ALL_SETS)
                    entry["sets"][set_name] = [named.get("Position"), bool(named.get("Mandatory", False)),
                                               bool(named.get("ValueFromPipeline", False)),
                                               bool(named.get("ValueFromPipelineByPropertyName", False))]
                elif attr == "Alias":
                    entry["aliases"] = [_ps_literal(a) for a in args]
                elif attr.startswith("Validate") or attr.startswith("Allow"):
                    entry["validators"].append([attr, *(_ps_literal(a) for a in args)])
            if not entry["sets"]:
                entry["sets"][ALL_SETS] = [None, False, False, False]
            params.append(entry)
        out[name] = {"binding": binding, "parameters": params}
    return out


def stub_type(text: str) -> str:
    base = text.strip()
    suffix = ""
    while base.endswith("[]"):
        base, suffix = base[:-2], suffix + "[]"
    nullable = re.fullmatch(r"System\.Nullable\[(.+)\]", base)
    if nullable:
        base = nullable.group(1)
    full = _STUB_TYPES.get(base) or _STUB_TYPES.get(base.lower()) or (base if "." in base else "System." + base)
    return full + suffix


def merge_stub(cmd: str, page: dict[str, Any], stub: dict[str, Any], problems: list[str]) -> None:
    """Apply the stub's view of `cmd` to the page's (see the module docstring)."""
    binding = stub["binding"]
    page["confirm_impact"] = binding.get("ConfirmImpact", "Medium") if binding.get("SupportsShouldProcess") else None
    stub_default = binding.get("DefaultParameterSetName")
    if stub_default != page["default_set"] and not (stub_default is None and page["default_set"] is None):
        problems.append(f"{cmd}: the page's default set {page['default_set']!r} is {stub_default!r} in the module's "
                        "metadata")
        if stub_default is None or stub_default in page["sets"]:
            page["default_set"] = stub_default
    if bool(binding.get("SupportsShouldProcess")) != page["supports_should_process"]:
        problems.append(f"{cmd}: SupportsShouldProcess differs between the page and the module's metadata")
    by_name = {p["name"].casefold(): p for p in stub["parameters"]}
    stub_sets = {s for p in stub["parameters"] for s in p["sets"] if s != ALL_SETS}
    same_shape = stub_sets == set(page["sets"])
    for param in page["parameters"]:
        sp = by_name.get(param["name"].casefold())
        if sp is None:
            problems.append(f"{cmd}: -{param['name']} is not in the module's metadata (newer than the stub)")
            continue
        page_sets = [v for v in param.get("validators", []) if v[0] == "ValidateSet"]
        if page_sets and not any(v[0] == "ValidateSet" for v in sp["validators"]):
            problems.append(f"{cmd}: -{param['name']} Accepted values {page_sets[0][1:]} on the page are no ValidateSet "
                            f"in the module's metadata ({sp['validators'] or 'no validation'})")
        param.pop("validators", None)
        if sp["validators"]:
            param["validators"] = sp["validators"]
        real_type = stub_type(sp["type"])
        if real_type.casefold() != param["type"].casefold():
            problems.append(f"{cmd}: -{param['name']} is [{param['type']}] on the page, [{real_type}] in the "
                            "module's metadata; taken from the module's metadata")
            param["type"] = real_type
        if sp["aliases"] and sp["aliases"] != param.get("aliases", []):
            if param.get("aliases"):
                problems.append(f"{cmd}: -{param['name']} aliases {param['aliases']} on the page, {sp['aliases']} in "
                                "the module's metadata")
            param["aliases"] = sp["aliases"]
        if sp["sets"] != param["sets"]:
            where = "taken from the module's metadata" if same_shape else "page kept (the sets differ)"
            problems.append(f"{cmd}: -{param['name']} sets {param['sets']} on the page, {sp['sets']} in the module's "
                            f"metadata; {where}")
            if same_shape:
                param["sets"] = sp["sets"]
    order = {p["name"].casefold(): i for i, p in enumerate(stub["parameters"])}
    page["parameters"].sort(key=lambda p: order.get(p["name"].casefold(), len(order)))


def stub_only_cmdlet(cmd: str, stub: dict[str, Any]) -> dict[str, Any]:
    """A cmdlet the stub has and the pages do not."""
    binding = stub["binding"]
    params = []
    for sp in stub["parameters"]:
        entry: dict[str, Any] = {"name": sp["name"], "type": stub_type(sp["type"])}
        if sp["aliases"]:
            entry["aliases"] = sp["aliases"]
        entry["sets"] = sp["sets"]
        if sp["validators"]:
            entry["validators"] = sp["validators"]
        params.append(entry)
    sets = []
    for p in stub["parameters"]:
        sets += [s for s in p["sets"] if s != ALL_SETS and s not in sets]
    default = binding.get("DefaultParameterSetName")
    if default is not None and default not in sets:
        sets.insert(0, default)
    return {
        "source": "stub",
        "synopsis": "",
        "default_set": default,
        "sets": sets,
        "supports_should_process": bool(binding.get("SupportsShouldProcess")),
        "confirm_impact": binding.get("ConfirmImpact", "Medium") if binding.get("SupportsShouldProcess") else None,
        "parameters": params,
    }


# ------------------------------------------------------------------------------------------
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
