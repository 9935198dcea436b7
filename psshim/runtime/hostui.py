"""`$Host.UI` and `[System.Management.Automation.Host.ChoiceDescription]`: the prompts scripts
call directly, over the same `HostUI` as Read-Host and -Confirm (psshim.runtime.prompts).

    $choices = [System.Management.Automation.Host.ChoiceDescription[]]('&Yes', '&No')
    $answer = $Host.UI.PromptForChoice('Cleanup', 'Remove old checkpoints?', $choices, 1)

Methods: PromptForChoice(caption, message, choices, default), ReadLine(),
ReadLineAsSecureString(), PromptForCredential(caption, message, userName, targetName),
Write/WriteLine (standard output), WriteWarningLine/WriteVerboseLine/WriteDebugLine
(`WARNING: ` ... lines), WriteErrorLine (standard error). `RawUI` has a settable WindowTitle and
the console's size.
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND, PSNative
from hyperv_emu.psshim.runtime.prompts import Choice, HostUI, PromptUnavailable, non_interactive_message


class ChoiceDescription(PSNative):
    __ps_type_names__ = ["System.Management.Automation.Host.ChoiceDescription", "System.Object"]

    def __init__(self, label: str, help_message: str = "") -> None:
        self.label = label
        self.help_message = help_message

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Label", self.label), ("HelpMessage", self.help_message)]

    def __ps_string__(self) -> str:
        return "System.Management.Automation.Host.ChoiceDescription"

    @classmethod
    def ps_new(cls, args: list[Any]) -> Any:
        if len(args) in (1, 2) and all(isinstance(a, str) for a in args):
            return cls(*args)
        return NOT_FOUND

    @classmethod
    def ps_convert_from(cls, value: Any) -> Any:
        return cls(value) if isinstance(value, str) else None


class RawUI(PSNative):
    __ps_type_names__ = ["System.Management.Automation.Internal.Host.InternalHostRawUserInterface",
                         "System.Management.Automation.Host.PSHostRawUserInterface", "System.Object"]

    def __init__(self, width: int) -> None:
        self.width = width
        self.values: dict[str, Any] = {"WindowTitle": "Windows PowerShell", "ForegroundColor": "Gray",
                                       "BackgroundColor": "Black"}

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("ForegroundColor", self.values["ForegroundColor"]),
                ("BackgroundColor", self.values["BackgroundColor"]),
                ("CursorPosition", "0,0"), ("WindowPosition", "0,0"), ("CursorSize", 25),
                ("BufferSize", f"{self.width},9001"), ("WindowSize", f"{self.width},50"),
                ("MaxWindowSize", f"{self.width},50"), ("MaxPhysicalWindowSize", f"{self.width},50"),
                ("KeyAvailable", False), ("WindowTitle", self.values["WindowTitle"])]

    def __ps_set__(self, name: str, value: Any) -> None:
        for key in self.values:
            if key.casefold() == name.casefold():
                self.values[key] = value
                return
        from hyperv_emu.psshim.runtime.members import readonly_property

        raise readonly_property(name)


class HostUserInterface(PSNative):
    """`$Host.UI`."""

    __ps_type_names__ = ["System.Management.Automation.Internal.Host.InternalHostUserInterface",
                         "System.Management.Automation.Host.PSHostUserInterface", "System.Object"]

    def __init__(self, host: Any, core: bool, width: int = 120) -> None:
        self.host = host
        self.core = core
        self.raw = RawUI(width)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("RawUI", self.raw), ("SupportsVirtualTerminal", False)]

    def _ui(self) -> HostUI:
        return HostUI(self.host, self.core)

    def __ps_invoke__(self, name: str, args: list[Any]) -> Any:
        from hyperv_emu.psshim.runtime import conversions as C
        from hyperv_emu.psshim.runtime import types as T

        n = name.casefold()
        text = [C.to_string(a) for a in args]
        try:
            if n == "promptforchoice" and len(args) == 4:
                choices = [c if isinstance(c, ChoiceDescription) else ChoiceDescription(C.to_string(c))
                           for c in C.as_list(args[2])]
                default = C.to_integer(args[3], T.INT32)
                if not choices:
                    raise _method_error(name, 4, '"choices" should have at least one element.')
                if default < -1 or default >= len(choices):
                    raise _method_error(name, 4, '"defaultChoice" must be a valid index into "choice" or -1 for no '
                                                 "default choice.")
                return self._ui().prompt_for_choice(text[0] if args[0] is not None else "",
                                                    text[1] if args[1] is not None else "",
                                                    [Choice(c.label, c.help_message) for c in choices], default)
            if n == "readline" and not args:
                return self._ui().read_line()
            if n == "readlineassecurestring" and not args:
                from hyperv_emu.psshim.runtime.security import SecureString

                return SecureString(self._ui().read_line(echo=False))
            if n == "promptforcredential" and len(args) in (4, 6):
                from hyperv_emu.psshim.runtime.security import PSCredential, SecureString

                user, password = self._ui().prompt_for_credential(
                    text[0] or None, text[1] or None, text[2] if args[2] is not None and text[2] else None)
                return PSCredential(user, SecureString(password)) if user else None
        except PromptUnavailable:
            raise _method_error(name, len(args), non_interactive_message(self.core),
                                "System.Management.Automation.Host.HostException") from None
        if n == "write" and args:
            self.host.write_out(text[-1])
            return C.AutomationNull()
        if n == "writeline":
            self.host.write_out((text[-1] if args else "") + "\n")
            return C.AutomationNull()
        prefixes = {"writewarningline": "WARNING: ", "writeverboseline": "VERBOSE: ", "writedebugline": "DEBUG: "}
        if n in prefixes and len(args) == 1:
            self.host.write_out(prefixes[n] + text[0] + "\n")
            return C.AutomationNull()
        if n == "writeerrorline" and len(args) == 1:
            self.host.write_err(text[0] + "\n")
            return C.AutomationNull()
        if n == "prompt":
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("$Host.UI.Prompt (use Read-Host)")
        return NOT_FOUND


def _method_error(name: str, nargs: int, message: str,
                  inner: str = "System.ArgumentException") -> Exception:
    from hyperv_emu.psshim.runtime.members import method_exception

    return method_exception(name, nargs, message, inner)
