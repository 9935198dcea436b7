"""The PowerShell runtime of psshim: values, the interpreter, the binder and the cmdlet registry.

Running PowerShell
------------------
    from hyperv_emu.psshim.runtime.runner import Runspace, RunSettings
    from hyperv_emu.psshim.runtime.host import Host

    rs = Runspace(services, RunSettings(edition="5.1", culture="en-US", width=120),
                  Host(write_out=sys.stdout.write, write_err=sys.stderr.write))
    code = rs.run_script(text, path="C:\\scripts\\job.ps1", args=["SRV-APP01"])   # exit code
    code = rs.run_command("Get-VM | Select-Object Name, State")                    # a command line
    objs = rs.invoke("Get-Date")                                                   # output objects

`services` (see `services.py`) is what cmdlets reach through `self.ctx.services`:
`clock` (now(), sleep(seconds), is_virtual), `environment` (the script's `$env:`), `files` (a
`FileView` of the emulated host's Windows paths: read_text, exists, list, optionally is_dir and
write_text), `hyperv` (the SDK client, opaque here) and optionally `new_guid()`.
`services.SimpleServices`, `VirtualClock` and `MemoryFileView` are test doubles.

RunSettings: edition, culture, width, max_steps / timeout_seconds (the budget), poll_limit
(iterations a loop may poll a virtual clock that never moves), location.

Declaring cmdlets (the Hyper-V and file cmdlets are declared this way)
---------------------------------------------------------------------
    from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, cmdlet, ValidateNotNullOrEmpty

    @cmdlet("Get-Thing", aliases=("gth",), module="My.Module", class_name="My.Commands.GetThing",
            default_set="Name", supports_should_process=False, polls=True)
    class GetThing(Cmdlet):
        Name = Param("string[]", InSet("Name", position=0, pipeline=True), aliases=("ThingName",),
                     validate=(ValidateNotNullOrEmpty(),))
        Id = Param("guid", InSet("Id", position=0, mandatory=True, pipeline_by_property=True))
        Force = Param("switch")

        def process_record(self):          # also begin_processing / end_processing
            for name in self.Name or []:    # bound values as attributes (self.ctx.bound: the dict)
                yield self.ctx.services.hyperv.get_thing(name)   # yield = write to the pipeline

`self.ctx` is a `context.CommandContext`: write_output, write_error(record) /
error_record(message, error_id, category, ...) (FullyQualifiedErrorId `<id>,<class_name>`,
prefix = the name as typed), throw_terminating, write_warning / write_verbose / write_host,
should_process(target, text=...) for -WhatIf/-Confirm, invoke(scriptblock, dollar_under=...),
services, now(), sleep(). The common parameters are added and honoured by the runtime.

Registering a module of cmdlets: list it in `psshim.cmdlets.CMDLET_MODULES` (or
`OPTIONAL_CMDLET_MODULES` when it needs the SDK): `default_registry()` registers every
`@cmdlet` class of the module with `Registry.register_module(module)` and then calls the
module's optional `setup(registry)`, where it can `registry.register_type(ps_name, cls)`,
`registry.register_enum(enum_cls)`, `registry.add_alias(alias, target)`, append to
`registry.adapter_setup` (called with each Runspace's AdapterRegistry) or set
`registry.exception_mapper` (an exception escaping a cmdlet -> its ErrorRecord).
A rarely used module whose `setup` only adds aliases and types may also be listed in
`psshim.cmdlets.LAZY_MODULES` (imported on first use; then run `python scripts/gen_cmdlet_index.py`).

Modules
-------
values.py, records.py   the value model and the error/stream records (shared with psshim.format)
types.py                type names, accelerators, `-is`, `GetType()`
conversions.py          .NET conversions, truthiness, string conversion, pipeline unrolling
operators.py            arithmetic, comparison, -like/-match/-replace/-split/-join/-f, ranges
members.py              properties, methods, statics, indexing ([math], [datetime], strings, ...)
dotnet_regex.py         .NET regex -> Python re, replacement strings, wildcards
dotnet_datetime.py      DateTime/TimeSpan parsing and invariant texts
textformat.py           adapter to psshim.format.dotnet_format (culture-sensitive text)
scopes.py, frames.py    scopes, variables, functions, script blocks, modules; execution frames
interpreter.py          statements, expressions, errors, streams, budget
pipeline.py             pipelines, command resolution and invocation, scripts and modules
binder.py, registry.py  parameter binding; cmdlet declarations
context.py              what a cmdlet sees (CommandContext)
runner.py, host.py      Runspace and RunSettings; the Host text goes to
services.py             the Services protocol and its test doubles
errors.py               PSError (terminating errors), flow-control signals, record builders
"""
