"""WinRM message encryption over HTTP (MS-WSMV 2.2.9.1): a body of type `multipart/encrypted`
with `protocol="application/HTTP-SPNEGO-session-encrypted"`, one pair of parts per message:

    --Encrypted Boundary
    \tContent-Type: application/HTTP-SPNEGO-session-encrypted
    \tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plain length>
    --Encrypted Boundary
    \tContent-Type: application/octet-stream
    <signature length, 4 bytes little endian><signature><sealed message>--Encrypted Boundary--

The sealing is the authenticated security context's (pyspnego's `wrap_winrm`/`unwrap_winrm`).
"""

from __future__ import annotations

import re
import struct
from typing import Any

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_BOUNDARY = b"--Encrypted Boundary"
_LENGTH = re.compile(rb"Length=(\d+)")


class EncryptionError(Exception):
    """A body that is not a well-formed encrypted WinRM message, or fails to unseal."""


def is_encrypted(content_type: str) -> bool:
    return content_type.lower().startswith("multipart/encrypted") and PROTOCOL.lower() in content_type.lower()


def decrypt(context: Any, body: bytes) -> bytes:
    """The plain SOAP message of an encrypted body (`context`: pyspnego's context)."""
    parts = [p for p in body.split(_BOUNDARY + b"\r\n") if p]
    if len(parts) < 2 or len(parts) % 2:
        raise EncryptionError("the encrypted body does not hold header and payload parts")
    message = b""
    for header, payload in zip(parts[0::2], parts[1::2]):
        length = _LENGTH.search(header)
        if length is None or PROTOCOL.encode() not in header:
            raise EncryptionError("an encrypted part has no OriginalContent length")
        if payload.endswith(_BOUNDARY + b"--\r\n"):
            payload = payload[: -len(_BOUNDARY + b"--\r\n")]
        prefix = b"\tContent-Type: application/octet-stream\r\n"
        if not payload.startswith(prefix):
            raise EncryptionError("an encrypted part is not application/octet-stream")
        data = payload[len(prefix):]
        if len(data) < 4:
            raise EncryptionError("an encrypted part is truncated")
        sig_len = struct.unpack("<i", data[:4])[0]
        if sig_len < 0 or len(data) < 4 + sig_len:
            raise EncryptionError("an encrypted part's signature is truncated")
        try:
            plain: bytes = context.unwrap_winrm(data[4:4 + sig_len], data[4 + sig_len:])
        except Exception as exc:  # noqa: BLE001 - pyspnego raises its own errors for a bad seal
            raise EncryptionError(f"the message does not unseal: {exc}") from None
        if len(plain) != int(length.group(1)):
            raise EncryptionError("the decrypted length does not match OriginalContent")
        message += plain
    return bytes(message)


def encrypt(context: Any, message: bytes) -> bytes:
    """An encrypted body for a plain SOAP message."""
    wrapped = context.wrap_winrm(message)
    header: bytes = wrapped.header
    sealed: bytes = wrapped.data
    return (_BOUNDARY + b"\r\n"
            + b"\tContent-Type: " + PROTOCOL.encode() + b"\r\n"
            + b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(len(message)).encode()
            + b"\r\n" + _BOUNDARY + b"\r\n"
            + b"\tContent-Type: application/octet-stream\r\n"
            + struct.pack("<i", len(header)) + header + sealed
            + _BOUNDARY + b"--\r\n")
