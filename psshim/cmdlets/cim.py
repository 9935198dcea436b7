"""Get-CimInstance, Invoke-CimMethod (CimCmdlets) and Get-WmiObject (Microsoft.PowerShell.
Management) over the emulated WMI classes of `psshim.cim.classes`.

The classes read the SDK and their methods call the same SDK operations the Hyper-V cmdlets
call; these cmdlets only bind, parse WQL (`-Filter`, `-Query`) and shape the objects. WMI's own
errors are reproduced: an unknown class gives "Invalid class" (Get-CimInstance: `Invalid class `,
`HRESULT 0x80041010`, MetadataError; Get-WmiObject: `Invalid class "X"`, InvalidType,
`GetWMIManagementException`), a query WMI cannot read gives "Invalid query" (`HRESULT
0x80041017` / `Invalid query "..."`), both non-terminating as on Windows. A namespace, class or
method that exists on Windows but is not emulated fails with NotSupportedByHvemu.

`[wmi]` converts a ManagementObject, or a path one of them returned (`$result.Job`, `$o.__PATH`),
to the instance as it is now. The jobs the methods return are kept for the run.

Not emulated: -CimSession, -Credential, -AsJob, -List, -KeyOnly/-Shallow/-ResourceUri, WQL
ASSOCIATORS OF / REFERENCES OF, `[wmi]` of a path typed by hand, and `[wmiclass]`.
"""

from __future__ import annotations

from typing import Any, Iterator

from hyperv_emu.psshim.cim import wql
from hyperv_emu.psshim.cim.classes import V2, CimClassError, CimProvider
from hyperv_emu.psshim.cim.objects import CimObject, Instance, WmiPath
from hyperv_emu.psshim.runtime import conversions as C
from hyperv_emu.psshim.runtime.errors import not_supported, runtime_error
from hyperv_emu.psshim.runtime.nativeobjects import NOT_FOUND
from hyperv_emu.psshim.runtime.records import ErrorRecord
from hyperv_emu.psshim.runtime.registry import Cmdlet, InSet, Param, Registry, cmdlet
from hyperv_emu.psshim.runtime.values import Hashtable, PSObject
from hyperv_emu.sdk.errors import HostNotFoundError

CIM_MODULE = "CimCmdlets"
CIM_NS = "Microsoft.Management.Infrastructure.CimCmdlets."
MGMT = "Microsoft.PowerShell.Management"
CIM_EXCEPTION = "Microsoft.Management.Infrastructure.CimException"
WMI_EXCEPTION = "System.Management.ManagementException"


def setup(registry: Registry) -> None:
    """`[wmi]` / `[System.Management.ManagementObject]` resolve to the emulated objects."""
    registry.register_type("System.Management.ManagementObject", CimObject)


def run_jobs(ctx: Any) -> list[Instance]:
    """The Msvm_ConcreteJob instances of this run (kept on the interpreter, like its jobs)."""
    interp = ctx.interp
    jobs: list[Instance] | None = getattr(interp, "wmi_jobs", None)
    if jobs is None:
        jobs = []
        interp.wmi_jobs = jobs
    return jobs


