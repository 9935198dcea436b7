"""The SDK's VM settings and the actions around them, on every backend (conftest.py).

Rules (hyperv-reference.md §1.3, §2; Microsoft docs for Set-VM, Set-VMMemory, Save-VM,
Remove-VMSavedState, Restart-VM, Get-VMIntegrationService; hyperv-object-model.md §1, §5, §6):
ProcessorCount and startup memory change only while Off; Remove-VMSavedState makes a Saved VM Off;
Restart-VM is a hard reset of a running VM; a Gen2 VM has the six integration services, VSS
feeding production checkpoints; Set-VMHost's VirtualMachinePath is New-VM's default folder.
"""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.sdk import InvalidStateError, VMState
from hyperv_emu.sdk.errors import AlreadyExistsError, InvalidArgumentError, OperationTimeoutError
from hyperv_emu.sdk.vmparts import (
    CriticalErrorAction,
    StartAction,
    StopAction,
    VMHeartbeatStatus,
    VMIntegrationComponentOperationalStatus,
    VMSettings,
)

BAD_STATE = "The operation cannot be performed while the virtual machine is in its current state."
SERVICES = ["Guest Service Interface", "Heartbeat", "Key-Value Pair Exchange", "Shutdown", "Time Synchronization",
            "VSS"]


class TestSetVM:
    def test_a_new_vm_has_a_fresh_hosts_settings(self, client, fleet):
        vm = fleet.vm("nv", disk=False)
        assert (vm.automatic_start_action, vm.automatic_stop_action, vm.automatic_critical_error_action) == (
            StartAction.StartIfRunning, StopAction.Save, CriticalErrorAction.Pause)
        assert (vm.automatic_start_delay, vm.automatic_critical_error_action_timeout) == (0, 30)
        assert (vm.dynamic_memory_enabled, vm.memory_minimum, vm.memory_maximum) == (False, 512 * T.MB, 1024**4)
        assert vm.heartbeat is None and vm.smart_paging_file_path == vm.path

    def test_automatic_actions_notes_and_paths(self, client, fleet):
        vm = fleet.vm("aa", disk=False)
        vm = client.configure_vm(vm, VMSettings(
            automatic_start_action="Start", automatic_start_delay=120, automatic_stop_action="ShutDown",
            automatic_critical_error_action="None", automatic_critical_error_action_timeout=10, notes="n",
            smart_paging_file_path="E:\\Paging"))
        assert (vm.automatic_start_action, vm.automatic_start_delay, vm.automatic_stop_action) == (
            StartAction.Start, 120, StopAction.ShutDown)
        assert vm.automatic_critical_error_action is CriticalErrorAction(0)
        assert (vm.automatic_critical_error_action_timeout, vm.notes, vm.smart_paging_file_path) == (
            10, "n", "E:\\Paging")
        # enum members and numbers are accepted as well as names
        vm = client.configure_vm(vm, VMSettings(automatic_start_action=StartAction.Nothing))  # type: ignore[arg-type]
        assert vm.automatic_start_action is StartAction.Nothing
        with pytest.raises(InvalidArgumentError):
            client.configure_vm(vm, VMSettings(automatic_stop_action="Hibernate"))

    def test_processor_count_and_startup_memory_only_while_off(self, client, fleet, emulated):
        vm = fleet.vm("pc", state="Running", disk=False)
        for settings in (VMSettings(processor_count=4), VMSettings(memory_startup=4 * T.GB),
                         VMSettings(dynamic_memory_enabled=True)):
            with pytest.raises(InvalidStateError) as ei:
                client.configure_vm(vm, settings)
            assert ei.value.message == BAD_STATE
        # settings that may change while running still do
        assert client.configure_vm(vm, VMSettings(notes="live")).notes == "live"
        vm = client.stop_vm(vm, turn_off=True)
        vm = client.configure_vm(vm, VMSettings(processor_count=4, memory_startup=4 * T.GB))
        assert (vm.processor_count, vm.memory_startup) == (4, 4 * T.GB)
        assert client.get_vm_processor(vm).count == 4 and client.get_vm_memory(vm).startup == 4 * T.GB

    def test_dynamic_memory(self, client, fleet, emulated):
        vm = fleet.vm("dm", disk=False)
        vm = client.configure_vm(vm, VMSettings(dynamic_memory_enabled=True, memory_minimum=512 * T.MB,
                                                memory_startup=2 * T.GB, memory_maximum=8 * T.GB))
        mem = client.get_vm_memory(vm)
        assert (mem.dynamic_memory_enabled, mem.minimum, mem.startup, mem.maximum) == (
            True, 512 * T.MB, 2 * T.GB, 8 * T.GB)
        with pytest.raises(InvalidArgumentError):  # minimum above startup
            client.configure_vm(vm, VMSettings(memory_minimum=4 * T.GB))
        with pytest.raises(InvalidArgumentError):  # not a multiple of 2 MB
            client.configure_vm(vm, VMSettings(memory_maximum=8 * T.GB + 1))
        vm = client.start_vm(vm)
        # running with dynamic memory: the maximum may grow, the minimum shrink, not the reverse
        vm = client.configure_vm(vm, VMSettings(memory_maximum=16 * T.GB, memory_minimum=256 * T.MB))
        assert (vm.memory_maximum, vm.memory_minimum) == (16 * T.GB, 256 * T.MB)
        with pytest.raises(InvalidStateError):
            client.configure_vm(vm, VMSettings(memory_maximum=4 * T.GB))
        assert client.vm(vm.name).memory_maximum == 16 * T.GB  # a refused change changes nothing

    def test_rename(self, client, fleet, emulated):
        vm = fleet.vm("rn", disk=False)
        other = fleet.vm("rn2", disk=False)
        renamed = client.rename_vm(vm, vm.name + "-new")
        assert (renamed.id, renamed.name) == (vm.id, vm.name + "-new")
        assert client.vm(vm.name + "-new").id == vm.id
        with pytest.raises(AlreadyExistsError):
            client.rename_vm(renamed, other.name)


