"""Python exceptions the runtime uses for PowerShell errors and flow control.

- `PSError` is a *terminating* PowerShell error: it carries the `ErrorRecord` that `$_` sees in a
  `catch` block and that the error view prints. `script_terminating` distinguishes `throw` and
  `-ErrorAction Stop` (which unwind to the nearest `try` or end the script) from
  statement-terminating errors (binding errors, unknown commands, cmdlet ThrowTerminatingError,
  .NET exceptions), which end only the statement they occur in when no `try` is active.
- Errors raised below the interpreter (conversions, operators, members) carry no position yet:
  the interpreter fills in `record.invocation` with the innermost expression being evaluated.
- Flow control (`break`, `continue`, `return`, `exit`) derives from `BaseException` so that no
  `except Exception` in runtime code can swallow it by accident.
- `HaltSignal` stops the whole run for reasons outside PowerShell (step budget, timeout, a loop
  that polls a virtual clock that never moves): `try/catch` does not see it.
"""

from __future__ import annotations

from typing import Any

import attrs

from hyperv_emu.psshim.ast import Extent
from hyperv_emu.psshim.runtime.records import CategoryInfo, ErrorRecord, InvocationInfo, ScriptPosition

SMA = "System.Management.Automation."
RUNTIME_EXCEPTION = SMA + "RuntimeException"
PARAMETER_BINDING_EXCEPTION = SMA + "ParameterBindingException"
PARAMETER_BINDING_VALIDATION_EXCEPTION = SMA + "ParameterBindingValidationException"
PARAMETER_BINDING_TRANSFORMATION_EXCEPTION = SMA + "ParameterBindingArgumentTransformationException"
COMMAND_NOT_FOUND_EXCEPTION = SMA + "CommandNotFoundException"
METHOD_INVOCATION_EXCEPTION = SMA + "MethodInvocationException"
METHOD_EXCEPTION = SMA + "MethodException"
INVALID_CAST_EXCEPTION = SMA + "PSInvalidCastException"
INVALID_OPERATION_EXCEPTION = SMA + "PSInvalidOperationException"
ARGUMENT_EXCEPTION = SMA + "PSArgumentException"
ACTION_PREFERENCE_STOP_EXCEPTION = SMA + "ActionPreferenceStopException"
WRITE_ERROR_EXCEPTION = "Microsoft.PowerShell.Commands.WriteErrorException"
NOT_SUPPORTED_EXCEPTION = "Hvemu.NotSupportedByHvemuException"
PARENT_CONTAINS_ERROR_RECORD = SMA + "ParentContainsErrorRecordException"
WILDCARD_PATTERN_EXCEPTION = SMA + "WildcardPatternException"

NOT_SUPPORTED_ID = "NotSupportedByHvemu"

# .NET exception types and their base types, for `catch [T]` (a catch clause for T also catches
# every type derived from T).
_EXCEPTION_BASES: dict[str, str] = {
    "System.Exception": "",
    "System.SystemException": "System.Exception",
    "System.ArgumentException": "System.SystemException",
    "System.ArgumentNullException": "System.ArgumentException",
    "System.ArgumentOutOfRangeException": "System.ArgumentException",
    "System.FormatException": "System.SystemException",
    "System.InvalidCastException": "System.SystemException",
    "System.InvalidOperationException": "System.SystemException",
    "System.NotSupportedException": "System.SystemException",
    "System.NotImplementedException": "System.SystemException",
    "System.IndexOutOfRangeException": "System.SystemException",
    "System.NullReferenceException": "System.SystemException",
    "System.ArithmeticException": "System.SystemException",
    "System.DivideByZeroException": "System.ArithmeticException",
    "System.OverflowException": "System.ArithmeticException",
    "System.TimeoutException": "System.SystemException",
    "System.Collections.Generic.KeyNotFoundException": "System.SystemException",
    "System.IO.IOException": "System.SystemException",
    "System.IO.FileNotFoundException": "System.IO.IOException",
    "System.IO.DirectoryNotFoundException": "System.IO.IOException",
    "System.UnauthorizedAccessException": "System.SystemException",
    "System.Management.Automation.RuntimeException": "System.SystemException",
    SMA + "ParameterBindingException": RUNTIME_EXCEPTION,
    SMA + "ParameterBindingValidationException": PARAMETER_BINDING_EXCEPTION,
    SMA + "ParameterBindingArgumentTransformationException": PARAMETER_BINDING_EXCEPTION,
    SMA + "CommandNotFoundException": RUNTIME_EXCEPTION,
    SMA + "MethodException": RUNTIME_EXCEPTION,
    SMA + "MethodInvocationException": METHOD_EXCEPTION,
    SMA + "PSInvalidCastException": "System.InvalidCastException",
    SMA + "PSInvalidOperationException": "System.InvalidOperationException",
    SMA + "PSArgumentException": "System.ArgumentException",
    SMA + "PSArgumentNullException": "System.ArgumentNullException",
    SMA + "PSArgumentOutOfRangeException": "System.ArgumentOutOfRangeException",
    SMA + "PSNotSupportedException": "System.NotSupportedException",
    SMA + "ActionPreferenceStopException": RUNTIME_EXCEPTION,
    SMA + "ParentContainsErrorRecordException": "System.SystemException",
    WILDCARD_PATTERN_EXCEPTION: RUNTIME_EXCEPTION,
    SMA + "ItemNotFoundException": SMA + "SessionStateException",
    SMA + "SessionStateException": RUNTIME_EXCEPTION,
    SMA + "DriveNotFoundException": SMA + "SessionStateException",
    SMA + "PipelineStoppedException": RUNTIME_EXCEPTION,
    SMA + "ValidationMetadataException": SMA + "MetadataException",
    SMA + "MetadataException": RUNTIME_EXCEPTION,
    SMA + "ScriptRequiresException": RUNTIME_EXCEPTION,
    WRITE_ERROR_EXCEPTION: "System.SystemException",
    "Microsoft.HyperV.PowerShell.VirtualizationException": "System.Exception",
    NOT_SUPPORTED_EXCEPTION: "System.NotSupportedException",
}


