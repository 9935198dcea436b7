"""SOAP envelopes of WS-Management as WinRM speaks them (MS-WSMV): reading a request's header,
building a response, and the faults.

A request is parsed with the standard library's ElementTree (expat refuses external entities
and limits entity expansion). A malformed body is a `WSManFault` with the `Sender` code, as
WinRM answers one; the server keeps serving.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from xml.etree import ElementTree as ET

import attrs

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
for _prefix, _uri in NS.items():
    ET.register_namespace(_prefix, _uri)

ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
ACTION_CREATE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
ACTION_DELETE = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
ACTION_COMMAND = SHELL + "/Command"
ACTION_SEND = SHELL + "/Send"
ACTION_RECEIVE = SHELL + "/Receive"
ACTION_SIGNAL = SHELL + "/Signal"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"

# WinRM's fault codes (winerror.h): what pywinrm and pypsrp look at.
ERROR_INVALID_PARAMETER = 87
ERROR_WSMAN_INVALID_SELECTORS = 2150858843
ERROR_WSMAN_OPERATION_TIMEDOUT = 2150858793
ERROR_WSMAN_ACTION_NOT_SUPPORTED = 2150858778
ERROR_WSMAN_BAD_REQUEST = 2150858817  # WSMAN_E_SCHEMA_VALIDATION_ERROR's neighbour: the message is malformed


def q(prefix: str, local: str) -> str:
    """`{namespace}local` for ElementTree."""
    return f"{{{NS[prefix]}}}{local}"


class WSManFault(Exception):
    """A request WinRM answers with a SOAP fault (HTTP 500)."""

    def __init__(self, reason: str, *, code: int = ERROR_INVALID_PARAMETER, subcode: str = "w:InvalidParameter",
                 sender: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.subcode = subcode
        self.sender = sender


@attrs.frozen
class Request:
    """One WS-Man request: the header fields the shells use, and the body element."""

    action: str
    resource_uri: str
    message_id: str
    selectors: dict[str, str]
    options: dict[str, str]
    body: ET.Element
    operation_timeout: float | None


def parse_request(data: bytes) -> Request:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise WSManFault(f"The WS-Management service cannot process the request because the XML is invalid: {exc}.",
                         code=ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError") from None
    if root.tag != q("s", "Envelope"):
        raise WSManFault("The WS-Management service cannot process the request: the body is not a SOAP 1.2 envelope.",
                         code=ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError")
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise WSManFault("The WS-Management service cannot process the request: the envelope has no Header or Body.",
                         code=ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError")

    def text(path: str) -> str:
        node = header.find(path, NS) if header is not None else None
        return (node.text or "").strip() if node is not None else ""

    action = text("a:Action")
    if not action:
        raise WSManFault("The WS-Management service cannot process the request: the header has no Action.",
                         code=ERROR_WSMAN_BAD_REQUEST, subcode="w:SchemaValidationError")
    selectors = {s.get("Name", ""): (s.text or "").strip() for s in header.iterfind("w:SelectorSet/w:Selector", NS)}
    options = {o.get("Name", ""): (o.text or "").strip() for o in header.iterfind("w:OptionSet/w:Option", NS)}
    timeout = _duration(text("w:OperationTimeout"))
    return Request(action, text("w:ResourceURI"), text("a:MessageID"), selectors, options, body, timeout)


def _duration(value: str) -> float | None:
    """An xs:duration of seconds, `PT20.000S`, as WinRM clients send it."""
    if not value.startswith("PT") or not value.endswith("S"):
        return None
    try:
        return float(value[2:-1])
    except ValueError:
        return None


def envelope(action: str, relates_to: str, body: Iterable[ET.Element] = (),
             header_extra: Iterable[ET.Element] = ()) -> bytes:
    """A response envelope: Action, MessageID, RelatesTo, To anonymous, and the body."""
    root = ET.Element(q("s", "Envelope"))
    header = ET.SubElement(root, q("s", "Header"))
    ET.SubElement(header, q("a", "Action")).text = action
    ET.SubElement(header, q("a", "MessageID")).text = f"uuid:{str(uuid.uuid4()).upper()}"
    ET.SubElement(header, q("a", "To")).text = ANONYMOUS
    if relates_to:
        ET.SubElement(header, q("a", "RelatesTo")).text = relates_to
    header.extend(header_extra)
    body_node = ET.SubElement(root, q("s", "Body"))
    body_node.extend(body)
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>' + text


def fault_envelope(fault: WSManFault, relates_to: str = "") -> bytes:
    """The SOAP fault WinRM sends: Code/Value, Subcode, Reason/Text and the WSManFault detail
    whose Code pywinrm and pypsrp read."""
    node = ET.Element(q("s", "Fault"))
    code = ET.SubElement(node, q("s", "Code"))
    ET.SubElement(code, q("s", "Value")).text = "s:Sender" if fault.sender else "s:Receiver"
    sub = ET.SubElement(code, q("s", "Subcode"))
    ET.SubElement(sub, q("s", "Value")).text = fault.subcode
    reason = ET.SubElement(node, q("s", "Reason"))
    reason_text = ET.SubElement(reason, q("s", "Text"))
    reason_text.set("{http://www.w3.org/XML/1998/namespace}lang", "en-US")
    reason_text.text = fault.reason
    detail = ET.SubElement(node, q("s", "Detail"))
    wsman = ET.SubElement(detail, q("f", "WSManFault"))
    wsman.set("Code", str(fault.code))
    wsman.set("Machine", "localhost")
    ET.SubElement(wsman, q("f", "Message")).text = fault.reason
    return envelope(FAULT_ACTION, relates_to, [node])


def element(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    """`element("rsp:Stream", data, Name="stdout")`."""
    prefix, _, local = tag.partition(":")
    node = ET.Element(q(prefix, local), {k: v for k, v in attributes.items()})
    node.text = text
    return node


def selector_set(name: str, value: str) -> ET.Element:
    selectors = element("w:SelectorSet")
    selectors.append(element("w:Selector", value, Name=name))
    return selectors