class _WmiCmdlet(Cmdlet):
    """Shared plumbing: the provider of the target computer, errors, objects."""

    flavor = "cim"

    def provider(self, computer: str | None = None) -> CimProvider:
        client = self.ctx.hyperv
        if client is None:
            raise not_supported("WMI inside an emulated guest")
        if computer is not None and computer not in (".", "localhost"):
            client = client.host(computer)
        return CimProvider(client, self.ctx.interp.new_guid, run_jobs(self.ctx))

    def computers(self) -> list[str | None]:
        names = [C.to_string(c) for c in C.as_list(self.ctx.bound.get("ComputerName")) if c is not None]
        return list(names) if names else [None]

    def refuse_unsupported(self, *names: str) -> None:
        for name in names:
            if self.is_bound(name):
                raise not_supported(f"{self.__cmdlet_info__.name} -{name}")

    def wrap(self, provider: CimProvider, inst: Instance, selected: tuple[str, ...] | None = None,
             flavor: str | None = None) -> CimObject:
        flavor = flavor or self.flavor

        def fetch(old: Instance) -> CimObject | None:
            fresh = provider.find(old)
            return None if fresh is None else self.wrap(provider, fresh, flavor=flavor)

        def lookup(path: str) -> CimObject | None:
            class_name = path.partition(":")[2].partition(".")[0]
            found = provider.resolve(path, class_name)
            return None if found is None else self.wrap(provider, found, flavor="wmi")

        return CimObject(inst, flavor, lambda i, m, a, f: _invoke_positional(self, provider, i, m, a), selected,
                         fetch, lookup)

    def class_error(self, exc: CimClassError, namespace: str) -> ErrorRecord:
        if exc.kind == "not_emulated":
            raise not_supported(f"The WMI class or namespace '{exc.name}'") from None
        if exc.kind == "method":
            raise not_supported(f"The WMI method '{exc.name}'") from None
        if self.flavor == "cim":
            return self.ctx.error_record("Invalid class ", "HRESULT 0x80041010", "MetadataError",
                                         target_object=f"{namespace}:{exc.name}", exception_type=CIM_EXCEPTION)
        return self.ctx.error_record(f'Invalid class "{exc.name}"', "GetWMIManagementException", "InvalidType",
                                     exception_type=WMI_EXCEPTION)

    def unreachable(self, computer: str, target: str) -> ErrorRecord:
        """A -ComputerName that names no emulated host: WinRM's error (CIM) or DCOM's (WMI)."""
        if self.flavor == "cim":
            return self.ctx.error_record(
                "WinRM cannot process the request. The following error occurred while using Kerberos authentication: "
                f"Cannot find the computer {computer}. Verify that the computer exists on the network and that the "
                "name provided is spelled correctly.", "HRESULT 0x80338126", "ConnectionError",
                target_object=target, exception_type=CIM_EXCEPTION)
        return self.ctx.error_record("The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)",
                                     "GetWMICOMException", "InvalidOperation",
                                     exception_type="System.Runtime.InteropServices.COMException")

    def query_error(self, text: str) -> ErrorRecord:
        if self.flavor == "cim":
            return self.ctx.error_record("Invalid query ", "HRESULT 0x80041017", "InvalidArgument",
                                         target_object=text, exception_type=CIM_EXCEPTION)
        return self.ctx.error_record(f'Invalid query "{text}"', "GetWMIManagementException", "InvalidArgument",
                                     exception_type=WMI_EXCEPTION)

    def select(self, namespace_name: str | None, query: wql.Query, query_text: str,
               properties: tuple[str, ...] | None) -> Iterator[Any]:
        """The instances of the query's class that satisfy it, on each computer."""
        for computer in self.computers():
            try:
                provider = self.provider(computer)
            except HostNotFoundError:
                self.ctx.write_error(self.unreachable(computer or "", f"{namespace_name}:{query.class_name}"))
                continue
            namespace = ""
            try:
                namespace = provider.namespace(namespace_name)
                names = provider.property_names(namespace, query.class_name)
                instances = provider.instances(namespace, query.class_name)
            except CimClassError as exc:
                self.ctx.write_error(self.class_error(exc, namespace or str(namespace_name)))
                continue
            try:
                wql.check(query, names)
                chosen = [i for i in instances if wql.matches(query.where, i.props)]
            except wql.WqlError:
                self.ctx.write_error(self.query_error(query_text))
                continue
            for inst in chosen:
                yield self.wrap(provider, inst, properties)


def _invoke_positional(cmd: _WmiCmdlet, provider: CimProvider, inst: Instance, method: str, args: list[Any]) -> Any:
    """`$obj.Method(a, b, c)` on a ManagementObject: the in-parameters in the method's order."""
    try:
        name, params = provider.method_params(inst, method)
    except CimClassError:
        return NOT_FOUND
    if len(args) > len(params):
        raise runtime_error(f'Cannot find an overload for "{name}" and the argument count: "{len(args)}".',
                            "MethodCountCouldNotFindBest", "NotSpecified")
    named = {p: _unwrap(a) for p, a in zip(params, args)}
    return _method_result(cmd, provider, inst, method, named, "wmi")


def _unwrap(value: Any) -> Any:
    if isinstance(value, CimObject):
        return value.instance
    return value


