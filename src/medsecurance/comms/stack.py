"""Protocol-stack analysis: the effective security properties of each flow against its data's needs.

Each layer of a flow's stack contributes the properties the knowledge base gives it. Layers of
``link`` scope (Wi-Fi, Bluetooth) protect one hop only; ``end-to-end`` layers (TLS, SSH) protect the
whole session. A layer without MITM resistance (BLE Just Works) gives no assurance against an
active attacker. The result is compared with the confidentiality and integrity needs of the
assets a flow carries and with the security-level target of its conduit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medsecurance.comms._tables import advice, category_needs, conduit_requirements
from medsecurance.comms.catalogue import ProtocolProps, view_of
from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.model.schema import Component, Flow, Interface, Need, SystemModel

__all__ = ["FlowProfile", "flow_needs", "profile_flow", "stack_findings"]

_PROPS = ("confidentiality", "integrity", "replay_protection")
_MUTUAL = {"mutual-tls", "mutualtls", "certificate", "client-certificate"}
_HIGH_HARM = {"critical", "catastrophic"}


@dataclass(frozen=True)
class FlowProfile:
    """The declared stack of one flow and the protection it gives."""

    flow: Flow
    stack: tuple[str, ...]
    layers: tuple[ProtocolProps, ...]
    unknown: tuple[str, ...]
    end_to_end: dict[str, bool]
    link: dict[str, bool]
    mitm_resistant: dict[str, bool]
    peer_authentication: str
    client_authentication: str | None
    needs: dict[str, Need]
    data_categories: tuple[str, ...]
    harm_critical: bool

    @property
    def ids(self) -> tuple[str, ...]:
        """Knowledge-base ids of the known layers."""
        return tuple(layer.id for layer in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """JSON form of the declared properties."""
        return {
            "flow": self.flow.id,
            "from": self.flow.source,
            "to": self.flow.target,
            "stack": list(self.stack),
            "resolved": list(self.ids),
            "unknown": list(self.unknown),
            "end_to_end": dict(sorted(self.end_to_end.items())),
            "link": dict(sorted(self.link.items())),
            "mitm_resistant": dict(sorted(self.mitm_resistant.items())),
            "peer_authentication": self.peer_authentication,
            "client_authentication": self.client_authentication,
            "deprecated": sorted(layer.id for layer in self.layers if layer.deprecated),
            "needs": {k: v.value for k, v in sorted(self.needs.items())},
            "data_categories": list(self.data_categories),
        }


def _via_interface(model: SystemModel, flow: Flow) -> Interface | None:
    if not flow.via:
        return None
    if "." in flow.via:
        comp_id, _, iface_id = flow.via.partition(".")
        comp = model.component(comp_id)
        if comp is not None and comp.interface(iface_id) is not None:
            return comp.interface(iface_id)
    for comp_id in (flow.target, flow.source):
        comp: Component | None = model.component(comp_id)  # type: ignore[no-redef]
        if comp is not None and comp.interface(flow.via) is not None:
            return comp.interface(flow.via)
    return None


def _stack(model: SystemModel, flow: Flow, kb: Any) -> tuple[str, ...]:
    """The flow's stack, with link-scope layers of its interface prepended when not declared."""
    iface = _via_interface(model, flow)
    declared = flow.protocol or (iface.protocol if iface else ())
    if not iface or not flow.protocol:
        return tuple(declared)
    extra = []
    for name in iface.protocol:
        props = view_of(kb, name)
        if props is not None and props.scope == "link" and name not in declared:
            extra.append(name)
    return (*extra, *declared)


def flow_needs(model: SystemModel, flow: Flow) -> tuple[dict[str, Need], tuple[str, ...], bool]:
    """Confidentiality and integrity needs of the data a flow carries, its data categories, and
    whether an integrity loss can lead to critical or catastrophic harm."""
    assets = {a.id: a for a in model.assets}
    hazards = {h.id: h for h in model.hazards}
    needs = {"confidentiality": Need.NONE, "integrity": Need.NONE}
    categories: set[str] = set()
    harm = False
    for asset_id in flow.data:
        asset = assets.get(asset_id)
        if asset is None:
            continue
        categories.update(asset.data_categories)
        for prop in needs:
            level: Need = getattr(asset, prop)
            implied = [Need(category_needs(prop)[c]) for c in asset.data_categories if c in category_needs(prop)]
            needs[prop] = max([needs[prop], level, *implied], key=lambda n: n.rank)
        harm = harm or any(h in hazards and hazards[h].severity.value in _HIGH_HARM for h in asset.hazards)
    return needs, tuple(sorted(categories)), harm


