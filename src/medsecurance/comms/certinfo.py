"""What a TLS probe reports about a certificate: validity, key, names, hostname match."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["CertInfo", "describe_certificate", "hostname_matches"]


@dataclass(frozen=True, slots=True)
class CertInfo:
    """One certificate of a served chain, as a probe reports it."""

    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    days_left: int
    expired: bool
    not_yet_valid: bool
    key_type: str
    key_size: int
    signature_hash: str | None
    names: tuple[str, ...]
    self_signed: bool
    sha256: str
    hostname_match: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        data = asdict(self)
        data["names"] = list(self.names)
        return data


def hostname_matches(host: str, names: tuple[str, ...]) -> bool:
    """RFC 6125 §6.4 matching of ``host`` against SAN names (IP literals exactly, one leading ``*`` label).

    Written here because ``ssl.match_hostname`` was removed in Python 3.12 and the probe must judge
    a certificate it deliberately did not verify.
    """
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    for name in names:
        if ip is not None:
            if name.startswith("IP:") and ipaddress.ip_address(name[3:]) == ip:
                return True
            continue
        if not name.startswith("DNS:"):
            continue
        pattern, wanted = name[4:].lower().rstrip("."), host.lower().rstrip(".")
        if pattern == wanted:
            return True
        if pattern.startswith("*.") and "." in wanted and wanted.split(".", 1)[1] == pattern[2:]:
            return True
    return False


def _key(cert: Any) -> tuple[str, int]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC-{key.curve.name}", key.curve.key_size
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456
    return type(key).__name__, 0


def _names(cert: Any) -> tuple[str, ...]:
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        cns = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return tuple(f"DNS:{c.value}" for c in cns)
    names = [f"DNS:{n}" for n in san.get_values_for_type(x509.DNSName)]
    names += [f"IP:{n}" for n in san.get_values_for_type(x509.IPAddress)]
    return tuple(names)


def describe_certificate(der: bytes, *, now: dt.datetime, host: str | None = None) -> CertInfo | None:
    """Describe a DER certificate at time ``now``; None if it cannot be parsed."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes

    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None
    before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
    try:
        sig = cert.signature_hash_algorithm
    except UnsupportedAlgorithm:
        sig = None
    key_type, key_size = _key(cert)
    names = _names(cert)
    return CertInfo(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        not_before=before.isoformat(),
        not_after=after.isoformat(),
        days_left=(after - now).days,
        expired=now > after,
        not_yet_valid=now < before,
        key_type=key_type,
        key_size=key_size,
        signature_hash=sig.name if sig is not None else None,
        names=names,
        self_signed=cert.subject == cert.issuer,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
        hostname_match=hostname_matches(host, names) if host else None,
    )
