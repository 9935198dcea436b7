"""HTTPS for `hvemu serve --https`: the certificate and key the server presents.

`--cert FILE --key FILE` are used as given (PEM). Without them, a self-signed certificate for
`localhost`, `127.0.0.1`, `::1` and the bound host is generated with the `cryptography` package
(imported only here, only then) and written, with its key, into a private (0700) temporary
folder that the server removes when it stops. Clients then skip certificate validation
(pywinrm `server_cert_validation='ignore'`, pypsrp `cert_validation=False`), as against a
WinRM HTTPS listener with a self-signed certificate.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import tempfile

import attrs

HTTP_PORT = 5985
HTTPS_PORT = 5986
VALID_DAYS = 365


@attrs.frozen
class TlsFiles:
    """The PEM certificate and key files; `folder` is the generated private folder (to remove),
    None for files the user gave."""

    cert: str
    key: str
    folder: str | None = None

    def remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def _names(host: str) -> tuple[list[str], list[str]]:
    """(DNS names, IP addresses) the certificate covers."""
    dns = ["localhost"]
    ips = ["127.0.0.1", "::1"]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host and host not in dns:
            dns.append(host)
    else:
        if host not in ips and host not in ("0.0.0.0", "::"):
            ips.append(host)
    return dns, ips


def self_signed(host: str) -> TlsFiles:
    """A new self-signed certificate (RSA 2048, SHA-256, server authentication) and its key,
    written to a new private temporary folder."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    dns, ips = _names(host)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns[-1] if len(dns) > 1 else "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder = tempfile.mkdtemp(prefix="hvemu-tls-")  # mode 0700
    cert_path = os.path.join(folder, "cert.pem")
    key_path = os.path.join(folder, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return TlsFiles(cert_path, key_path, folder)


def tls_files(host: str, cert: str | None, key: str | None) -> TlsFiles:
    """The files to serve HTTPS with: the given pair (both or neither), else a generated one.
    Raises ValueError with a message for the user."""
    if (cert is None) != (key is None):
        raise ValueError("--cert and --key go together (or give neither for a self-signed certificate).")
    if cert is not None and key is not None:
        for option, path in (("--cert", cert), ("--key", key)):
            if not os.path.isfile(path):
                raise ValueError(f"{option}: the file '{path}' does not exist.")
        return TlsFiles(cert, key)
    return self_signed(host)