def _authentication(model: SystemModel, flow: Flow, layers: tuple[ProtocolProps, ...]) -> tuple[str, str | None]:
    iface = _via_interface(model, flow)
    declared = flow.authentication or (iface.authentication if iface else None)
    client = None if declared in (None, "none") else declared
    e2e_auth = any(x.peer_authentication and x.mitm_resistance and x.scope != "link" for x in layers)
    if not e2e_auth:
        return "none", client
    return ("mutual" if client in _MUTUAL else "server"), client


def profile_flow(model: SystemModel, flow: Flow, kb: Any) -> FlowProfile:
    """Resolve a flow's stack in the catalogue and derive its effective protection."""
    stack = _stack(model, flow, kb)
    layers: list[ProtocolProps] = []
    unknown: list[str] = []
    for name in stack:
        props = view_of(kb, name)
        (layers.append(props) if props is not None else unknown.append(name))
    e2e = {p: any(getattr(x, p) for x in layers if x.scope != "link") for p in _PROPS}
    link = {p: any(getattr(x, p) for x in layers if x.scope == "link") for p in _PROPS}
    mitm = {p: any(getattr(x, p) and x.mitm_resistance for x in layers) for p in _PROPS}
    peer, client = _authentication(model, flow, tuple(layers))
    needs, categories, harm = flow_needs(model, flow)
    return FlowProfile(
        flow, stack, tuple(layers), tuple(unknown), e2e, link, mitm, peer, client, needs, categories, harm
    )


def _severity(need: Need, *, drop: int = 0, harm: bool = False) -> Severity:
    rank = max(1, need.rank - drop)
    if harm and need is Need.HIGH and drop == 0:
        return Severity.CRITICAL
    return (Severity.INFO, Severity.LOW, Severity.MEDIUM, Severity.HIGH)[rank]


def _finding(rule: str, prof: FlowProfile, severity: Severity, explanation: str, *key: str) -> Finding:
    adv = advice(rule, prof.ids)
    flow = prof.flow
    return Finding(
        id=stable_id("COMMS", rule, flow.id, *key),
        kind=FindingKind.COMMUNICATION,
        rule=rule,
        title=f"{adv.title}: {flow.id} ({flow.source} → {flow.target})",
        severity=severity,
        elements=(flow.id, flow.source, flow.target),
        references=adv.sources,
        explanation=explanation,
        details={"flow": flow.id, "recommendation": adv.recommendation, "stack": list(prof.stack)},
    )


def _protection_findings(prof: FlowProfile) -> list[Finding]:
    out: list[Finding] = []
    link_only: list[str] = []
    for prop, rule in (("confidentiality", "comms.cleartext-sensitive"), ("integrity", "comms.integrity-unprotected")):
        need = prof.needs[prop]
        if need is Need.NONE or prof.end_to_end[prop]:
            continue
        if prof.link[prop]:
            link_only.append(prop)
            continue
        harm = prof.harm_critical and prop == "integrity"
        text = f"The data carried needs {prop} '{need.value}' but no layer of [{', '.join(prof.stack)}] provides it."
        out.append(_finding(rule, prof, _severity(need, harm=harm), text))
    if link_only:
        need = max((prof.needs[p] for p in link_only), key=lambda n: n.rank)
        text = f"{' and '.join(link_only)} come only from link-scope layers, which end at the next hop."
        out.append(_finding("comms.link-only-protection", prof, _severity(need, drop=1), text))
    return out


