"""Jobs: `-AsJob` and Start-Job run their command synchronously; the job object holds the
results (state Completed, or Failed after a terminating error) until Receive-Job.

Cmdlets that support -AsJob call `run_as_job(ctx, name, command_text, work)`: `work()` returns
the output objects; errors and warnings written while it runs are kept in the job and replayed
by Receive-Job, as PowerShell does.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.dotnet_regex import wildcard_match
from hyperv_emu.psshim.runtime.errors import PSError
from hyperv_emu.psshim.runtime.frames import Routing
from hyperv_emu.psshim.runtime.nativeobjects import PSNative
from hyperv_emu.psshim.runtime.records import ErrorRecord, InformationRecord, VerboseRecord, WarningRecord
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet

CORE = "Microsoft.PowerShell.Core"
NS = "Microsoft.PowerShell.Commands."


class Job(PSNative):
    def __init__(self, job_id: int, name: str, command: str, type_name: str = "BackgroundJob",
                 ps_type: str = "System.Management.Automation.PSRemotingJob", location: str = "localhost") -> None:
        self.id = job_id
        self.name = name
        self.command = command
        self.job_type = type_name
        self.ps_type = ps_type
        self.location = location
        self.state = "Running"
        self.results: list[Any] = []
        self.errors: list[ErrorRecord] = []
        self.warnings: list[WarningRecord] = []
        self.information: list[Any] = []
        self.reason: ErrorRecord | None = None

    @property
    def __ps_type_names__(self) -> list[str]:  # type: ignore[override]
        return [self.ps_type, "System.Management.Automation.Job", "System.Object"]

    @property
    def has_more_data(self) -> bool:
        return bool(self.results or self.errors or self.warnings)

    def __ps_properties__(self) -> list[tuple[str, Any]]:
        return [("Id", self.id), ("Name", self.name), ("PSJobTypeName", self.job_type), ("State", self.state),
                ("HasMoreData", self.has_more_data), ("Location", self.location), ("Command", self.command),
                ("JobStateInfo", self.state), ("Output", list(self.results)), ("Error", list(self.errors)),
                ("Warning", list(self.warnings)), ("ChildJobs", [])]

    def __ps_string__(self) -> str:
        return "System.Management.Automation.PSRemotingJob"


class JobTable:
    def __init__(self) -> None:
        self.jobs: list[Job] = []
        self.next_id = 1

    def new(self, name: str | None, command: str, **kw: Any) -> Job:
        job_id = self.next_id
        self.next_id += 2  # PowerShell numbers parent jobs 1, 3, 5 (child jobs take the even ids)
        job = Job(job_id, name or f"Job{job_id}", command, **kw)
        self.jobs.append(job)
        return job


def run_as_job(ctx: Any, name: str | None, command: str, work: Callable[[], Iterable[Any]],
               job_type: str = "BackgroundJob") -> Job:
    """Run `work` now, keeping its output, errors and warnings in a new job."""
    table: JobTable = ctx.interp.jobs
    job = table.new(name, command, type_name=job_type)
    sink: list[Any] = []
    routing = Routing("output", "output", "output", "output", "output", sink)
    saved_frame = ctx.frame
    saved_common = dict(ctx.common)
    ctx.frame = saved_frame.child(routing=routing)
    ctx.common.pop("ErrorAction", None)
    try:
        for obj in work():
            job.results.append(obj)
        job.state = "Completed"
    except PSError as exc:
        job.state = "Failed"
        job.reason = exc.record
        job.errors.append(exc.record)
    finally:
        ctx.frame = saved_frame
        ctx.common.clear()
        ctx.common.update(saved_common)
    job.results.extend(ctx.drain())
    for item in sink:
        if isinstance(item, ErrorRecord):
            job.errors.append(item)
        elif isinstance(item, WarningRecord):
            job.warnings.append(item)
        elif isinstance(item, (InformationRecord, VerboseRecord)):
            job.information.append(item)
        else:
            job.results.append(item)
    return job


class _JobCmdlet(Cmdlet):
    def selected(self) -> list[Job]:
        table: JobTable = self.ctx.interp.jobs
        b = self.ctx.bound
        if "Job" in b:
            return [j for j in C.as_list(b["Job"]) if isinstance(j, Job)]
        jobs = list(table.jobs)
        if "Id" in b:
            ids = [int(i) for i in C.as_list(b["Id"])]
            found = [j for j in jobs if j.id in ids]
            for i in ids:
                if not any(j.id == i for j in jobs):
                    self.ctx.write_error(self.ctx.error_record(
                        f"The command cannot find a job with the job ID {i}. Verify the value of the Id parameter "
                        f"and then try the command again.", "JobWithSpecifiedSessionNotFound", "ObjectNotFound",
                        target_object=i, exception_type="System.ArgumentException"))
            return found
        if "Name" in b:
            pats = [str(n) for n in C.as_list(b["Name"])]
            return [j for j in jobs if any(wildcard_match(j.name, p) for p in pats)]
        if "State" in b:
            return [j for j in jobs if j.state.casefold() == str(b["State"]).casefold()]
        return jobs


def _job_params() -> dict[str, Param]:
    return {
        "Id": Param("int[]", InSet("SessionIdParameterSet", position=0, mandatory=True, pipeline_by_property=True)),
        "Name": Param("string[]", InSet("NameParameterSet", position=0, mandatory=True, pipeline_by_property=True)),
        "Job": Param("object[]", InSet("Job", position=0, mandatory=True, pipeline=True)),
        "State": Param("string", InSet("StateParameterSet", mandatory=True, pipeline_by_property=True)),
    }


@cmdlet("Get-Job", aliases=("gjb",), module=CORE, class_name=NS + "GetJobCommand", default_set="SessionIdParameterSet")
class GetJob(_JobCmdlet):
    """Jobs of this session."""

    Id = Param("int[]", InSet("SessionIdParameterSet", position=0, pipeline_by_property=True))
    Name = Param("string[]", InSet("NameParameterSet", position=0, mandatory=True, pipeline_by_property=True))
    State = Param("string", InSet("StateParameterSet", mandatory=True, pipeline_by_property=True))

    def process_record(self) -> Iterator[Any]:
        yield from self.selected()


@cmdlet("Wait-Job", aliases=("wjb",), module=CORE, class_name=NS + "WaitJobCommand", default_set="SessionIdParameterSet")
class WaitJob(_JobCmdlet):
    """Jobs are already finished: returns them."""

    Id = _job_params()["Id"]
    Name = _job_params()["Name"]
    Job = _job_params()["Job"]
    State = _job_params()["State"]
    AnyJob = Param("switch", name="Any")
    Timeout = Param("int", aliases=("TimeoutSec",))
    Force = Param("switch")

    def process_record(self) -> Iterator[Any]:
        yield from self.selected()


@cmdlet("Receive-Job", aliases=("rcjb",), module=CORE, class_name=NS + "ReceiveJobCommand", default_set="Location")
class ReceiveJob(_JobCmdlet):
    """A job's output (and its errors and warnings, replayed)."""

    Job = Param("object[]", InSet("Location", position=0, mandatory=True, pipeline=True))
    Id = Param("int[]", InSet("SessionIdParameterSet", position=0, mandatory=True, pipeline_by_property=True))
    Name = Param("string[]", InSet("NameParameterSet", position=0, mandatory=True, pipeline_by_property=True))
    Keep = Param("switch")
    Wait = Param("switch")
    AutoRemoveJob = Param("switch")
    WriteEvents = Param("switch")
    WriteJobInResults = Param("switch")

    def process_record(self) -> Iterator[Any]:
        table: JobTable = self.ctx.interp.jobs
        for job in self.selected():
            for w in job.warnings:
                self.ctx.write_warning(w.message)
            for e in job.errors:
                self.ctx.interp.write_error(e, self.ctx.frame, self.ctx.common)
            yield from job.results
            if not self.Keep:
                job.results = []
                job.errors = []
                job.warnings = []
            if self.AutoRemoveJob and job in table.jobs:
                table.jobs.remove(job)


