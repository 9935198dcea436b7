"""Reading the Hyper-V module's reflection stub and merging it into the pages' data (for
gen_hyperv_metadata.py); see that script's docstring for what the stub contributes."""

from __future__ import annotations

import re
from typing import Any

from hyperv_pages import ALL_SETS


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