def _mitm_findings(prof: FlowProfile) -> list[Finding]:
    # CWE-322: key exchange without entity authentication (Just Works pairing and the like)
    weak = [
        x.id
        for x in prof.layers
        if not x.mitm_resistance
        and ("CWE-322" in x.weaknesses or ((x.confidentiality or x.integrity) and not x.deprecated))
    ]
    exposed = [
        p for p in ("confidentiality", "integrity") if prof.needs[p] is not Need.NONE and not prof.mitm_resistant[p]
    ]
    if not weak or not exposed:
        return []
    need = max((prof.needs[p] for p in exposed), key=lambda n: n.rank)
    text = (
        f"{', '.join(weak)} set up keys without protection against an active attacker, and no other layer "
        f"protects {' and '.join(exposed)}."
    )
    return [_finding("comms.no-mitm-protection", prof, _severity(need), text, *weak)]


def _link_auth_findings(prof: FlowProfile) -> list[Finding]:
    """Weak pairing or shared-key admission on a link layer whose data an end-to-end layer still protects."""
    needed = [p for p in ("confidentiality", "integrity") if prof.needs[p] is not Need.NONE]
    if not needed or not all(prof.mitm_resistant[p] for p in needed):
        return []  # otherwise the no-MITM or missing-protection findings already cover it
    out = []
    for x in prof.layers:
        crypto = x.confidentiality or x.integrity or "CWE-322" in x.weaknesses
        if x.scope == "link" and crypto and not (x.peer_authentication and x.mitm_resistance):
            text = (
                f"{x.id} admits any holder of the shared key or pairs without authentication; the data stays "
                "protected end to end, but the link can be joined or impersonated."
            )
            out.append(_finding("comms.weak-link-authentication", prof, Severity.LOW, text, x.id))
    return out


def _auth_findings(prof: FlowProfile) -> list[Finding]:
    need = prof.needs["integrity"]
    out: list[Finding] = []
    if need.rank >= Need.MEDIUM.rank and prof.peer_authentication == "none":
        text = "No end-to-end layer authenticates the peers, so anyone on the path can impersonate either end."
        out.append(_finding("comms.no-peer-authentication", prof, _severity(need), text))
    elif need is Need.HIGH and prof.peer_authentication == "server" and prof.client_authentication is None:
        text = "Only the server is authenticated; the sender of integrity-critical data is not."
        out.append(_finding("comms.one-way-authentication", prof, Severity.LOW, text))
    if need is Need.HIGH and prof.end_to_end["integrity"] and not prof.end_to_end["replay_protection"]:
        text = "The stack protects integrity but not against replay of recorded messages."
        out.append(_finding("comms.no-replay-protection", prof, Severity.MEDIUM, text))
    return out


def _deprecated_findings(prof: FlowProfile) -> list[Finding]:
    out = []
    top = max(prof.needs.values(), key=lambda n: n.rank)
    for layer in prof.layers:
        if layer.deprecated:
            sev = Severity.HIGH if top is Need.HIGH else Severity.MEDIUM
            weak = f" Known weaknesses: {', '.join(layer.weaknesses)}." if layer.weaknesses else ""
            text = f"{layer.id} is deprecated.{weak}"
            out.append(_finding("comms.deprecated-protocol", prof, sev, text, layer.id))
    for name in prof.unknown:
        text = f"'{name}' is not a protocol id of the knowledge base; it is assumed to provide no protection."
        out.append(_finding("comms.unknown-protocol", prof, Severity.INFO, text, name))
    return out


def _conduit_findings(model: SystemModel, prof: FlowProfile) -> list[Finding]:
    conduit = next((c for c in model.conduits if c.id == prof.flow.conduit), None)
    if conduit is None or conduit.sl_target is None:
        return []
    out = []
    for req in conduit_requirements():
        level = getattr(conduit.sl_target, req["fr"])
        prop = req["property"]
        have = prof.peer_authentication != "none" if prop == "peer_authentication" else prof.end_to_end[prop]
        if level >= req["min_level"] and not have:
            text = f"Conduit {conduit.id} targets {req['fr']} SL {level}, which requires {prop} ({req['source']})."
            out.append(_finding("comms.conduit-requirement", prof, Severity.MEDIUM, text, conduit.id, prop))
    return out


def stack_findings(model: SystemModel, prof: FlowProfile) -> list[Finding]:
    """All protocol-stack findings for one profiled flow."""
    return [
        *_deprecated_findings(prof),
        *_protection_findings(prof),
        *_mitm_findings(prof),
        *_link_auth_findings(prof),
        *_auth_findings(prof),
        *_conduit_findings(model, prof),
    ]
