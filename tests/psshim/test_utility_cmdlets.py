"""Utility and core cmdlets: Where/ForEach/Select/Sort/Group/Measure-Object, dates and sleep,
objects and members, commands and variables, paths, jobs, and the output cmdlets' wiring to
psshim.format."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hyperv_emu.psshim.runtime.host import CapturingHost
from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
from hyperv_emu.psshim.runtime.services import MemoryFileView, SimpleServices, VirtualClock
from hyperv_emu.psshim.runtime.values import Hashtable, PSObject, type_names

START = dt.datetime(2026, 2, 20, 8, 0, 0)


def session(edition: str = "5.1", files: dict[str, str] | None = None) -> tuple[Runspace, CapturingHost,
                                                                                  SimpleServices]:
    host = CapturingHost()
    services = SimpleServices(clock=VirtualClock(START), files=MemoryFileView(files or {}))
    return Runspace(services, RunSettings(edition=edition), host), host, services


def values(text: str, edition: str = "5.1") -> list[Any]:
    rs, host, _ = session(edition)
    out = rs.invoke(text)
    assert host.stderr == "", host.stderr
    return out


def printed(text: str, edition: str = "5.1") -> list[str]:
    rs, host, _ = session(edition)
    rs.run_script(text, "C:\\t\\u.ps1")
    assert host.stderr == "", host.stderr
    return [line.rstrip() for line in host.stdout.splitlines() if line.strip()]


VMS = ("$vms = [pscustomobject]@{Name='SRV-WEB01'; State='Running'; Mem=4}, "
       "[pscustomobject]@{Name='SRV-APP01'; State='Off'; Mem=8}, "
       "[pscustomobject]@{Name='dev-01'; State='Running'; Mem=2}\n")


# --- Where-Object ----------------------------------------------------------------------------


def test_where_object_script_block_and_simplified_forms() -> None:
    assert values(VMS + "$vms | Where-Object { $_.Mem -gt 3 } | % Name") == ["SRV-WEB01", "SRV-APP01"]
    assert values(VMS + "$vms | ? State -eq 'running' | % Name") == ["SRV-WEB01", "dev-01"]
    assert values(VMS + "$vms | where Name -like 'SRV*' | % Name") == ["SRV-WEB01", "SRV-APP01"]
    assert values(VMS + "$vms | Where-Object Name -CLike 'srv*' | % Name") == []
    assert values(VMS + "$vms | Where-Object Mem -In 2,8 | % Name") == ["SRV-APP01", "dev-01"]
    assert values(VMS + "$vms | Where-Object -Property State -NE -Value Off | % Name") == ["SRV-WEB01", "dev-01"]
    assert values("'', 'x', $null | Where-Object Length") == ["x"]
    assert values("1, 'a', 2 | Where-Object { $_ -is [int] }") == [1, 2]


def test_where_object_match_sets_matches() -> None:
    assert values("'v10' | Where-Object { $_ -match 'v(\\d+)' } | % { $Matches[1] }") == ["10"]


# --- ForEach-Object ------------------------------------------------------------------------


def test_foreach_object_blocks() -> None:
    assert values("1..3 | ForEach-Object -Begin { 'b' } -Process { $_ * 10 } -End { 'e' }") == ["b", 10, 20, 30, "e"]
    assert values("1..2 | % { 'b' } { $_ } { 'e' }") == ["b", 1, 2, "e"]
    assert values("1..2 | % { 'b' } { $_ }") == ["b", 1, 2]
    assert values("1..2 | % { ,($_, $_) } | % { $_.Count }") == [2, 2]
    assert values("1,2 | % { $_, ($_ * 10) }") == [1, 10, 2, 20]


def test_foreach_object_member_name_and_methods() -> None:
    assert values(VMS + "$vms | % Name") == ["SRV-WEB01", "SRV-APP01", "dev-01"]
    assert values("'a-b', 'c' | ForEach-Object Split '-'") == ["a", "b", "c"]
    assert values("'abc' | % ToUpper") == ["ABC"]
    assert values("'x' | % -MemberName Length") == [1]


def test_foreach_object_runs_in_the_callers_scope() -> None:
    assert values("$n = 0; 1..4 | % { $n += $_ }; $n") == [10]


# --- Select-Object ----------------------------------------------------------------------------


def test_select_object_properties_and_calculated() -> None:
    out = values(VMS + "$vms | Select-Object Name, @{N='GB';E={$_.Mem * 2}}, @{Label='S'; Expression='State'}, "
                       "Missing -First 1")
    assert len(out) == 1
    o = out[0]
    assert isinstance(o, PSObject)
    assert list(o.properties.items()) == [("Name", "SRV-WEB01"), ("GB", 8), ("S", "Running"), ("Missing", None)]
    assert o.type_names[0] == "Selected.System.Management.Automation.PSCustomObject"


def test_select_object_key_prefixes_and_wildcards() -> None:
    o = values(VMS + "$vms[0] | Select-Object @{na='X'; ex={1}}, N*")[0]
    assert list(o.properties) == ["X", "Name"]
    o2 = values(VMS + "$vms[0] | Select-Object * -ExcludeProperty Mem")[0]
    assert list(o2.properties) == ["Name", "State"]
    rs, host, _ = session()
    rs.invoke(VMS + "$vms[0] | Select-Object @{Foo='X'}")
    assert rs.errors[0].message == 'The "Foo" key is not valid.'


def test_select_object_first_last_skip_unique_index() -> None:
    assert values("1..10 | Select-Object -First 3") == [1, 2, 3]
    assert values("1..10 | Select-Object -Last 2") == [9, 10]
    assert values("1..10 | Select-Object -Skip 8") == [9, 10]
    assert values("1..5 | Select-Object -Skip 1 -First 2") == [2, 3]
    assert values("'a','A','a','b' | Select-Object -Unique") == ["a", "A", "b"]
    assert values("1..5 | Select-Object -Index 0, 3") == [1, 4]


def test_select_object_expand_property() -> None:
    assert values("[pscustomobject]@{Disks=@('a','b')} | Select-Object -ExpandProperty Disks") == ["a", "b"]
    assert values(VMS + "$vms | Select-Object -ExpandProperty Name") == ["SRV-WEB01", "SRV-APP01", "dev-01"]
    rs, host, _ = session()
    rs.invoke("[pscustomobject]@{a=1} | Select-Object -ExpandProperty zz")
    rec = rs.errors[0]
    assert rec.message == 'Property "zz" cannot be found.'
    assert rec.fully_qualified_error_id == "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand"


# --- Sort-Object / Group-Object / Measure-Object ----------------------------------------------


def test_sort_object() -> None:
    assert values("3, 1, 2 | Sort-Object") == [1, 2, 3]
    assert values("'b', 'a', 'C' | Sort-Object -Descending") == ["C", "b", "a"]
    assert values("10, 9, 100 | Sort-Object") == [9, 10, 100]
    assert values("'10', '9', '100' | Sort-Object") == ["10", "100", "9"]
    assert values(VMS + "$vms | Sort-Object State, @{E={$_.Mem}; Descending=$true} | % Name") == \
        ["SRV-APP01", "SRV-WEB01", "dev-01"]
    assert values("'a', 'A', 'b' | Sort-Object -Unique") == ["a", "b"]
    assert values("[datetime]'2026-02-01', [datetime]'2025-12-31' | Sort-Object | % Year") == [2025, 2026]


def test_group_object_51_keeps_first_seen_order_and_7_sorts() -> None:
    text = "'b', 'a', 'B', 'c', 'a' | Group-Object | % { \"$($_.Name)=$($_.Count)\" }"
    assert values(text) == ["b=2", "a=2", "c=1"]
    assert values(text, edition="7") == ["a=2", "b=2", "c=1"]
    g = values(VMS + "$vms | Group-Object State")[0]
    assert isinstance(g, PSObject) and g.type_names[0] == "Microsoft.PowerShell.Commands.GroupInfo"
    assert g.get("Name") == "Running" and g.get("Count") == 2 and len(g.get("Group")) == 2
    h = values(VMS + "$vms | Group-Object State -AsHashTable")[0]
    assert isinstance(h, Hashtable) and len(h["Running"]) == 2
    ne = values(VMS + "$vms | Group-Object State -NoElement")[0]
    assert not ne.has("Group")


def test_measure_object() -> None:
    m = values("1..4 | Measure-Object -Sum -Average -Maximum -Minimum")[0]
    assert (m.get("Count"), m.get("Sum"), m.get("Average"), m.get("Maximum"), m.get("Minimum")) == \
        (4, 10.0, 2.5, 4.0, 1.0)
    assert list(m.properties) == ["Count", "Average", "Sum", "Maximum", "Minimum", "Property"]
    m7 = values("1..4 | Measure-Object -Sum", edition="7")[0]
    assert list(m7.properties) == ["Count", "Average", "Sum", "Maximum", "Minimum", "StandardDeviation", "Property"]
    m2 = values(VMS + "$vms | Measure-Object Mem -Sum")[0]
    assert m2.get("Sum") == 14.0 and m2.get("Property") == "Mem"
    assert values("(1..5 | Measure-Object).Count") == [5]
    rs, host, _ = session()
    rs.invoke("1, 2 | Measure-Object -Property Nope")
    assert rs.errors[0].message == 'The property "Nope" cannot be found in the input for any objects.'


# --- dates and time ------------------------------------------------------------------------------


def test_get_date_reads_the_injected_clock() -> None:
    assert values("Get-Date") == [START]
    assert values("Get-Date -Format 'yyyy-MM-dd HH:mm'") == ["2026-02-20 08:00"]
    assert values("Get-Date -UFormat '%Y-%m-%d'") == ["2026-02-20"]
    assert values("Get-Date -Date '2026-01-05' -Format 'dddd'") == ["Monday"]
    assert values("(Get-Date -Year 2020 -Month 1 -Day 2).ToString('yyyy-MM-dd')") == ["2020-01-02"]
    assert values("Get-Date -Format 'd'") == ["2/20/2026"]


def test_start_sleep_moves_a_virtual_clock() -> None:
    rs, host, services = session()
    assert rs.invoke("Start-Sleep -Seconds 5; Start-Sleep 2; Start-Sleep -Milliseconds 500; Get-Date") == \
        [START + dt.timedelta(seconds=7.5)]
    assert services.clock.now() == START + dt.timedelta(seconds=7.5)


def test_new_timespan() -> None:
    assert values("New-TimeSpan -Days 7") == [dt.timedelta(days=7)]
    assert values("New-TimeSpan -Hours 1 -Minutes 30 | % TotalMinutes") == [90.0]
    assert values("(New-TimeSpan -Start '2026-02-13' -End '2026-02-20').Days") == [7]
    assert values("(New-TimeSpan -Start (Get-Date).AddHours(-2)).TotalHours") == [2.0]


# --- objects -------------------------------------------------------------------------------------


def test_new_object() -> None:
    o = values("New-Object PSObject -Property @{Name='a'; N=1}")[0]
    assert isinstance(o, PSObject) and o.get("Name") == "a"
    assert values("$l = New-Object System.Collections.ArrayList; [void]$l.Add(1); $l.Count") == [1]
    assert values("(New-Object DateTime 2026, 2, 20).DayOfWeek.ToString()") == ["Friday"]
    assert values("(New-Object TimeSpan 1, 2, 3).TotalSeconds") == [3723.0]
    rs, host, _ = session()
    rs.invoke("New-Object No.Such.Type")
    assert rs.errors[0].message == ("Cannot find type [No.Such.Type]: verify that the assembly containing this type is "
                                    "loaded.")


def test_add_member() -> None:
    text = ("$o = [pscustomobject]@{A=1}\n"
            "$o | Add-Member -NotePropertyName B -NotePropertyValue 2\n"
            "$o | Add-Member -MemberType NoteProperty -Name C -Value 3\n"
            "$o | Add-Member ScriptProperty Sum { $this.A + $this.B + $this.C }\n"
            "$o | Add-Member -MemberType ScriptMethod -Name Twice -Value { param($x) $x * 2 }\n"
            "$o.Sum; $o.Twice(21)\n"
            "$o | Add-Member -NotePropertyMembers @{D=4; E=5} -PassThru | % { $_.D + $_.E }")
    assert values(text) == [6, 42, 9]
    rs, host, _ = session()
    rs.invoke("$o = [pscustomobject]@{A=1}; $o | Add-Member -NotePropertyName A -NotePropertyValue 2")
    assert rs.errors[0].fully_qualified_error_id == "MemberAlreadyExists,Microsoft.PowerShell.Commands.AddMemberCommand"


def test_get_member_lists_properties() -> None:
    rows = values("[pscustomobject]@{A=1; B='x'} | Get-Member -MemberType NoteProperty")
    assert [r.get("Name") for r in rows] == ["A", "B"]


# --- commands, variables, write cmdlets ---------------------------------------------------------


def test_get_command() -> None:
    names = [c.name for c in values("Get-Command -Verb Get -Noun Date, Member")]
    assert names == ["Get-Date", "Get-Member"]
    assert [c.name for c in values("function My-Func {}; Get-Command My-*")] == ["My-Func"]
    rs, host, _ = session()
    rs.invoke("Get-Command Nope-Nope")
    assert rs.errors[0].fully_qualified_error_id == \
        "CommandNotFoundException,Microsoft.PowerShell.Commands.GetCommandCommand"


def test_variables_cmdlets() -> None:
    assert values("Set-Variable -Name v -Value 5; $v; Get-Variable v -ValueOnly; (Get-Variable v).Value") == [5, 5, 5]
    assert values("New-Variable w 1; Remove-Variable w; $null -eq $w") == [True]


def test_write_cmdlets() -> None:
    assert printed("Write-Host 'a' 'b'; Write-Host a -NoNewline; Write-Host b; Write-Host (1,2) -Separator '-'") == \
        ["a b", "ab", "1-2"]
    assert printed("Write-Output 1, 2; echo x") == ["1", "2", "x"]
    assert values("Write-Output @(1,2) -NoEnumerate | % { $_.Count }") == [2]
    assert printed("Write-Warning 'w'; Write-Verbose 'v'; $VerbosePreference = 'Continue'; Write-Verbose 'v2'; "
                   "Write-Information 'i'; Write-Information 'i2' -InformationAction Continue; "
                   "Write-Progress -Activity x; Write-Debug 'd'") == ["WARNING: w", "VERBOSE: v2", "i2"]


def test_write_error_and_out_null() -> None:
    rs, host, _ = session()
    assert rs.invoke("Write-Error -Message 'm' -Category InvalidData -ErrorId MyId -TargetObject t; 1 | Out-Null") \
        == []
    rec = rs.errors[0]
    assert rec.fully_qualified_error_id == "MyId,Write-Error" and rec.category_info.category == "InvalidData"
    assert rec.category_info.target_name == "t"


# --- paths ---------------------------------------------------------------------------------------


def test_path_cmdlets() -> None:
    rs, host, _ = session(files={"D:\\VMs\\a.avhdx": "", "D:\\VMs\\b.vhdx": ""})
    out = rs.invoke("Test-Path D:\\VMs\\a.avhdx; Test-Path D:\\VMs\\zz; Test-Path D:\\VMs -PathType Container; "
                    "Test-Path D:\\VMs\\a.avhdx -PathType Container; Test-Path D:\\VMs\\*.vhdx; "
                    "Join-Path D:\\VMs disk.vhdx; Join-Path 'D:\\VMs\\' '\\x'; Split-Path D:\\VMs\\a.avhdx; "
                    "Split-Path D:\\VMs\\a.avhdx -Leaf; Split-Path D:\\VMs\\a.avhdx -Qualifier; "
                    "Split-Path D:\\VMs -IsAbsolute")
    assert out == [True, False, True, False, True, "D:\\VMs\\disk.vhdx", "D:\\VMs\\x", "D:\\VMs", "a.avhdx", "D:",
                   True]


# --- jobs ------------------------------------------------------------------------------------------


def test_jobs_run_synchronously() -> None:
    text = ("$j = Start-Job { 'r1'; Write-Warning 'jw'; 'r2' }\n"
            "$j.State; (Get-Job).Count\n"
            "Wait-Job $j | Out-Null\n"
            "Receive-Job $j\n"
            "Remove-Job $j; (Get-Job).Count")
    rs, host, _ = session()
    out = rs.invoke(text)
    assert out == ["Completed", 1, "r1", "r2", 0]
    assert host.stdout == "WARNING: jw\n"


# --- output cmdlets over psshim.format -------------------------------------------------------------


def test_format_table_and_out_string() -> None:
    lines = printed(VMS + "$vms | Format-Table Name, @{L='Memory';E={$_.Mem};A='Right'} -AutoSize")
    assert lines == ["Name      Memory", "----      ------", "SRV-WEB01      4", "SRV-APP01      8",
                     "dev-01         2"]
    text = values(VMS + "$vms | Select-Object Name | Out-String")[0]
    assert [line.rstrip() for line in text.split("\n")][:4] == ["", "Name", "----", "SRV-WEB01"]
    assert values("1, 2 | Out-String -Stream") == ["1", "2"]


def test_format_list() -> None:
    assert printed("[pscustomobject]@{A=1; BB='x'} | Format-List") == ["A  : 1", "BB : x"]


def test_json_round_trip_by_edition() -> None:
    assert values("@{a=1} | ConvertTo-Json -Compress") == ['{"a":1}']
    assert values("[pscustomobject]@{a=1; b='x'} | ConvertTo-Json") == ['{\n    "a":  1,\n    "b":  "x"\n}']
    assert values("[pscustomobject]@{a=1; b='x'} | ConvertTo-Json", edition="7") == ['{\n  "a": 1,\n  "b": "x"\n}']
    o = values("'{\"Name\":\"SRV\",\"Mem\":4}' | ConvertFrom-Json")[0]
    assert isinstance(o, PSObject) and o.get("Name") == "SRV" and o.get("Mem") == 4
    assert values("('[1,2]' | ConvertFrom-Json).Count") == [2]
    assert values("'[1,2]' | ConvertFrom-Json", edition="7") == [1, 2]


def test_csv() -> None:
    rs, host, services = session(files={"C:\\in.csv": "Name,Mem\nSRV,4\n"})
    out = rs.invoke("Import-Csv C:\\in.csv | % { $_.Name + ':' + $_.Mem }; "
                    "[pscustomobject]@{A=1} | ConvertTo-Csv -NoTypeInformation; "
                    "[pscustomobject]@{A=1} | Export-Csv C:\\out.csv")
    assert out == ["SRV:4", '"A"', '"1"']
    assert services.files.read_text("C:\\out.csv") == \
        '#TYPE System.Management.Automation.PSCustomObject\r\n"A"\r\n"1"\r\n'


@pytest.mark.parametrize("text", ["Format-Wide", "Measure-Object -Line"])
def test_not_emulated_options_fail_clearly(text: str) -> None:
    rs, host, _ = session()
    rs.invoke("'x' | " + text)
    assert rs.errors[0].message.endswith("is not supported by hvemu.")
    assert type_names(rs.errors[0])[0] == "System.Management.Automation.ErrorRecord"


def test_run_as_job_api_for_asjob_cmdlets() -> None:
    from typing import Iterator as _It

    from hyperv_emu.psshim.cmdlets import default_registry
    from hyperv_emu.psshim.cmdlets.jobs import run_as_job
    from hyperv_emu.psshim.runtime.registry import Cmdlet, Param, cmdlet

    @cmdlet("Invoke-Work", module="Test", class_name="Test.InvokeWork")
    class InvokeWork(Cmdlet):
        AsJob = Param("switch")

        def work(self) -> _It[Any]:
            yield "done"
            self.ctx.write_warning("careful")

        def process_record(self) -> _It[Any]:
            if self.AsJob:
                yield run_as_job(self.ctx, None, "Invoke-Work", self.work)
            else:
                yield from self.work()

    reg = default_registry(include_optional=False)
    reg.register(InvokeWork)
    host = CapturingHost()
    rs = Runspace(SimpleServices(), RunSettings(), host, registry=reg)
    out = rs.invoke("$j = Invoke-Work -AsJob; $j.State; $j | Receive-Job")
    assert out == ["Completed", "done"]
    assert host.stdout == "WARNING: careful\n"