class TestSaveRestartSavedState:
    def test_save_then_remove_saved_state(self, client, fleet, emulated):
        vm = fleet.vm("sv", state="Running", disk=False)
        assert client.save_vm(vm).state is VMState.Saved
        client.remove_saved_state(vm)
        assert client.vm(vm.name).state is VMState.Off
        with pytest.raises(InvalidStateError):  # nothing saved any more
            client.remove_saved_state(vm)

    def test_remove_saved_state_of_a_checkpoint(self, client, fleet, emulated):
        vm = fleet.vm("sc", state="Running", checkpoint_type="Standard", disk=False)
        cp = client.checkpoint_vm(vm, "with memory")
        assert cp.state is VMState.Saved
        client.remove_saved_state(cp)
        assert client.get_checkpoint(cp.id).state is VMState.Off

    def test_restart_is_a_hard_reset_of_a_running_vm(self, client, fleet, emulated):
        vm = fleet.vm("rs", state="Running", disk=False)
        client.sleep(600)
        assert client.vm(vm.name).uptime.total_seconds() == 600
        vm = client.restart_vm(vm)
        assert vm.state is VMState.Running and vm.uptime.total_seconds() == 0
        off = fleet.vm("rs-off", disk=False)
        with pytest.raises(InvalidStateError):
            client.restart_vm(off)


