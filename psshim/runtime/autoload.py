"""Module auto-loading: a command that is not found is looked for in the modules of
`$env:PSModulePath`, and the module that has it is imported (about_Modules, "Module
Auto-Loading"; `$PSModuleAutoLoadingPreference`: All by default, `None` turns it off,
`ModuleQualified` loads only for `Module\\Command` names).

What a module offers is read as PowerShell's module analysis reads it, without running it: a
manifest's `FunctionsToExport` (when it lists names), else the functions its root `.psm1`
defines at the top level (narrowed by literal `Export-ModuleMember -Function` names, when the
module has any). The files are read through the run's file view, so a module folder on this
machine or on the emulated host works the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hyperv_emu.psshim import ast as A
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import paths
from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match
from hyperv_emu.psshim.runtime.frames import Frame
from hyperv_emu.psshim.runtime.localpaths import module_path_entries

if TYPE_CHECKING:
    from hyperv_emu.psshim.runtime.interpreter import Interpreter

# (interp, module name, frame) -> the module imported, or None when there is none
ImportModule = Callable[["Interpreter", str, Frame], Any]


def autoload(interp: "Interpreter", name: str, module: str | None, frame: Frame, import_module: ImportModule) -> bool:
    """Import the module that offers the command `name` (or the module `module`, for a
    module-qualified name) with `import_module` (the pipeline's Import-Module); True when one was
    imported."""
    preference = C.to_string(interp.get_variable(frame, "PSModuleAutoLoadingPreference", None) or "All").casefold()
    if preference == "none" or (preference == "modulequalified" and module is None):
        return False
    if module is not None:
        return module.casefold() not in interp.modules and import_module(interp, module, frame) is not None
    files = getattr(interp.services, "files", None)
    if files is None:
        return False
    for root in module_path_entries(interp.environment.get("PSModulePath", "")):
        for folder_name in _folders(files, root):
            if folder_name.casefold() in interp.modules:
                continue
            manifest, script = _module_files(files, paths.join(root, folder_name), folder_name)
            if _offers(interp, files, manifest, script, name):
                return import_module(interp, folder_name, frame) is not None
    return False


def _folders(files: Any, root: str) -> list[str]:
    try:
        if not files.exists(root):
            return []
        names: list[str] = files.list(root)
    except Exception:  # noqa: BLE001 - an unreadable folder offers nothing
        return []
    is_dir = getattr(files, "is_dir", None)
    return [n for n in names if is_dir is None or is_dir(paths.join(root, n))]


def _module_files(files: Any, folder: str, name: str) -> tuple[str | None, str | None]:
    """The manifest and root script of the module folder (its newest version folder when the
    files are not directly in it)."""
    candidates = [folder]
    try:
        candidates += [paths.join(folder, v) for v in sorted(files.list(folder), reverse=True)]
    except Exception:  # noqa: BLE001
        pass
    for here in candidates:
        psd1, psm1 = paths.join(here, name + ".psd1"), paths.join(here, name + ".psm1")
        manifest = psd1 if files.exists(psd1) else None
        script = psm1 if files.exists(psm1) else None
        if manifest or script:
            return manifest, script
    return None, None


def _offers(interp: "Interpreter", files: Any, manifest: str | None, script: str | None, name: str) -> bool:
    if manifest is not None:
        data = _literal_hashtable(interp, manifest)
        exported = data.get("functionstoexport")
        names = [C.to_string(n) for n in C.as_list(exported)] if exported is not None else []
        if names and names != ["*"]:
            return any(wildcard_match(name, n) for n in names)
        root = data.get("rootmodule") or data.get("moduletoprocess")
        if root and C.to_string(root).lower().endswith(".psm1"):
            script = paths.join(paths.parent(manifest), C.to_string(root))
    if script is None or not files.exists(script):
        return False
    defined, exports = _script_functions(interp, script)
    if name.casefold() not in defined:
        return False
    return not exports or any(wildcard_match(name, n) for n in exports)


def _parse(interp: "Interpreter", path: str) -> A.ScriptBlockAst | None:
    try:
        return interp.parse(interp.read_file(path), path)
    except Exception:  # noqa: BLE001 - a module that does not parse offers nothing here
        return None


def _literal_hashtable(interp: "Interpreter", path: str) -> dict[str, Any]:
    tree = _parse(interp, path)
    out: dict[str, Any] = {}
    if tree is None or tree.end_block is None or not tree.end_block.statements:
        return out
    for node in A.walk(tree.end_block.statements[0]):
        if isinstance(node, A.HashtableAst):
            for key, value in node.pairs:
                if isinstance(key, A.StringConstantAst):
                    out[key.value.casefold()] = _literal(value)
            break
    return out


def _literal(node: Any) -> Any:
    """A manifest value made of string constants (`'a'`, `'a', 'b'`, `@('a')`), else None."""
    strings = [n.value for n in A.walk(node) if isinstance(n, A.StringConstantAst)]
    if not strings:
        return None
    return strings if len(strings) > 1 else strings[0]


def _script_functions(interp: "Interpreter", path: str) -> tuple[set[str], list[str]]:
    """The functions a .psm1 defines at its top level, and the literal names its
    Export-ModuleMember -Function calls give."""
    tree = _parse(interp, path)
    defined: set[str] = set()
    exports: list[str] = []
    if tree is None:
        return defined, exports
    for block in (tree.begin_block, tree.process_block, tree.end_block):
        for stmt in block.statements if block is not None else ():
            if isinstance(stmt, A.FunctionDefinitionAst):
                defined.add(stmt.name.casefold())
            elif isinstance(stmt, A.PipelineAst):
                exports.extend(_exported_functions(stmt))
    return defined, exports


def _exported_functions(stmt: A.PipelineAst) -> list[str]:
    out: list[str] = []
    for element in stmt.elements:
        if not isinstance(element, A.CommandAst) or not element.elements:
            continue
        head = element.elements[0]
        if not (isinstance(head, A.StringConstantAst) and head.value.casefold() == "export-modulemember"):
            continue
        taking = True  # the first positional argument is -Function
        for arg in element.elements[1:]:
            if isinstance(arg, A.CommandParameterAst):
                taking = arg.name.casefold() == "function"
                if arg.argument is not None and taking:
                    out.extend(n.value for n in A.walk(arg.argument) if isinstance(n, A.StringConstantAst))
                continue
            if taking:
                out.extend(n.value for n in A.walk(arg) if isinstance(n, A.StringConstantAst))
    return out