def _method_result(cmd: _WmiCmdlet, provider: CimProvider, inst: Instance, method: str, args: dict[str, Any],
                   flavor: str) -> Any:
    try:
        out = provider.invoke(inst, method, args)
    except CimClassError as exc:
        if exc.kind == "method":
            raise not_supported(f"The WMI method '{inst.class_name}.{exc.name}'") from None
        raise not_supported(exc.name) from None
    if flavor == "wmi":
        # a ManagementBaseObject `__PARAMETERS`: the out-parameters in name order, references as paths
        props = {k: (cmd.wrap(provider, v, flavor="wmi").path() if isinstance(v, Instance) else v)
                 for k, v in sorted(out.items())}
        params = Instance("__PARAMETERS", "", provider.server, props, ())
        return CimObject(params, "wmi")
    values = {k: (cmd.wrap(provider, v) if isinstance(v, Instance) else v) for k, v in out.items()}
    ordered = {k: values[k] for k in sorted(values) if k != "ReturnValue"}
    ordered["ReturnValue"] = values["ReturnValue"]
    ordered["PSComputerName"] = None
    return PSObject(ordered, ["Microsoft.Management.Infrastructure.CimMethodResult", "System.Object"])


@cmdlet("Get-CimInstance", aliases=("gcim",), module=CIM_MODULE, class_name=CIM_NS + "GetCimInstanceCommand",
        default_set="ClassNameComputerSet")
class GetCimInstance(_WmiCmdlet):
    """Instances of an emulated class, by class name (+ -Filter), WQL query, or an instance to refresh."""

    ClassName = Param("string", InSet("ClassNameComputerSet", position=0, mandatory=True),
                      InSet("ClassNameSessionSet", position=0, mandatory=True))
    Namespace = Param("string", InSet("ClassNameComputerSet", pipeline_by_property=True),
                      InSet("ClassNameSessionSet", pipeline_by_property=True),
                      InSet("QueryComputerSet", pipeline_by_property=True),
                      InSet("QuerySessionSet", pipeline_by_property=True))
    Filter = Param("string", InSet("ClassNameComputerSet"), InSet("ClassNameSessionSet"))
    Property = Param("string[]", InSet("ClassNameComputerSet"), InSet("ClassNameSessionSet"),
                     aliases=("SelectProperties",))
    Query = Param("string", InSet("QueryComputerSet", mandatory=True), InSet("QuerySessionSet", mandatory=True))
    QueryDialect = Param("string", InSet("QueryComputerSet"), InSet("QuerySessionSet"),
                         InSet("ClassNameComputerSet"), InSet("ClassNameSessionSet"))
    InputObject = Param("object", InSet("CimInstanceComputerSet", position=0, mandatory=True, pipeline=True),
                        InSet("CimInstanceSessionSet", position=0, mandatory=True, pipeline=True),
                        aliases=("CimInstance",))
    ComputerName = Param("string[]", InSet("ClassNameComputerSet", pipeline_by_property=True),
                         InSet("QueryComputerSet", pipeline_by_property=True),
                         InSet("CimInstanceComputerSet", pipeline_by_property=True),
                         aliases=("CN", "ServerName"))
    CimSession = Param("object[]", InSet("ClassNameSessionSet", mandatory=True),
                       InSet("QuerySessionSet", mandatory=True), InSet("CimInstanceSessionSet", mandatory=True))
    KeyOnly = Param("switch", InSet("ClassNameComputerSet"), InSet("ClassNameSessionSet"))
    Shallow = Param("switch", InSet("ClassNameComputerSet"), InSet("ClassNameSessionSet"),
                    InSet("QueryComputerSet"), InSet("QuerySessionSet"))
    OperationTimeoutSec = Param("uint32", aliases=("OT",))

    def begin_processing(self) -> None:
        self.refuse_unsupported("CimSession", "KeyOnly", "Shallow")
        if self.is_bound("QueryDialect") and C.to_string(self.QueryDialect).casefold() != "wql":
            raise not_supported(f"Get-CimInstance -QueryDialect {C.to_string(self.QueryDialect)}")

    def process_record(self) -> Iterator[Any]:
        if self.is_bound("InputObject"):
            yield from self._refresh(self.InputObject)
            return
        if self.is_bound("Query"):
            text = C.to_string(self.Query)
            try:
                query = wql.parse(text)
            except wql.WqlError:
                self.ctx.write_error(self.query_error(text))
                return
            yield from self.select(self.Namespace, query, text, query.properties)
            return
        cls = C.to_string(self.ClassName)
        props = tuple(C.to_string(p) for p in C.as_list(self.Property)) if self.is_bound("Property") else None
        text = f"SELECT * FROM {cls}" + (f" WHERE {C.to_string(self.Filter)}" if self.is_bound("Filter") else "")
        try:
            query = wql.parse_filter(cls, C.to_string(self.Filter)) if self.is_bound("Filter") \
                else wql.Query(cls, None)
        except wql.WqlError:
            self.ctx.write_error(self.query_error(text))
            return
        yield from self.select(self.Namespace, query, text, props)

    def _refresh(self, obj: Any) -> Iterator[Any]:
        """`Get-CimInstance -InputObject $i`: the instance as it is now (keys matched)."""
        if not isinstance(obj, CimObject):
            raise not_supported("Get-CimInstance -InputObject with an object that is not an emulated CimInstance")
        provider = self.provider()
        fresh = provider.find(obj.instance)
        if fresh is not None:
            yield self.wrap(provider, fresh)
            return
        self.ctx.write_error(self.ctx.error_record("Not found ", "HRESULT 0x80041002", "ObjectNotFound",
                                                   target_object=obj, exception_type=CIM_EXCEPTION))


