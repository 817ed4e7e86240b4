"""Judge a TLS probe: deprecated versions, weak suites, certificate problems, and the flow's declared stack."""

from __future__ import annotations

from typing import Any

from medsecurance.comms._tables import advice, weak_suites
from medsecurance.comms.catalogue import normalise
from medsecurance.comms.probe import ProbeResult
from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.model.schema import Flow, SystemModel

__all__ = ["compare_probe", "declared_tls"]

_ORDER = ("TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3")
_DEPRECATED = {"TLS1.0", "TLS1.1"}
# protocol ids that imply TLS without naming a version: the floor is NIST SP 800-52r2's TLS 1.2
_IMPLIES_TLS = {normalise(n) for n in ("HTTPS", "DICOM-TLS", "LDAPS", "FHIR-REST", "MQTTS", "HL7v2-MLLP-TLS")}
_MUTUAL = {"mutual-tls", "mutualtls", "certificate", "client-certificate"}
_MIN_KEY = {"RSA": 2048, "DSA": 2048}
_EXPIRY_WARNING_DAYS = 30


def declared_tls(flow: Flow, model: SystemModel | None = None) -> tuple[str, ...]:
    """The TLS versions a flow declares (``TLS1.2`` …), TLS 1.2+ when it names only e.g. HTTPS."""
    stack = list(flow.protocol)
    if model is not None and flow.via:
        for comp_id in (flow.target, flow.source):
            comp = model.component(comp_id)
            iface = comp.interface(flow.via.rpartition(".")[2]) if comp else None
            if iface is not None:
                stack += list(iface.protocol)
                break
    keys = {normalise(p) for p in stack}
    named = tuple(v for v in _ORDER if normalise(v) in keys)
    if named:
        return named
    return ("TLS1.2", "TLS1.3") if keys & _IMPLIES_TLS else ()


def _mutual(flow: Flow) -> bool:
    clauses = (*flow.guarantees, *flow.assumes)
    return (flow.authentication or "") in _MUTUAL or any("mutual" in c.property.lower() for c in clauses)


def _f(
    rule: str,
    target: str,
    flow: Flow | None,
    sev: Severity,
    text: str,
    *key: str,
    refs: tuple[str, ...] = (),
    **extra: Any,
) -> Finding:
    adv = advice(rule)
    elements = (flow.id, flow.source, flow.target) if flow else (target,)
    return Finding(
        id=stable_id("COMMS", rule, target, flow.id if flow else "", *key),
        kind=FindingKind.COMMUNICATION,
        rule=rule,
        title=f"{adv.title}: {target}" + (f" ({flow.id})" if flow else "") + (f" — {', '.join(key)}" if key else ""),
        severity=sev,
        elements=elements,
        references=tuple(dict.fromkeys((*refs, *adv.sources))),
        explanation=text,
        details={"target": target, "recommendation": adv.recommendation, "probe": True, **extra},
    )


def _version_findings(probe: ProbeResult, target: str, flow: Flow | None, declared: tuple[str, ...]) -> list[Finding]:
    out = []
    accepted = probe.accepted
    floor = _ORDER.index(declared[0]) if declared else None
    for version in accepted:
        if floor is not None and _ORDER.index(version) < floor:
            sev = Severity.HIGH if version in _DEPRECATED else Severity.MEDIUM
            text = f"The flow declares {', '.join(declared)} but the server completed a {version} handshake."
            out.append(_f("comms.version-below-declared", target, flow, sev, text, version, version=version))
        elif version in _DEPRECATED:
            text = f"The server accepts {version}, deprecated by RFC 8996."
            out.append(_f("comms.deprecated-tls", target, flow, Severity.MEDIUM, text, version, version=version))
    for version in declared:
        if version not in accepted and not any(
            v.version == version and v.error and "not testable" in v.error for v in probe.versions
        ):
            text = f"The flow declares {version} but the server refused it."
            out.append(_f("comms.version-not-offered", target, flow, Severity.LOW, text, version, version=version))
    return out


def _cipher_findings(probe: ProbeResult, target: str, flow: Flow | None) -> list[Finding]:
    table = {s.name: s for s in weak_suites().values()}
    out = []
    for v in probe.versions:
        for name, how in [(v.cipher, "chose"), *((w, "accepts") for w in v.weak_ciphers_accepted)]:
            weak = table.get(name or "")
            if weak is None:
                continue
            text = f"With {v.version} the server {how} {name}: {weak.reason}."
            out.append(
                _f(
                    "comms.weak-cipher",
                    target,
                    flow,
                    Severity(weak.severity),
                    text,
                    v.version,
                    name or "",
                    cipher=name,
                    weakness=weak.weakness,
                    refs=weak.sources,
                )
            )
    return out


def _cert_findings(probe: ProbeResult, target: str, flow: Flow | None) -> list[Finding]:
    if not probe.certificates:
        return []
    leaf = probe.certificates[0]
    problems: list[tuple[Severity, str, str]] = []
    if leaf.expired:
        problems.append((Severity.HIGH, "expired", f"expired on {leaf.not_after}"))
    elif leaf.not_yet_valid:
        problems.append((Severity.HIGH, "not yet valid", f"is not valid before {leaf.not_before}"))
    elif leaf.days_left < _EXPIRY_WARNING_DAYS:
        problems.append((Severity.LOW, "expires soon", f"expires in {leaf.days_left} days"))
    if leaf.hostname_match is False:
        names = ", ".join(leaf.names) or "none"
        problems.append((Severity.MEDIUM, "hostname mismatch", f"does not name {probe.host} (names: {names})"))
    if leaf.key_size and leaf.key_size < _MIN_KEY.get(leaf.key_type, 0):
        problems.append((Severity.HIGH, "weak key", f"has a {leaf.key_type} key of {leaf.key_size} bits, below 2048"))
    if leaf.signature_hash in ("md5", "sha1"):
        problems.append((Severity.HIGH, "weak signature", f"is signed with {leaf.signature_hash}"))
    if leaf.self_signed:
        problems.append((Severity.LOW, "self-signed", "is self-signed"))
    return [
        _f("comms.certificate-problem", target, flow, sev, f"The server certificate {text}.", label)
        for sev, label, text in problems
    ]


def compare_probe(probe: ProbeResult, flow: Flow | None = None, model: SystemModel | None = None) -> list[Finding]:
    """Findings of a probe on its own, and against ``flow``'s declared stack and contract when given."""
    target = f"{probe.host}:{probe.port}"
    declared = declared_tls(flow, model) if flow else ()
    out = [
        *_version_findings(probe, target, flow, declared),
        *_cipher_findings(probe, target, flow),
        *_cert_findings(probe, target, flow),
    ]
    if flow is not None and _mutual(flow) and probe.client_certificate in ("not-required", "requested"):
        text = (
            f"The flow declares mutual authentication; the server's client certificate is {probe.client_certificate}."
        )
        out.append(_f("comms.client-cert-not-required", target, flow, Severity.HIGH, text))
    return sorted({f.id: f for f in out}.values(), key=lambda f: (-f.severity.rank, f.rule, f.id))