def register_exception_type(full_name: str, base: str = "System.Exception") -> None:
    """Declare a .NET exception type (and its base) so that `catch [Base]` catches it.

    Module-level table of *facts about .NET*, not runtime state, hence no runspace argument.
    """
    _EXCEPTION_BASES[full_name] = base


def exception_lineage(full_name: str) -> list[str]:
    """The exception type and its bases, most derived first."""
    out: list[str] = []
    name = full_name
    seen: set[str] = set()
    while name and name not in seen:
        seen.add(name)
        out.append(name)
        name = _EXCEPTION_BASES.get(name, "System.Exception" if name != "System.Exception" else "")
    return out


def known_exception_types() -> list[str]:
    return list(_EXCEPTION_BASES)


def short_type_name(full_name: str) -> str:
    return full_name.rsplit(".", 1)[-1]


class PSError(Exception):
    """A terminating PowerShell error."""

    def __init__(
        self,
        record: ErrorRecord,
        *,
        script_terminating: bool = False,
        stop: bool = False,
        inner: BaseException | None = None,
    ) -> None:
        super().__init__(record.message)
        self.record = record
        # `throw` and -ErrorAction Stop unwind to the nearest try (or end the script);
        # other terminating errors end only the current statement.
        self.script_terminating = script_terminating
        # raised because an ErrorAction of Stop turned a non-terminating error into this one
        self.stop = stop
        self.inner = inner
        # .NET types of wrapped inner exceptions (`1/0` is a RuntimeException around a
        # DivideByZeroException; `catch [System.DivideByZeroException]` catches it)
        self.inner_types: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"PSError({self.record.message!r}, {self.record.fully_qualified_error_id!r})"

    @property
    def located(self) -> bool:
        return self.record.invocation is not None and self.record.invocation.position is not None

    def locate(self, extent: Extent, script_path: str | None, source: str) -> None:
        """Attach a position to a record raised without one (innermost caller wins)."""
        if self.located:
            return
        pos = ScriptPosition(script_path, extent, source)
        command_name = self.record.invocation.command_name if self.record.invocation else None
        self.record = attrs.evolve(self.record, invocation=InvocationInfo(command_name, pos))


def make_record(
    message: str,
    error_id: str,
    category: str,
    *,
    exception_type: str = RUNTIME_EXCEPTION,
    target_object: Any = None,
    target_name: str = "",
    target_type: str = "",
    activity: str = "",
    reason: str | None = None,
    fqid: str | None = None,
    prefix: str = "",
    invocation: InvocationInfo | None = None,
) -> ErrorRecord:
    return ErrorRecord(
        message=message,
        fully_qualified_error_id=fqid if fqid is not None else error_id,
        category_info=CategoryInfo(
            category=category,
            activity=activity,
            target_name=target_name,
            target_type=target_type,
            reason=reason if reason is not None else short_type_name(exception_type),
        ),
        exception_type=exception_type,
        invocation=invocation,
        target_object=target_object,
        prefix=prefix,
    )


def runtime_error(
    message: str,
    error_id: str = "RuntimeException",
    category: str = "NotSpecified",
    *,
    exception_type: str = RUNTIME_EXCEPTION,
    target_object: Any = None,
    target_name: str = "",
    target_type: str = "",
    script_terminating: bool = False,
    inner_type: str | None = None,
) -> PSError:
    """An error of the language itself (operators, conversions, members): `(:) []` records."""
    err = PSError(
        make_record(
            message,
            error_id,
            category,
            exception_type=exception_type,
            target_object=target_object,
            target_name=target_name,
            target_type=target_type,
        ),
        script_terminating=script_terminating,
    )
    if inner_type:
        err.inner_types = (inner_type,)
    return err


def not_supported(feature: str) -> PSError:
    """A real PowerShell feature that hvemu does not emulate (distinct from PowerShell's own
    errors: its id is `NotSupportedByHvemu`)."""
    text = feature.rstrip(".")
    return runtime_error(
        f"{text} is not supported by hvemu.",
        NOT_SUPPORTED_ID,
        "NotImplemented",
        exception_type=NOT_SUPPORTED_EXCEPTION,
    )


def invalid_cast(value_text: str, type_name: str, inner: str | None = None,
                 error_id: str = "InvalidCastFromStringToInteger") -> PSError:
    if inner is None:
        msg = f'Cannot convert value "{value_text}" to type "{type_name}".'
    else:
        msg = f'Cannot convert value "{value_text}" to type "{type_name}". Error: "{inner}"'
    return runtime_error(msg, error_id, "InvalidArgument", exception_type=INVALID_CAST_EXCEPTION)


class FlowControl(BaseException):
    """break / continue / return / exit."""


class BreakSignal(FlowControl):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(label)
        self.label = label


class ContinueSignal(FlowControl):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(label)
        self.label = label


class ReturnSignal(FlowControl):
    pass


class ExitSignal(FlowControl):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class HaltSignal(BaseException):
    """Stops the whole run (step budget, timeout, stuck polling loop). Not catchable by scripts."""

    def __init__(self, record: ErrorRecord) -> None:
        super().__init__(record.message)
        self.record = record
