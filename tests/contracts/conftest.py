"""Fixtures for contract-bundle tests: a throw-away PKI (EC P-256) generated with cryptography."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass
class Party:
    """A key (PEM, maybe encrypted) and its certificate on disk."""

    key: Path
    cert: Path
    password: str | None


class Pki:
    """A test CA that issues party certificates into a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Contract CA")])
        self.ca_cert = self._cert(self.ca_name, self.ca_key.public_key(), self.ca_key, self.ca_name, ca=True)
        self.ca = folder / "ca.pem"
        self.ca.write_bytes(self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def _cert(self, name, public, signer, issuer, *, ca=False, days=(-1, 365)):  # type: ignore[no-untyped-def]
        now = dt.datetime.now(dt.UTC)
        return (
            x509.CertificateBuilder().subject_name(name).issuer_name(issuer).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + dt.timedelta(days=days[0])).not_valid_after(now + dt.timedelta(days=days[1]))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(signer, hashes.SHA256())
        )

    def party(self, cn: str, *, password: str | None = None, days: tuple[int, int] = (-1, 365),
              self_signed: bool = False) -> Party:
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        signer, issuer = (key, name) if self_signed else (self.ca_key, self.ca_name)
        cert = self._cert(name, key.public_key(), signer, issuer, days=days)
        enc = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
        key_path, cert_path = self.folder / f"{cn}.key", self.folder / f"{cn}.pem"
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return Party(key_path, cert_path, password)


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    folder = tmp_path / "pki"
    folder.mkdir()
    return Pki(folder)
