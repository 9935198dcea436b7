"""The server's pieces on their own: Windows command-line splitting, cmd chains, CLIXML strings,
SOAP parsing and faults, WinRM message encryption with a real NTLM handshake."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import Iterator
from xml.etree import ElementTree as ET

import pytest

from hyperv_emu.server import clixml, encryption, soap
from hyperv_emu.server.auth import Authenticator, Credentials, ntlm_user_file
from hyperv_emu.server.cmdshell import _split_chain, split_windows_args


@pytest.mark.parametrize("line,expected", [
    # the examples of Microsoft's "Parsing C++ command-line arguments"
    ('"a b c" d e', ["a b c", "d", "e"]),
    ('"ab\\"c" "\\\\" d', ['ab"c', "\\", "d"]),
    ('a\\\\\\b d"e f"g h', ["a\\\\\\b", "de fg", "h"]),
    ('a\\\\\\"b c d', ['a\\"b', "c", "d"]),
    ('a\\\\\\\\"b c" d e', ["a\\\\b c", "d", "e"]),
    ('a"b"" c d', ['ab" c d']),
])
def test_split_windows_args(line: str, expected: list[str]) -> None:
    assert split_windows_args(line) == expected


def test_cmd_chains_split_outside_quotes() -> None:
    assert _split_chain('echo a && type "x&y" || del f & echo b') == [
        ("", "echo a "), ("&&", 'type "x&y" '), ("||", "del f "), ("&", "echo b")]


def test_clixml_strings_encode_as_the_serializer_does() -> None:
    assert clixml.encode_string("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert clixml.encode_string("bell\x07\r\n") == "bell_x0007__x000D__x000A_"
    assert clixml.encode_string("_x0041_ and _y") == "_x005F_x0041_ and _y"
    assert clixml.error_stream("") == ""
    doc = clixml.error_stream("first\nsecond\n")
    root = ET.fromstring(doc[len(clixml.HEADER):])
    assert [s.text for s in root] == ["first_x000D__x000A_", "second_x000D__x000A_"]


def test_malformed_requests_are_sender_faults() -> None:
    for body in (b"<nope", b"<a/>", b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>'):
        with pytest.raises(soap.WSManFault) as info:
            soap.parse_request(body)
        assert info.value.sender and info.value.subcode == "w:SchemaValidationError"
    fault = ET.fromstring(soap.fault_envelope(soap.WSManFault("boom", code=5), "uuid:1"))
    ns = {"s": soap.NS["s"], "f": soap.NS["f"], "a": soap.NS["a"]}
    assert fault.findtext("s:Body/s:Fault/s:Code/s:Value", namespaces=ns) == "s:Sender"
    assert fault.find("s:Body/s:Fault/s:Detail/f:WSManFault", ns).get("Code") == "5"  # type: ignore[union-attr]
    assert fault.findtext("s:Body/s:Fault/s:Reason/s:Text", namespaces=ns) == "boom"
    assert fault.findtext("s:Header/a:RelatesTo", namespaces=ns) == "uuid:1"


@pytest.fixture
def ntlm_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = ntlm_user_file(Credentials("tester", "right"))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    monkeypatch.setenv("NTLM_USER_FILE", path)
    yield path
    os.unlink(path)


def _handshake(password: str) -> tuple[object, Authenticator, object]:
    import spnego

    auth = Authenticator(Credentials("tester", "right"))
    client = spnego.client("tester", password, protocol="ntlm")
    outcome = auth.check(("127.0.0.1", 1), "Negotiate " + base64.b64encode(client.step()).decode())
    assert not outcome.ok and outcome.www_authenticate[0].startswith("Negotiate ")
    challenge = base64.b64decode(outcome.www_authenticate[0].split()[1])
    outcome = auth.check(("127.0.0.1", 1), "Negotiate " + base64.b64encode(client.step(challenge)).decode())
    return client, auth, outcome


def test_ntlm_handshake_and_sealed_messages(ntlm_file: str) -> None:
    client, auth, outcome = _handshake("right")
    assert outcome.ok  # type: ignore[attr-defined]
    server = auth.context(("127.0.0.1", 1))
    body = encryption.encrypt(client, b"<s:Envelope>hello</s:Envelope>")
    assert body.startswith(b"--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n")
    assert b"hello" not in body
    assert encryption.decrypt(server, body) == b"<s:Envelope>hello</s:Envelope>"
    answer = encryption.encrypt(server, b"<answer/>")
    assert encryption.decrypt(client, answer) == b"<answer/>"
    tampered = encryption.encrypt(client, b"<again/>").replace(b"Length=8", b"Length=9")
    with pytest.raises(encryption.EncryptionError):
        encryption.decrypt(server, tampered)
    # the connection stays authenticated without a header; another connection is not
    assert auth.check(("127.0.0.1", 1), None).ok
    assert not auth.check(("127.0.0.1", 2), None).ok


def test_ntlm_wrong_password_is_refused(ntlm_file: str) -> None:
    _, auth, outcome = _handshake("wrong")
    assert not outcome.ok  # type: ignore[attr-defined]
    assert auth.context(("127.0.0.1", 1)) is None


def test_basic_credentials() -> None:
    auth = Authenticator(Credentials("CORP\\tester", "pw"))
    header = lambda user, pw: "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()  # noqa: E731
    assert auth.check("c", header("tester", "pw")).ok
    assert auth.check("c", header("corp\\TESTER", "pw")).ok
    assert not auth.check("c", header("OTHER\\tester", "pw")).ok
    assert not auth.check("c", header("tester", "PW")).ok
    assert not auth.check("c", "Basic ***").ok
    assert Authenticator(None).check("c", None).ok


def test_basic_read_only_account() -> None:
    auth = Authenticator(Credentials("tester", "pw"), (Credentials("CORP\\auditor", "ro"),))
    header = lambda user, pw: "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()  # noqa: E731
    admin = auth.check("c", header("tester", "pw"))
    assert (admin.ok, admin.read_only, admin.user) == (True, False, "tester")
    reader = auth.check("c", header("Auditor@corp", "ro"))
    assert (reader.ok, reader.read_only, reader.user) == (True, True, "auditor")
    assert not auth.check("c", header("auditor", "pw")).ok
    assert not auth.check("c", header("tester", "ro")).ok
    with pytest.raises(ValueError):
        Authenticator(None, (Credentials("auditor", "ro"),))
