"""Sign and verify contract bundles with XAdES (signxml) over a canonical manifest of file hashes.

Each party signs a ``BundleManifest`` document listing every entry of the bundle except its own
signature file, each with its SHA-256 (so a later signature also covers the earlier ones); the
XAdES-BES signature (signxml's ``XAdESSigner``, enveloped, with SigningTime and
SigningCertificateV2) is stored as
``META-INF/signatures-<role>.xml``. Signature files added after a signature are not held against it
(a consumer may sign after the provider); any other altered, added or removed file breaks it, and
removing an earlier signature breaks every later one.
signxml's XAdES works offline here, so no fallback to CMS is needed. Certificate trust is checked
separately (expiry at verification time; issuance by a ``--trust`` anchor), so each failure is named.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medsecurance._internal.io import atomic_write_bytes, read_bytes_limited, sha256_bytes
from medsecurance.contracts.bundle import read_bundle, write_zip
from medsecurance.errors import ContractError, UsageError

__all__ = ["ROLES", "SignatureReport", "VerifyReport", "sign_bundle", "verify_bundle"]

ROLES = ("provider", "consumer")
_NS = "urn:medsecurance:contract-bundle:1"
_SIG_RE = re.compile(r"^META-INF/signatures[^/]*\.xml$")


def _signed_names(entries: dict[str, bytes], own: str) -> list[str]:
    """Every entry except the signer's own signature file (earlier signatures are countersigned)."""
    return sorted(n for n in entries if n != own)


def _manifest(entries: dict[str, bytes], role: str) -> Any:
    from lxml import etree

    root = etree.Element(f"{{{_NS}}}BundleManifest", nsmap={None: _NS}, role=role)
    for name in _signed_names(entries, f"META-INF/signatures-{role}.xml"):
        etree.SubElement(root, f"{{{_NS}}}File", name=name, sha256=sha256_bytes(entries[name]))
    return root


def _load_key(path: Path, password: str | None) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    data = read_bytes_limited(path, max_bytes=1 << 20, error=ContractError)
    if b"ENCRYPTED" in data and not password:
        raise ContractError("the private key is encrypted", file=path, hint="give its password with --password")
    try:
        return load_pem_private_key(data, password.encode() if password else None)
    except (ValueError, TypeError) as exc:
        hint = "check the password" if password else "give a PEM private key (PKCS#8 or traditional)"
        raise ContractError(
            "cannot read the private key: wrong password or not a PEM private key", file=path, hint=hint
        ) from exc


def _load_certs(path: Path) -> list[Any]:
    from cryptography import x509

    data = read_bytes_limited(path, max_bytes=1 << 20, error=ContractError)
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise ContractError("not a PEM certificate", file=path, hint="give a PEM file with BEGIN CERTIFICATE") from exc
    return certs


def sign_bundle(bundle: Path, key: Path, cert: Path, role: str, password: str | None = None) -> str:
    """Add (or replace) the signature of ``role``; the bundle is rewritten atomically. Returns the entry name."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from signxml.xades import XAdESSigner  # type: ignore[attr-defined]

    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    entries = read_bundle(bundle)
    private = _load_key(key, password)
    chain = _load_certs(cert)
    public = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if chain[0].public_key().public_bytes(*public) != private.public_key().public_bytes(*public):
        raise ContractError(
            "the certificate does not belong to the private key",
            file=cert,
            hint="give the certificate issued for this key",
        )
    algorithm = {ec.EllipticCurvePrivateKey: "ecdsa-sha256", rsa.RSAPrivateKey: "rsa-sha256"}
    method = next((v for k, v in algorithm.items() if isinstance(private, k)), None)
    if method is None:
        raise ContractError("unsupported key type (use EC or RSA)", file=key)
    pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in chain]
    signed = XAdESSigner(signature_algorithm=method, digest_algorithm="sha256").sign(
        _manifest(entries, role), key=private, cert=pems
    )
    from lxml import etree

    name = f"META-INF/signatures-{role}.xml"
    entries[name] = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    atomic_write_bytes(bundle, write_zip(entries))
    return name


@dataclass
class SignatureReport:
    """What one signature covers and what is wrong with it."""

    entry: str
    role: str | None = None
    signer: str | None = None
    issuer: str | None = None
    signing_time: str | None = None
    not_after: str | None = None
    valid_signature: bool = False
    trusted: bool | None = None
    expired: bool = False
    altered: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Valid, unchanged, unexpired and not untrusted."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {k: v for k, v in self.__dict__.items()} | {"ok": self.ok}


@dataclass
class VerifyReport:
    """All signatures of a bundle and the overall verdict."""

    bundle: str
    signatures: list[SignatureReport]
    problems: list[str]

    @property
    def ok(self) -> bool:
        """True when there is at least one signature and nothing is wrong."""
        return not self.problems and all(s.ok for s in self.signatures)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "bundle": self.bundle,
            "ok": self.ok,
            "problems": self.problems,
            "signatures": [s.to_dict() for s in self.signatures],
        }


def verify_bundle(
    bundle: Path, trust: Path | None = None, now: dt.datetime | None = None, require: tuple[str, ...] = ()
) -> VerifyReport:
    """Verify every signature of a bundle; malformed bundles and unreadable trust files raise ContractError."""
    from medsecurance.contracts._verify import verify_signature

    entries = read_bundle(bundle)
    anchors = _load_certs(trust) if trust is not None else None
    moment = now or dt.datetime.now(dt.UTC)
    names = sorted(n for n in entries if _SIG_RE.match(n))
    reports = [verify_signature(n, entries, anchors, moment) for n in names]
    problems = [] if names else ["the bundle is not signed"]
    roles = [r.role for r in reports if r.role]
    problems += [f"role {r} signed more than once" for r in sorted(set(roles)) if roles.count(r) > 1]
    problems += [f"no signature of the {r}" for r in require if r not in roles]
    return VerifyReport(str(bundle), reports, problems)