@cmdlet("Get-WmiObject", aliases=("gwmi",), module=MGMT, class_name="Microsoft.PowerShell.Commands.GetWmiObjectCommand",
        default_set="query")
class GetWmiObject(_WmiCmdlet):
    """Instances of an emulated class as ManagementObjects, by class (+ -Filter) or WQL query."""

    flavor = "wmi"

    Class = Param("string", InSet("query", position=0, mandatory=True), InSet("list", position=1),
                  aliases=("ClassName",))
    Property = Param("string[]", InSet("query", position=1))
    Filter = Param("string", InSet("query"))
    Amended = Param("switch")
    DirectRead = Param("switch", InSet("query"), InSet("WQLQuery"))
    List = Param("switch", InSet("list"))
    Recurse = Param("switch", InSet("list"))
    Query = Param("string", InSet("WQLQuery", mandatory=True))
    Namespace = Param("string", aliases=("NS",))
    ComputerName = Param("string[]", aliases=("Cn",))
    Credential = Param("object")
    AsJob = Param("switch")
    ThrottleLimit = Param("int")
    Impersonation = Param("string")
    Authentication = Param("string")
    Locale = Param("string")
    EnableAllPrivileges = Param("switch")
    Authority = Param("string")

    def begin_processing(self) -> None:
        self.refuse_unsupported("List", "Credential", "AsJob", "Amended")

    def end_processing(self) -> Iterator[Any]:
        if self.is_bound("Query"):
            text = C.to_string(self.Query)
            try:
                query = wql.parse(text)
            except wql.WqlError:
                self.ctx.write_error(self.query_error(text))
                return
            yield from self.select(self.Namespace, query, text, query.properties)
            return
        cls = C.to_string(self.Class)
        props = tuple(C.to_string(p) for p in C.as_list(self.Property)) if self.is_bound("Property") else None
        if props is not None and "*" in props:
            props = None
        text = f"select {', '.join(props) if props else '*'} from {cls}"
        if self.is_bound("Filter"):
            text += f" where {C.to_string(self.Filter)}"
        try:
            query = wql.parse(text)
        except wql.WqlError:
            self.ctx.write_error(self.query_error(text))
            return
        yield from self.select(self.Namespace, query, text, props)


@cmdlet("Invoke-CimMethod", aliases=("icim",), module=CIM_MODULE, class_name=CIM_NS + "InvokeCimMethodCommand",
        default_set="ClassNameComputerSet", supports_should_process=True)
