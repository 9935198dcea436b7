"""What every adapter of .NET methods shares: the result of a void method (`VOID`) and the
errors of a call, in PowerShell's words.

- `overload_error(name, nargs)`: `Cannot find an overload for "M" and the argument count: "n".`
- `method_exception(name, nargs, message, exc_type)`: `Exception calling "M" with "n"
  argument(s): "message"` (a MethodInvocationException whose inner exception is `exc_type`).
- `param_note(name)`: the line .NET adds to an ArgumentException's message to name the
  parameter (Windows PowerShell: `\\r\\nParameter name: x`; PowerShell 7: ` (Parameter 'x')`).

`members` (the general member binder) and the `dotnet_*` modules of particular types use them;
this module sits below both.
"""

from __future__ import annotations

from typing import Any

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime import options
from hyperv_emu.psshim.runtime.errors import METHOD_EXCEPTION, METHOD_INVOCATION_EXCEPTION, PSError, runtime_error

# what a void .NET method returns: no output at all (not even $null)
VOID: Any = C.AutomationNull()


def overload_error(name: str, nargs: int) -> PSError:
    return runtime_error(f'Cannot find an overload for "{name}" and the argument count: "{nargs}".',
                         "MethodCountCouldNotFindBest", "NotSpecified", exception_type=METHOD_EXCEPTION)


def method_exception(name: str, nargs: int, message: str, exc_type: str = "System.ArgumentException") -> PSError:
    short = exc_type.rsplit(".", 1)[-1]
    return runtime_error(f'Exception calling "{name}" with "{nargs}" argument(s): "{message}"', short,
                         "NotSpecified", exception_type=METHOD_INVOCATION_EXCEPTION, inner_type=exc_type)


def param_note(name: str) -> str:
    if options.is_core():
        return f" (Parameter '{name}')"
    return f"\r\nParameter name: {name}"