@cmdlet("Remove-Job", aliases=("rjb",), module=CORE, class_name=NS + "RemoveJobCommand",
        default_set="SessionIdParameterSet", supports_should_process=True)
class RemoveJob(_JobCmdlet):
    """Forgets jobs."""

    Id = _job_params()["Id"]
    Name = _job_params()["Name"]
    Job = _job_params()["Job"]
    State = _job_params()["State"]
    Force = Param("switch")

    def process_record(self) -> None:
        table: JobTable = self.ctx.interp.jobs
        for job in self.selected():
            if self.ctx.should_process(job.name, "Remove-Job") and job in table.jobs:
                table.jobs.remove(job)


@cmdlet("Stop-Job", aliases=("spjb",), module=CORE, class_name=NS + "StopJobCommand",
        default_set="SessionIdParameterSet", supports_should_process=True)
class StopJob(_JobCmdlet):
    """Jobs are already finished: nothing to stop."""

    Id = _job_params()["Id"]
    Name = _job_params()["Name"]
    Job = _job_params()["Job"]
    State = _job_params()["State"]
    PassThru = Param("switch")

    def process_record(self) -> Iterator[Any]:
        if self.PassThru:
            yield from self.selected()


@cmdlet("Start-Job", aliases=("sajb",), module=CORE, class_name=NS + "StartJobCommand",
        default_set="ComputerName")
class StartJob(Cmdlet):
    """Runs the script block now, in a new scope, and returns a completed job holding its output."""

    ScriptBlock = Param("scriptblock", InSet("ComputerName", position=0, mandatory=True), aliases=("Command",))
    Name = Param("string")
    ArgumentList = Param("object[]", aliases=("Args",))
    InputObject = Param("psobject", pipeline=True)
    FilePath = Param("string", InSet("FilePathComputerName", position=0, mandatory=True))

    def process_record(self) -> Iterator[Any]:
        if self.ctx.parameter_set != "ComputerName":
            from hyperv_emu.psshim.runtime.errors import not_supported

            raise not_supported("Start-Job -FilePath")
        sb = self.ScriptBlock
        args = list(self.ArgumentList or [])
        interp = self.ctx.interp
        saved_using = interp.using_values
        interp.using_values = interp.using_values_of(sb.ast, self.ctx.frame)
        try:
            job = run_as_job(self.ctx, self.Name, C.to_string(sb),
                             lambda: interp.stream_scriptblock(sb, self.ctx.frame, args=args, new_scope=True))
        finally:
            interp.using_values = saved_using
        yield job
