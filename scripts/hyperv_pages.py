"""Reading one platyPS cmdlet reference page of the Hyper-V module (for gen_hyperv_metadata.py).

A page's `## SYNTAX` has one code block per parameter set under a `### SetName` or
`### SetName (Default)` heading; its `## PARAMETERS` has one `### -Name` heading per parameter
with one yaml block per group of sets that share the parameter's attributes. The yaml blocks
are the source of the attributes; the syntax blocks give the sets, their order, the default set
and -WhatIf/-Confirm, and are cross-checked against the yaml: the differences (and two
parameters at one position in a set) are appended to `problems`.
"""

from __future__ import annotations

import re
from typing import Any

ALL_SETS = "__AllParameterSets"

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
