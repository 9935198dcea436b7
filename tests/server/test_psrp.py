"""pypsrp against `hvemu serve`: PSRP runspace pools and pipelines (psrpcore on the server)."""

from __future__ import annotations

from pypsrp.client import Client
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan

from tests.server.conftest import PASSWORD, USER, Server


def wsman(server: Server) -> WSMan:
    return WSMan("127.0.0.1", port=server.port, username=USER, password=PASSWORD, ssl=False, auth="ntlm")


def test_execute_ps_output_and_errors(server: Server) -> None:
    client = Client("127.0.0.1", port=server.port, username=USER, password=PASSWORD, ssl=False, auth="ntlm")
    output, streams, had_errors = client.execute_ps(
        "Checkpoint-VM -Name SRV-SQL01 -SnapshotName psrp-1 -ErrorAction SilentlyContinue; "
        "Get-VM | Select-Object -ExpandProperty Name; Get-VM -Name NoSuchVM")
    assert output.splitlines() == ["SRV-APP01", "SRV-APP02", "SRV-SQL01", "SRV-WEB01"]
    # a non-terminating error: on the error stream, the pipeline still completes
    assert [str(e) for e in streams.error] == ['Hyper-V was unable to find a virtual machine with name "NoSuchVM".']
    assert had_errors is False


def test_terminating_error_fails_the_pipeline(server: Server) -> None:
    with RunspacePool(wsman(server)) as pool:
        ps = PowerShell(pool)
        ps.add_script("throw 'stop here'")
        ps.invoke()
        assert ps.had_errors is True
        assert [str(e) for e in ps.streams.error] == ["stop here"]


def test_objects_keep_type_names_and_properties(server: Server) -> None:
    with RunspacePool(wsman(server)) as pool:
        ps = PowerShell(pool)
        ps.add_script("Get-VM -Name SRV-APP01")
        (vm,) = ps.invoke()
        assert vm.types[0] == "Microsoft.HyperV.PowerShell.VirtualMachine"
        assert vm.extended_properties["Name"] == "SRV-APP01"
        assert vm.extended_properties["State"] == "Running"


def test_runspace_keeps_session_state_and_commands_take_parameters(server: Server) -> None:
    with RunspacePool(wsman(server)) as pool:
        ps = PowerShell(pool)
        ps.add_script("$snap = 'psrp-state'; function Get-Twice($n) { $n * 2 }")
        ps.invoke()
        ps = PowerShell(pool)
        ps.add_script("Get-Twice 21")
        assert ps.invoke() == [42]
        ps = PowerShell(pool)
        ps.add_script("Checkpoint-VM -Name SRV-APP02 -SnapshotName $snap")
        ps.invoke()
        assert not ps.had_errors
        ps = PowerShell(pool)
        ps.add_cmdlet("Get-VMSnapshot").add_parameter("VMName", "SRV-APP02")
        ps.add_cmdlet("Select-Object").add_parameter("ExpandProperty", "Name")
        assert "psrp-state" in ps.invoke()
    hv = server.client()
    assert "psrp-state" in [c.name for c in hv.get_checkpoints([hv.vm("SRV-APP02")])]
    with RunspacePool(wsman(server)) as pool:
        ps = PowerShell(pool)
        ps.add_cmdlet("Restore-VMSnapshot").add_parameter("VMName", "SRV-APP02").add_parameter("Name", "psrp-state")
        ps.add_parameter("Confirm", False)
        ps.invoke()
        assert not ps.had_errors, [str(e) for e in ps.streams.error]
        ps = PowerShell(pool)
        ps.add_cmdlet("Remove-VMSnapshot").add_parameter("VMName", "SRV-APP02").add_parameter("Name", "psrp-state")
        ps.invoke()
        assert not ps.had_errors
    assert "psrp-state" not in [c.name for c in hv.get_checkpoints([hv.vm("SRV-APP02")])]


def test_parameter_values_of_every_kind(server: Server) -> None:
    with RunspacePool(wsman(server)) as pool:
        ps = PowerShell(pool)
        ps.add_script("param($Text, $Number, $Flag, $List, $Table) "
                      "'{0}|{1}|{2}|{3}|{4}' -f $Text, ($Number + 1), $Flag, ($List -join ','), $Table['k']")
        ps.add_parameters({"Text": "it's", "Number": 41, "Flag": True, "List": ["a", "b"], "Table": {"k": "v"}})
        assert ps.invoke() == ["it's|42|True|a,b|v"]
        ps = PowerShell(pool)
        ps.add_script("$inner = 'local'", use_local_scope=True)
        ps.invoke()
        ps = PowerShell(pool)
        ps.add_script("[string]::IsNullOrEmpty($inner)")
        assert ps.invoke() == [True]  # a script in its own scope leaves the session's variables alone
