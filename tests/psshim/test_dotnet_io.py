"""[System.IO.File]::ReadAllBytes/WriteAllBytes, [System.IO.Directory]::CreateDirectory/Exists and
[System.Text.Encoding] (psshim.runtime.dotnet_io) over the emulated host's files."""

from __future__ import annotations

import pytest

import hvemu_testlib as T
from hyperv_emu.psshim.session import Session


@pytest.fixture
def session(memory_url):
    return Session.from_world_text(T.base_world(), memory_url, environment={})


def run(session: Session, text: str) -> list:
    r = session.run_command(text)
    assert r.stderr == "", r.stderr
    return list(r.output)


def failure(session: Session, text: str) -> tuple[str, str]:
    r = session.run_command(text)
    assert r.errors, r.stdout
    return r.errors[0].fully_qualified_error_id, r.errors[0].message


def test_bytes_round_trip_through_base64_and_the_host(session):
    out = run(session, "$null = [System.IO.Directory]::CreateDirectory('E:\\a\\b'); "
                       "[System.IO.File]::WriteAllBytes('E:\\a\\b\\f.bin', [System.Convert]::FromBase64String('AAEC/w==')); "
                       "[System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes('E:\\a\\b\\f.bin')); "
                       "[System.IO.Directory]::Exists('E:\\a'); [IO.Directory]::Exists('E:\\a\\b\\f.bin')")
    assert out == ["AAEC/w==", True, False]
    assert session.client.read_file("E:\\a\\b\\f.bin") == b"\x00\x01\x02\xff"
    info = run(session, "[System.IO.Directory]::CreateDirectory('E:\\a\\b')")[0]
    assert (info.get("FullName"), info.type_names[0]) == ("E:\\a\\b", "System.IO.DirectoryInfo")


def test_dotnet_errors(session):
    run(session, "[System.IO.File]::WriteAllBytes('D:\\f.bin', [byte[]](1, 2))")
    assert failure(session, "[System.IO.File]::ReadAllBytes('D:\\none.bin')") == (
        "FileNotFoundException", "Exception calling \"ReadAllBytes\" with \"1\" argument(s): "
                                 "\"Could not find file 'D:\\none.bin'.\"")
    assert failure(session, "[System.IO.File]::ReadAllBytes('D:\\no\\none.bin')")[0] == "DirectoryNotFoundException"
    assert failure(session, "[System.IO.File]::WriteAllBytes('D:\\no\\x.bin', [byte[]](1))")[0] == \
        "DirectoryNotFoundException"
    run(session, "$null = [System.IO.Directory]::CreateDirectory('D:\\dir')")
    assert failure(session, "[System.IO.File]::ReadAllBytes('D:\\dir')")[0] == "UnauthorizedAccessException"
    fqid, message = failure(session, "[System.IO.Directory]::CreateDirectory('D:\\f.bin\\sub')")
    assert fqid == "IOException" and 'Cannot create "D:\\f.bin"' in message


def test_encodings(session):
    assert run(session, "[System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('YQBi4pyT'))") == [
        "a\x00b\u2713"]
    assert run(session, "[System.Text.Encoding]::UTF8.GetBytes('\u00e9').Count; "
                        "[System.Text.Encoding]::Unicode.GetBytes('A'); [Text.Encoding]::UTF8.WebName; "
                        "[System.Text.Encoding]::GetEncoding(1252).GetString([byte[]](0x80)); "
                        "[System.Text.Encoding]::ASCII.GetString([byte[]](104, 105, 33), 0, 2)") == [
        2, 65, 0, "utf-8", "\u20ac", "hi"]
    assert run(session, "[System.Text.Encoding]::UTF8.GetString([byte[]](0xff))") == ["\ufffd"]
