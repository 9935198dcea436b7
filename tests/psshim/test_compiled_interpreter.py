"""The compiled interpreter (psshim/runtime/compiler*.py, fastops.py, the binder's per-stage plan)
keeps PowerShell's semantics: arithmetic and comparisons on Int32/Int64/Double/String, loops and
their labels, errors inside compiled loops, the step budget, and pipelines whose records differ.

Expected values are Windows PowerShell 5.1's documented behaviour (about_Arithmetic_Operators:
an Int32 result too large for Int32 becomes a Double, `%` keeps the dividend's sign as .NET's
remainder, `/` of integers that do not divide gives a Double; about_Comparison_Operators: string
comparison is case-insensitive unless `-c...`, the left operand's type drives the conversion of
the right one, a collection on the left filters; about_Break / about_Continue: labels), and
`operators.binary` for the fast paths (they must equal the general code for every operand).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hvemu_testlib as T
from hyperv_emu.psshim.runtime import operators as O
from hyperv_emu.psshim.runtime.errors import PSError
from hyperv_emu.psshim.runtime.fastops import binary_op
from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock
from hyperv_emu.psshim.runtime.values import Int64

SCRIPT = "C:\\scripts\\test.ps1"


def run(text: str, **settings_: Any) -> tuple[int, str, str, Runspace]:
    host = CapturingHost()
    services = SimpleServices(clock=VirtualClock(dt.datetime(2026, 2, 20, 8, 0, 0)), files=MemoryFileView({}))
    rs = Runspace(services, RunSettings(**settings_), host)
    code = rs.run_script(text, SCRIPT)
    return code, host.stdout, host.stderr, rs


def lines(text: str) -> list[str]:
    code, out, err, _ = run(text)
    assert err == "", err
    return [line.rstrip() for line in out.splitlines() if line.strip()]


# --- arithmetic --------------------------------------------------------------------------------


def test_int32_overflow_widens_to_double() -> None:
    assert lines("$x = [int]::MaxValue + 1; $x; $x.GetType().FullName") == ["2147483648", "System.Double"]
    assert lines("$x = [int]::MinValue - 1; $x.GetType().FullName") == ["System.Double"]
    assert lines("$x = 65536 * 65536; $x; $x.GetType().FullName") == ["4294967296", "System.Double"]


def test_increment_past_int32_max_widens_to_double() -> None:
    assert lines("$i = [int]::MaxValue; $i++; $i.GetType().FullName") == ["System.Double"]
    assert lines("$i = 5; $i++; $i; $i.GetType().FullName") == ["6", "System.Int32"]


def test_int64_operands_stay_int64() -> None:
    assert lines("(5l + 1).GetType().FullName") == ["System.Int64"]
    assert lines("$x = 3000000000 + 1; $x; $x.GetType().FullName") == ["3000000001", "System.Int64"]
    assert lines("([long]::MaxValue + 1).GetType().FullName") == ["System.Double"]


def test_division_and_remainder() -> None:
    assert lines("7 / 2; (6 / 2).GetType().FullName; 7 % -3; -7 % 3; 7.5 % 2") == ["3.5", "System.Int32", "1", "-1",
                                                                                   "1.5"]


def test_the_left_operand_drives_addition() -> None:
    assert lines("'10' + 5; 5 + '10'; 1.5 + 1; (1.5 + 1).GetType().FullName") == ["105", "15", "2.5",
                                                                                  "System.Double"]


def test_a_string_that_is_not_a_number_cannot_be_added_to_a_number() -> None:
    code, out, err, rs = run("$n = 5 + 'abc'\n'next'")
    assert out.splitlines() == ["next"]
    assert rs.errors[0].fully_qualified_error_id == "InvalidCastFromStringToInteger"
    assert rs.errors[0].invocation is not None and rs.errors[0].invocation.position is not None
    assert rs.errors[0].invocation.position.extent.text == "5 + 'abc'"


def test_null_in_arithmetic() -> None:
    assert lines("$null + 1; 1 + $null; $u = $nothing * 2; $u -eq $null") == ["1", "1", "True"]


# --- comparison --------------------------------------------------------------------------------


def test_string_comparison_is_case_insensitive_unless_c() -> None:
    assert lines("'abc' -eq 'ABC'; 'abc' -ceq 'ABC'; 'abc' -ne 'ABC'; 'abc' -cne 'ABC'; 'a' -lt 'B'; "
                 "'a' -clt 'A'") == ["True", "False", "False", "True", "True", "True"]


def test_the_left_operand_drives_comparison() -> None:
    assert lines("10 -eq '10'; '10' -eq 10; 2 -lt '10'; '2' -lt 10; 1 -eq 1.0; 2.5 -gt 2") == [
        "True", "True", "True", "False", "True", "True"]


def test_a_collection_on_the_left_filters() -> None:
    assert lines("(1, 2, 3, 2 -eq 2).Count; (1, 5, 10 -gt 4) -join ','") == ["2", "5,10"]


def test_nan_is_not_equal_to_itself() -> None:
    assert lines("[double]::NaN -eq [double]::NaN; $n = [double]::NaN; $n -ne $n") == ["False", "True"]


# --- the fast paths equal the general operators ------------------------------------------------

_INT32 = st.integers(-(2**31), 2**31 - 1)
_EDGES = st.sampled_from([0, 1, -1, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1, 2**63 - 1, -(2**63), 3])
_OPERANDS = st.one_of(
    _INT32, _EDGES, st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet="aAbB01 .-e", max_size=4), st.booleans(), st.none(),
    st.builds(Int64, st.integers(-(2**31), 2**31 - 1)),
)
_OPS = ["+", "-", "*", "%", "/", "-eq", "-ne", "-ceq", "-cne", "-ieq", "-lt", "-le", "-gt", "-ge", "-clt", "-cge"]


class _Frame:
    def __init__(self) -> None:
        self.env = O.SimpleOpEnv()


def _outcome(fn: Any) -> Any:
    try:
        value = fn()
    except PSError as exc:
        return ("error", exc.record.message, exc.record.fully_qualified_error_id)
    except (OverflowError, ZeroDivisionError, ValueError) as exc:
        return ("python", type(exc).__name__)
    if isinstance(value, float) and math.isnan(value):
        return (float, "nan")
    return (type(value), value)


@settings(max_examples=T.examples(400), deadline=None)
@given(op=st.sampled_from(_OPS), left=_OPERANDS, right=_OPERANDS)
def test_a_fast_operator_gives_what_the_general_one_gives(op: str, left: Any, right: Any) -> None:
    frame = _Frame()
    fast = _outcome(lambda: binary_op(op)(left, right, frame))
    general = _outcome(lambda: O.binary(op, left, right, frame.env))
    assert fast == general


# --- loops -------------------------------------------------------------------------------------


def test_labelled_continue_and_break_leave_the_right_loop() -> None:
    assert lines(":outer foreach ($i in 1..3) { foreach ($j in 1..3) { if ($j -eq 2) { continue outer }; "
                 "\"$i$j\" } }") == ["11", "21", "31"]
    assert lines(":outer for ($i = 0; $i -lt 3; $i++) { $k = 0; while ($true) { $k++; if ($k -gt 1) "
                 "{ break outer }; \"$i$k\" } }; 'done'") == ["01", "done"]


def test_for_while_and_do_loops() -> None:
    assert lines("for ($i = 0; $i -lt 5; $i++) { if ($i -eq 3) { break }; $i }") == ["0", "1", "2"]
    assert lines("$n = 0; do { $n++ } until ($n -ge 3); $n; do { $n++ } while ($n -lt 5); $n") == ["3", "5"]
    assert lines("$k = 0; $r = while ($k -lt 3) { $k++; $k }; $r -join ','") == ["1,2,3"]
    assert lines("for ($i = 0; $i -lt 4; $i++) { if ($i % 2) { continue }; \"even $i\" }") == ["even 0", "even 2"]


def test_foreach_over_nothing_and_over_a_scalar() -> None:
    assert lines("foreach ($x in $null) { 'never' }; foreach ($x in 5) { $x * 2 }") == ["10"]


def test_string_building_hashtables_and_function_calls_in_loops() -> None:
    assert lines("$s = ''; foreach ($c in 'a', 'b', 'c') { $s += $c.ToUpper() }; $s") == ["ABC"]
    assert lines("$h = @{}; foreach ($w in 'a', 'b', 'a') { $h[$w] += 1 }; $h['a']; $h['b']; $h.A") == [
        "2", "1", "2"]
    assert lines("function Sq($x) { $x * $x }; $t = 0; for ($i = 1; $i -le 4; $i++) { $t += Sq $i }; $t") == ["30"]


def test_foreach_object_and_sort_object() -> None:
    assert lines("1..3 | ForEach-Object -Begin { $s = 0 } -Process { $s += $_ } -End { $s }") == ["6"]
    assert lines("3, 1, 2 | Sort-Object -Descending") == ["3", "2", "1"]
    assert lines("'b', 'A', 'c' | Sort-Object") == ["A", "b", "c"]


def test_an_error_in_a_loop_body_ends_only_its_statement() -> None:
    code, out, err, rs = run("$z = 0\nforeach ($i in 1..2) { $i / $z; \"after $i\" }\n$?")
    assert out.splitlines() == ["after 1", "after 2", "True"]
    assert [e.message for e in rs.errors] == ["Attempted to divide by zero."] * 2
    position = rs.errors[0].invocation.position  # type: ignore[union-attr]
    assert position is not None and position.extent.text == "$i / $z"


def test_status_after_a_failed_statement() -> None:
    code, out, err, rs = run("$z = 0\n$x = 1 / $z\n$?\n$y = 1\n$?")
    assert out.splitlines() == ["False", "True"]
    assert "Attempted to divide by zero." in err


@pytest.mark.parametrize("loop", [
    "foreach ($i in 1..100000) { $i }", "for (;;) { }", "while ($true) { $n = 1 }", "do { } while ($true)",
    "function F { while ($true) { } }; F", "1..100000 | ForEach-Object { $_ }",
])
def test_the_step_budget_stops_every_kind_of_loop(loop: str) -> None:
    code, out, err, rs = run(loop, max_steps=2000)
    assert code == 1
    assert rs.errors[-1].fully_qualified_error_id == "HvemuStepBudgetExceeded"
    assert "2000 steps" in rs.errors[-1].message


# --- pipelines ---------------------------------------------------------------------------------


def test_where_object_over_records_of_different_types() -> None:
    assert lines("1, 'a', $null, 2.5, '', 0 | Where-Object { $_ }") == ["1", "a", "2.5"]
    assert lines("(1..10 | Where-Object { $_ % 3 -eq 0 } | Measure-Object).Count") == ["3"]


def test_a_function_stage_binds_each_record_by_its_own_type() -> None:
    # an [int] parameter takes an Int32 as it is, converts a String and rounds a Double (to even)
    assert lines("function Show { param([Parameter(ValueFromPipeline)][int]$N) process { $N * 2 } }\n"
                 "1, '2', 3.6, 2.5 | Show") == ["2", "4", "8", "4"]


def test_a_cmdlet_stage_binds_by_property_name_record_by_record() -> None:
    # Select-Object's -InputObject takes every record as it is; Join-Path's -Path binds by
    # property name (Path), the records' types differ
    assert lines("[pscustomobject]@{Path = 'C:\\a'}, [pscustomobject]@{Path = 'D:\\b'} | "
                 "Join-Path -ChildPath x") == ["C:\\a\\x", "D:\\b\\x"]
