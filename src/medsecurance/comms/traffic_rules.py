"""The findings of traffic analysis, one small function per rule."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from medsecurance.comms._tables import advice, weak_suites
from medsecurance.comms.dissect import CLEARTEXT_CREDENTIAL_FACT, port_table
from medsecurance.comms.inventory import Inventory
from medsecurance.comms.probe_compare import declared_tls
from medsecurance.comms.stack import flow_needs
from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.model.schema import Need, SystemModel

if TYPE_CHECKING:
    from medsecurance.comms.traffic import Observed

__all__ = ["conversation_findings", "is_external", "unobserved_findings"]

_DEPRECATED_TLS = {"SSL3", "TLS1.0", "TLS1.1"}
_TLS_ORDER = ("SSL3", "TLS1.0", "TLS1.1", "TLS1.2", "TLS1.3")
_NEED_SEVERITY = {Need.LOW: Severity.LOW, Need.MEDIUM: Severity.MEDIUM, Need.HIGH: Severity.HIGH}


def _encrypted(protocol: str) -> bool:
    return protocol.startswith(("TLS", "SSL", "DTLS")) or protocol in port_table()["encrypted"]


def _who(obs: Observed) -> tuple[str, str]:
    c = obs.conversation
    return obs.client_component or c.client, obs.server_component or c.server


def _f(
    rule: str, obs: Observed, sev: Severity, text: str, *key: str, refs: tuple[str, ...] = (), **extra: Any
) -> Finding:
    c = obs.conversation
    client, server = _who(obs)
    adv = advice(rule, (c.protocol,))
    elements = tuple(dict.fromkeys(e for e in ((obs.flow.id if obs.flow else None), client, server) if e))
    return Finding(
        id=stable_id("COMMS", rule, c.client, c.server, str(c.port), c.transport, c.protocol, *key),
        kind=FindingKind.COMMUNICATION,
        rule=rule,
        title=f"{adv.title}: {client} → {server}:{c.port} ({c.protocol})" + (f" — {', '.join(key)}" if key else ""),
        severity=sev,
        elements=elements,
        references=tuple(dict.fromkeys((*refs, *adv.sources))),
        explanation=text,
        details={
            "recommendation": adv.recommendation,
            "observed": {"client": c.client, "server": c.server, "port": c.port, "protocol": c.protocol},
            **extra,
        },
    )


def _declaration(model: SystemModel, obs: Observed, mapped: bool) -> list[Finding]:
    c = obs.conversation
    if obs.flow is not None:
        return []
    if is_external(c.server):
        text = (
            f"{c.client} talked {c.protocol} to the public address {c.server}:{c.port} ({c.connections} connections)."
        )
        return [_f("comms.external-destination", obs, Severity.MEDIUM, text)]
    if not mapped:
        return []
    infra = c.protocol in port_table()["infrastructure"]
    unknown = [ip for ip, comp in ((c.client, obs.client_component), (c.server, obs.server_component)) if comp is None]
    note = f" Host(s) not in the inventory: {', '.join(unknown)}." if unknown else ""
    text = f"No model flow covers {c.protocol} from {_who(obs)[0]} to {_who(obs)[1]} on port {c.port}.{note}"
    return [_f("comms.undeclared-flow", obs, Severity.INFO if infra else Severity.MEDIUM, text)]


def _cleartext(model: SystemModel, obs: Observed) -> list[Finding]:
    c = obs.conversation
    out = []
    for kind in sorted(c.facts.get(CLEARTEXT_CREDENTIAL_FACT, ())):
        text = f"Credentials were sent in cleartext ({kind}) over {c.protocol}."
        out.append(_f("comms.cleartext-credentials", obs, Severity.HIGH, text, kind))
    if obs.flow is None or _encrypted(c.protocol) or c.method == "unknown":
        return out
    needs, categories, _harm = flow_needs(model, obs.flow)
    declared = declared_tls(obs.flow, model)
    need = needs["confidentiality"]
    if need is Need.NONE and not declared:
        return out
    sev = _NEED_SEVERITY.get(need, Severity.MEDIUM)
    why = f"carries {', '.join(categories) or 'data'} with confidentiality need '{need.value}'"
    if declared:
        why += f" and is declared as {'/'.join(declared)}"
    text = f"Flow {obs.flow.id} {why}, but the capture shows cleartext {c.protocol}."
    out.append(_f("comms.cleartext-observed", obs, max(sev, Severity.MEDIUM, key=lambda s: s.rank), text))
    return out


def _tls(model: SystemModel, obs: Observed) -> list[Finding]:
    c = obs.conversation
    out = []
    for version in sorted(c.facts.get("tls_version", ())):
        if version in _DEPRECATED_TLS:
            out.append(_f("comms.deprecated-tls", obs, Severity.HIGH, f"{version} was negotiated.", version))
        declared = declared_tls(obs.flow, model) if obs.flow else ()
        if declared and version in _TLS_ORDER and _TLS_ORDER.index(version) < _TLS_ORDER.index(declared[0]):
            text = f"Flow {obs.flow.id if obs.flow else ''} declares {'/'.join(declared)}; {version} was negotiated."
            out.append(_f("comms.version-below-declared", obs, Severity.MEDIUM, text, version))
    for code in sorted(c.facts.get("cipher_code", ())):
        weak = weak_suites().get(int(code, 16))
        if weak is not None:
            text = f"{weak.name} was negotiated: {weak.reason}."
            sev = Severity(weak.severity)
            out.append(_f("comms.weak-cipher", obs, sev, text, weak.name, refs=weak.sources, cipher=weak.name))
    return out


def conversation_findings(model: SystemModel, obs: Observed, *, mapped: bool) -> list[Finding]:
    """Findings about one observed conversation."""
    return [*_declaration(model, obs, mapped), *_cleartext(model, obs), *_tls(model, obs)]


def unobserved_findings(model: SystemModel, observed: Iterable[Observed], inventory: Inventory) -> list[Finding]:
    """Model flows between inventoried components that the capture never showed."""
    seen = {o.flow.id for o in observed if o.flow is not None}
    known = set(inventory.by_ip.values()) | set(inventory.by_mac.values()) | {c for _n, c in inventory.networks}
    out = []
    for flow in model.flows:
        if flow.id in seen or flow.source not in known or flow.target not in known:
            continue
        adv = advice("comms.unobserved-flow", flow.protocol)
        out.append(
            Finding(
                id=stable_id("COMMS", "comms.unobserved-flow", flow.id),
                kind=FindingKind.COMMUNICATION,
                rule="comms.unobserved-flow",
                title=f"{adv.title}: {flow.id} ({flow.source} → {flow.target})",
                severity=Severity.LOW,
                elements=(flow.id, flow.source, flow.target),
                references=adv.sources,
                explanation=f"Both ends are in the inventory but no conversation matched flow {flow.id}.",
                details={"recommendation": adv.recommendation, "flow": flow.id},
            )
        )
    return out


def is_external(ip: str) -> bool:
    """True for a globally routable address (not private, loopback, link-local or multicast)."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return addr.is_global and not addr.is_multicast
