"""`#Requires` of a script file, checked when the script runs (from `hvemu run`, `&` or `.`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import PSError, make_record
from hyperv_emu.psshim.runtime.frames import Frame

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.interpreter import Interpreter


def check_requires(interp: "Interpreter", parsed: A.ScriptBlockAst, frame: Frame, path: str | None,
                   import_module: Callable[["Interpreter", str, Frame], Any]) -> None:
    """Apply a script's `#Requires` lines before it runs: import each `-Modules` module with
    `import_module` (the pipeline's Import-Module; a ScriptRequiresException names the missing
    ones), check `-Version` and `-PSEdition`."""

    script_name = (path or "").replace("/", "\\").rsplit("\\", 1)[-1]
    for req in parsed.requires:
        tokens = req.replace(",", " ").split()
        i = 0
        while i < len(tokens):
            tok = tokens[i].lower()
            if tok in ("-modules", "-module"):
                i += 1
                missing: list[str] = []
                while i < len(tokens) and not tokens[i].startswith("-"):
                    name = tokens[i].strip("'\"")
                    if name.startswith("@{"):
                        i += 1
                        continue
                    if import_module(interp, name, frame) is None:
                        missing.append(name)
                    i += 1
                if missing:
                    record = make_record(
                        f"The script '{script_name}' cannot be run because the following modules that are "
                        f'specified by the "#requires" statements of the script are missing: {", ".join(missing)}.',
                        "ScriptRequiresMissingModules", "ResourceUnavailable",
                        exception_type="System.Management.Automation.ScriptRequiresException",
                        target_name=script_name, target_type="String")
                    raise PSError(record, script_terminating=True)
                continue
            if tok == "-version" and i + 1 < len(tokens):
                want = tokens[i + 1]
                have = "7.4" if options.is_core() else "5.1"
                try:
                    if tuple(int(x) for x in want.split(".")[:2]) > tuple(int(x) for x in have.split(".")):
                        product = "PowerShell" if options.is_core() else "Windows PowerShell"
                        raise PSError(make_record(
                            f"The script '{script_name}' cannot be run because it contains a \"#requires\" "
                            f"statement for {product} {want}. The version of {product} that is required by "
                            f"the script does not match the currently running version of {product} {have}.",
                            "ScriptRequiresUnmatchedPSVersion", "ResourceUnavailable",
                            exception_type="System.Management.Automation.ScriptRequiresException",
                            target_name=script_name, target_type="String"), script_terminating=True)
                except ValueError:
                    pass
                i += 2
                continue
            if tok == "-pseditions" or tok == "-psedition":
                want_ed = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
                have_ed = "core" if options.is_core() else "desktop"
                if want_ed and want_ed != have_ed:
                    raise PSError(make_record(
                        f"The script '{script_name}' cannot be run because it contains a \"#requires\" "
                        f"statement for PowerShell editions '{tokens[i + 1]}'. The edition of PowerShell that is "
                        f"required by the script does not match the currently running PowerShell "
                        f"{'Core' if have_ed == 'core' else 'Desktop'} edition.",
                        "ScriptRequiresUnmatchedPSEdition", "ResourceUnavailable",
                        exception_type="System.Management.Automation.ScriptRequiresException",
                        target_name=script_name, target_type="String"), script_terminating=True)
                i += 2
                continue
            i += 1