class InvokeCimMethod(_WmiCmdlet):
    """A method of an emulated instance: -InputObject (or -Query) with -MethodName and -Arguments."""

    ClassName = Param("string", InSet("ClassNameComputerSet", position=0, mandatory=True),
                      InSet("ClassNameSessionSet", position=0, mandatory=True), aliases=("Class",))
    InputObject = Param("object", InSet("CimInstanceComputerSet", position=0, mandatory=True, pipeline=True),
                        InSet("CimInstanceSessionSet", position=0, mandatory=True, pipeline=True),
                        aliases=("CimInstance",))
    Query = Param("string", InSet("QueryComputerSet", mandatory=True), InSet("QuerySessionSet", mandatory=True))
    QueryDialect = Param("string", InSet("QueryComputerSet"), InSet("QuerySessionSet"))
    Namespace = Param("string", InSet("ClassNameComputerSet", pipeline_by_property=True),
                      InSet("ClassNameSessionSet", pipeline_by_property=True),
                      InSet("QueryComputerSet", pipeline_by_property=True),
                      InSet("QuerySessionSet", pipeline_by_property=True))
    Arguments = Param("hashtable", position=1)
    MethodName = Param("string", position=2, mandatory=True, aliases=("Name",))
    ComputerName = Param("string[]", InSet("ClassNameComputerSet", pipeline_by_property=True),
                         InSet("QueryComputerSet", pipeline_by_property=True),
                         InSet("CimInstanceComputerSet", pipeline_by_property=True), aliases=("CN", "ServerName"))
    CimSession = Param("object[]", InSet("ClassNameSessionSet", mandatory=True),
                       InSet("QuerySessionSet", mandatory=True), InSet("CimInstanceSessionSet", mandatory=True))
    OperationTimeoutSec = Param("uint32", aliases=("OT",))

    def begin_processing(self) -> None:
        self.refuse_unsupported("CimSession")

    def process_record(self) -> Iterator[Any]:
        method = C.to_string(self.MethodName)
        args = {C.to_string(k): _unwrap(v) for k, v in (self.Arguments or Hashtable()).items()}
        if self.is_bound("InputObject"):
            obj = self.InputObject
            if not isinstance(obj, CimObject):
                raise not_supported("Invoke-CimMethod -InputObject with an object that is not an emulated CimInstance")
            targets = [obj]
        elif self.is_bound("Query"):
            text = C.to_string(self.Query)
            try:
                query = wql.parse(text)
            except wql.WqlError:
                self.ctx.write_error(self.query_error(text))
                return
            targets = list(self.select(self.Namespace, query, text, None))
        else:
            raise not_supported("Invoke-CimMethod -ClassName (static methods)")
        provider = self.provider()
        for target in targets:
            inst = target.instance
            if not self.ctx.should_process(str(target), method):
                continue
            yield _method_result(self, provider, inst, method, args, "cim")


@cmdlet("Invoke-WmiMethod", module=MGMT, class_name="Microsoft.PowerShell.Commands.InvokeWmiMethod",
        default_set="class", supports_should_process=True)
class InvokeWmiMethod(_WmiCmdlet):
    """A WMI method of an instance (-InputObject or -Path); -ArgumentList in the order of the
    method's parameter names sorted alphabetically, as Invoke-WmiMethod passes them."""

    flavor = "wmi"

    Class = Param("string", InSet("class", position=0, mandatory=True))
    Path = Param("string", InSet("path", mandatory=True))
    InputObject = Param("object", InSet("object", mandatory=True, pipeline=True))
    Name = Param("string", position=1, mandatory=True)
    ArgumentList = Param("object[]", position=2, aliases=("Args",))
    Namespace = Param("string", InSet("class"), InSet("path"), aliases=("NS",))
    ComputerName = Param("string[]", InSet("class"), InSet("path"), aliases=("Cn",))
    Credential = Param("object", InSet("class"), InSet("path"))
    AsJob = Param("switch")
    ThrottleLimit = Param("int")
    Impersonation = Param("string")
    Authentication = Param("string")
    Locale = Param("string")
    EnableAllPrivileges = Param("switch")
    Authority = Param("string")

    def begin_processing(self) -> None:
        self.refuse_unsupported("Credential", "AsJob")

    def process_record(self) -> Iterator[Any]:
        provider = self.provider()
        if self.ctx.parameter_set == "class":
            raise not_supported("Invoke-WmiMethod -Class (static methods)")
        if self.ctx.parameter_set == "path":
            path = self.Path
            target = path.fetch() if isinstance(path, WmiPath) else None
            if target is None:
                text = C.to_string(path)
                cls = text.rsplit(":", 1)[-1].partition(".")[0]
                inst = provider.resolve(text, cls) if cls else None
                if inst is None:
                    self.ctx.write_error(self.ctx.error_record("Not found ", "InvokeWMIManagementException",
                                                               "InvalidOperation", exception_type=WMI_EXCEPTION))
                    return
                target = self.wrap(provider, inst)
        else:
            obj = self.InputObject
            if not isinstance(obj, CimObject):
                raise not_supported("Invoke-WmiMethod -InputObject with an object that is not an emulated "
                                    "ManagementObject")
            target = obj
        inst = target.instance
        method = C.to_string(self.Name)
        try:
            _, params = provider.method_params(inst, method)
        except CimClassError:
            raise not_supported(f"The WMI method '{inst.class_name}.{method}'") from None
        values = C.as_list(self.ArgumentList) if self.is_bound("ArgumentList") else []
        named = {p: _unwrap(v) for p, v in zip(sorted(params, key=str.casefold), values)}
        if not self.ctx.should_process(inst.path, method):
            return
        yield _method_result(self, provider, inst, method, named, "wmi")