class TestIntegrationServices:
    def test_a_gen2_vm_has_six_services(self, client, fleet):
        vm = fleet.vm("is", disk=False)
        services = client.get_integration_services(vm)
        assert [s.name for s in services] == SERVICES
        assert [s.enabled for s in services] == [False, True, True, True, True, True]
        assert all(s.primary_operational_status is None for s in services)  # the VM is Off
        assert [s.name for s in client.get_integration_services(vm, "*Sync*")] == ["Time Synchronization"]

    def test_running_status_and_heartbeat(self, client, fleet, emulated):
        vm = fleet.vm("hb", state="Running", disk=False)
        assert client.vm(vm.name).heartbeat is VMHeartbeatStatus.OkApplicationsUnknown
        hb = client.get_integration_services(vm, "Heartbeat")[0]
        assert (hb.primary_operational_status, hb.primary_status_description) == (
            VMIntegrationComponentOperationalStatus.Ok, "OK")
        vm = client.set_integration_service(vm, "heartbeat", False)
        assert vm.heartbeat is VMHeartbeatStatus.Disabled
        with pytest.raises(InvalidArgumentError):
            client.set_integration_service(vm, "No Such Service", True)

    def test_vss_service_off_makes_production_fall_back(self, client, fleet, emulated):
        vm = fleet.vm("vs", state="Running", checkpoint_type="Production")
        assert client.checkpoint_vm(vm, "a").state is VMState.Off  # VSS in the guest: production
        client.set_integration_service(vm, "VSS", False)
        assert client.checkpoint_vm(vm, "b").state is VMState.Saved  # fell back to standard
        assert len(client.events()) == 1
        client.set_integration_service(vm, "VSS", True)
        assert client.checkpoint_vm(vm, "c").state is VMState.Off


class TestWaitVM:
    def test_heartbeat_of_a_running_vm_is_there_at_once(self, client, fleet, emulated):
        vm = fleet.vm("wt", state="Running", disk=False)
        before = client.now()
        client.wait_vm(vm, "Heartbeat", timeout=30)
        client.wait_vm(vm, "IPAddress", timeout=30)
        assert client.now() == before

    def test_timeout_moves_the_virtual_clock(self, client, fleet, emulated):
        vm = fleet.vm("wo", disk=False)
        before = client.now()
        with pytest.raises(OperationTimeoutError):
            client.wait_vm(vm, "Heartbeat", timeout=60)
        if client.clock_is_virtual:
            assert (client.now() - before).total_seconds() == 60

    def test_unknown_condition(self, client, fleet):
        vm = fleet.vm("wu", disk=False)
        with pytest.raises(InvalidArgumentError):
            client.wait_vm(vm, "Coffee")


class TestVMHost:
    def test_paths_and_new_vm_default(self, client, fleet, emulated):
        host = client.get_vm_host()
        assert host.virtual_machine_path == "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"
        host = client.set_vm_host(virtual_machine_path="E:\\VMs", virtual_hard_disk_path="E:\\Disks")
        assert (host.virtual_machine_path, host.virtual_hard_disk_path) == ("E:\\VMs", "E:\\Disks")
        assert fleet.vm("hp", disk=False).path == "E:\\VMs"


class TestCheckpointCapturesSettings:
    def test_restore_brings_back_processor_and_memory_settings(self, client, fleet, emulated):
        vm = fleet.vm("cs", disk=False)
        vm = client.configure_vm(vm, VMSettings(processor_count=2, dynamic_memory_enabled=True,
                                                memory_maximum=4 * T.GB))
        cp = client.checkpoint_vm(vm, "two cpus")
        assert (cp.processor_count, cp.dynamic_memory_enabled, cp.memory_maximum) == (2, True, 4 * T.GB)
        assert [s.name for s in cp.vm_integration_service] == SERVICES
        assert cp.vm_integration_service[0].vm_snapshot_name == "two cpus"
        vm = client.configure_vm(vm, VMSettings(processor_count=8, dynamic_memory_enabled=False))
        client.restore_checkpoint(cp)
        vm = client.vm(vm.name)
        assert (vm.processor_count, vm.dynamic_memory_enabled, vm.memory_maximum) == (2, True, 4 * T.GB)

    def test_shutdown_service_off_means_no_guest_shutdown(self, client, fleet, emulated):
        # hyperv-reference.md §1.3: Stop-VM shuts down through the guest's Shutdown service; without
        # it the cmdlet would ask to turn off instead (refused non-interactively), -Force turns off
        vm = fleet.vm("sd", state="Running", disk=False)
        client.set_integration_service(vm, "Shutdown", False)
        with pytest.raises(InvalidStateError):
            client.stop_vm(vm)
        assert client.stop_vm(vm, force=True).state is VMState.Off
