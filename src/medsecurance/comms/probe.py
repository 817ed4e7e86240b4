"""Live TLS verification of one endpoint the user names: versions, cipher suites, certificates.

Built on the standard library ``ssl`` module (OpenSSL) driven through memory BIOs, plus
``cryptography`` for certificates. sslyze would add a native dependency (nassl, its own OpenSSL
build) for scans we do not need; one fixed-version handshake per TLS version, with the server's
bytes read off the wire, is enough to learn the accepted versions, the chosen suites, the chain
and whether a client certificate is requested. Only the given address is contacted and every
wait is bounded by the timeout.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass, field
from typing import Any

from medsecurance.comms import tlswire
from medsecurance.comms._handshake import Attempt, context, handshake
from medsecurance.comms.certinfo import CertInfo, describe_certificate
from medsecurance.errors import CommsError

__all__ = ["ProbeResult", "VersionResult", "parse_target", "probe_tls"]

_VERSIONS = (
    ("TLS1.0", ssl.TLSVersion.TLSv1),
    ("TLS1.1", ssl.TLSVersion.TLSv1_1),
    ("TLS1.2", ssl.TLSVersion.TLSv1_2),
    ("TLS1.3", ssl.TLSVersion.TLSv1_3),
)
# OpenSSL 3 refuses TLS 1.0/1.1 and weak suites at its default security level 1; level 0 lets us offer them.
_ALL_CIPHERS = "ALL:@SECLEVEL=0"
_WEAK_CIPHERS = "aNULL:eNULL:EXPORT:RC4:DES:3DES:kRSA:@SECLEVEL=0"


@dataclass(frozen=True, slots=True)
class VersionResult:
    """Outcome of the handshake attempt pinned to one protocol version."""

    version: str
    accepted: bool
    cipher: str | None = None
    error: str | None = None
    weak_ciphers_accepted: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "version": self.version,
            "accepted": self.accepted,
            "cipher": self.cipher,
            "error": self.error,
            "weak_ciphers_accepted": list(self.weak_ciphers_accepted),
        }


@dataclass(frozen=True)
class ProbeResult:
    """Timestamped evidence of one TLS probe."""

    host: str
    port: int
    server_name: str | None
    started: str
    finished: str
    openssl: str
    versions: tuple[VersionResult, ...]
    certificates: tuple[CertInfo, ...]
    client_certificate: str  # required | requested | not-required | unknown
    notes: tuple[str, ...] = field(default=())

    @property
    def accepted(self) -> tuple[str, ...]:
        """Versions the server accepted."""
        return tuple(v.version for v in self.versions if v.accepted)

    def to_dict(self) -> dict[str, Any]:
        """JSON evidence record."""
        return {
            "kind": "tls-probe",
            "target": f"{self.host}:{self.port}",
            "server_name": self.server_name,
            "started": self.started,
            "finished": self.finished,
            "openssl": self.openssl,
            "accepted_versions": list(self.accepted),
            "versions": [v.to_dict() for v in self.versions],
            "certificates": [c.to_dict() for c in self.certificates],
            "client_certificate": self.client_certificate,
            "notes": list(self.notes),
        }


def parse_target(text: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[v6]:PORT`` for IPv6) with a clear error."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommsError(
            f"'{text}' is not HOST:PORT", file="HOST:PORT argument", hint="for example 10.0.0.5:443 or [fe80::1]:2762"
        )
    return host, int(port)


def _suite_name(code: int | None) -> str | None:
    if code is None:
        return None
    import dpkt

    suite = dpkt.ssl_ciphersuites.BY_CODE.get(code)
    return suite.name if suite is not None else f"0x{code:04x}"


def _try_version(
    host: str, port: int, name: str, version: ssl.TLSVersion, timeout: float
) -> tuple[VersionResult, Attempt]:
    ctx = context(version, _ALL_CIPHERS)
    if ctx is None:
        return VersionResult(name, False, error="not testable: the local OpenSSL cannot offer it"), Attempt()
    code = tlswire.version_code(name)
    att = handshake(host, port, ctx, timeout, version is ssl.TLSVersion.TLSv1_3)
    accepted = att.server_version == code
    weak: tuple[str, ...] = ()
    weak_ctx = context(version, _WEAK_CIPHERS) if accepted and version < ssl.TLSVersion.TLSv1_3 else None
    if weak_ctx is not None:
        w = handshake(host, port, weak_ctx, timeout, False)
        if w.server_version == code and w.cipher is not None:
            weak = (_suite_name(w.cipher) or "",)
    error = None if accepted else (att.error or "refused")
    return VersionResult(name, accepted, _suite_name(att.cipher) if accepted else None, error, weak), att


def _client_certificate(attempts: list[Attempt]) -> str:
    if any(a.cert_required_alert or (a.cert_request_seen and not a.completed) for a in attempts):
        return "required"
    if any(a.cert_request_seen for a in attempts):
        return "requested"
    return "not-required" if any(a.completed for a in attempts) else "unknown"


def _no_tls(host: str, port: int, timeout: float, results: list[VersionResult], attempts: list[Attempt]) -> CommsError:
    first = next((a.raw_start for a in attempts if a.raw_start), b"")
    if first and first[0] not in (21, 22):
        return CommsError(f"does not speak TLS: it answered {first!r}", file=f"{host}:{port}", hint="check the port")
    if all(a.error == "timeout" for a in attempts if a.error):
        return CommsError(
            f"no TLS handshake answer within {timeout:g} s", file=f"{host}:{port}", hint="is it a TLS port?"
        )
    reasons = "; ".join(f"{r.version}: {r.error}" for r in results)
    return CommsError(f"no TLS version was accepted ({reasons})", file=f"{host}:{port}", hint="is it a TLS port?")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def probe_tls(host: str, port: int, *, timeout: float = 5.0) -> ProbeResult:
    """Probe ``host:port``: one fixed-version handshake per TLS 1.0–1.3, then describe the chain.

    Raises :class:`CommsError` when the endpoint is unreachable, times out or does not speak TLS.
    """
    if timeout <= 0:
        raise CommsError("the timeout must be positive", file="--timeout", hint="for example --timeout 5")
    started = _now()
    results: list[VersionResult] = []
    attempts: list[Attempt] = []
    for name, version in _VERSIONS:
        result, att = _try_version(host, port, name, version, timeout)
        results.append(result)
        attempts.append(att)
    if not any(r.accepted for r in results):
        raise _no_tls(host, port, timeout, results, attempts)
    best = next(a for r, a in zip(reversed(results), reversed(attempts), strict=True) if r.accepted)
    certs = [describe_certificate(der, now=started, host=host if i == 0 else None) for i, der in enumerate(best.chain)]
    notes = tuple(f"{r.version} {r.error}" for r in results if r.error and r.error.startswith("not testable"))
    return ProbeResult(
        host=host,
        port=port,
        server_name=host,
        started=started.isoformat(),
        finished=_now().isoformat(),
        openssl=ssl.OPENSSL_VERSION,
        versions=tuple(results),
        certificates=tuple(c for c in certs if c is not None),
        client_certificate=_client_certificate(attempts),
        notes=notes,
    )
