"""Subjects: the model elements rules are matched against, with the facts conditions read.

A subject is a component, one interface of a component, or a flow. Its facts combine what the
model says with what the knowledge base knows (type ancestry, protocol properties, life-sustaining
defaults), computed once per subject so that compiled conditions are plain look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from medsecurance.model.graph import ModelIndex
from medsecurance.model.schema import Asset, Component, Flow, Interface
from medsecurance.threats._facts import Facts, cached

if TYPE_CHECKING:
    from medsecurance.kb import Protocol

__all__ = ["Facts", "Subject", "iter_subjects"]

#: component types reachable from the internet by their nature (KB device types)
INTERNET_FACING_TYPES = ("CloudBackend", "ClinicianPortal", "RemoteServiceGateway", "VPNGateway")
#: controls that only hold for a flow when its stack provides the property end to end
_CHANNEL_CONTROLS = {"transport-encryption": "confidentiality", "mutual-tls": "peer_authentication"}
#: properties a protocol stack can provide (attribute names of kb.Protocol)
PROPERTIES = ("confidentiality", "integrity", "peer_authentication", "replay_protection", "mitm_resistance")


@dataclass(frozen=True)
class Subject:
    """One element a rule can apply to."""

    kind: str  # component | interface | flow
    id: str
    facts: Facts
    component: Component | None = None
    interface: Interface | None = None
    flow: Flow | None = None
    source: Component | None = None
    target: Component | None = None
    stack: tuple[str, ...] = ()
    assets: tuple[Asset, ...] = ()
    elements: tuple[str, ...] = ()

    @cached
    def owners(self) -> tuple[Component, ...]:
        """The component(s) the subject belongs to (both ends for a flow; read ~100,000× on a large model)."""
        if self.kind == "flow":
            return tuple(c for c in (self.source, self.target) if c is not None)
        return (self.component,) if self.component is not None else ()

    @cached
    def types(self) -> frozenset[str]:
        """KB types (with super-types) of the owner(s)."""
        owners = self.owners
        if len(owners) == 1:  # the shared cached set: signatures holding it then compare by identity
            return self.facts.types_of(owners[0].type)
        out: frozenset[str] = frozenset()
        for comp in owners:
            out |= self.facts.types_of(comp.type)
        return out

    @cached
    def controls(self) -> frozenset[str]:
        """Controls present: the owners' controls and their zones' countermeasures."""
        owners = self.owners
        if len(owners) == 1 and self.kind != "flow":  # shared by a component and its interfaces
            return self.facts.controls_of(owners[0])
        names: list[str] = []
        zones = self.facts.index.zones
        for comp in owners:
            names.extend(comp.controls)
            if comp.zone and comp.zone in zones:
                names.extend(zones[comp.zone].countermeasures)
        present = self.facts.canonical_controls(tuple(names))
        if self.kind == "flow" and self.stack:
            # a channel-protection control claimed by an end does not protect a flow whose own
            # declared stack lacks it (e.g. cleartext LDAP from a server that "has" TLS elsewhere)
            drop = {c for c, prop in _CHANNEL_CONTROLS.items() if not self.provides(prop, end_to_end=True)}
            present = present - drop
        return present

    @cached
    def protocols(self) -> tuple[Protocol, ...]:
        """KB records of the stack entries the KB knows."""
        return self.facts.stack(self.stack)[0]

    def provides(self, prop: str, *, end_to_end: bool) -> bool:
        """Does any protocol in the stack provide ``prop`` (end-to-end only, if asked)?"""
        return any(getattr(p, prop) and (not end_to_end or p.scope != "link") for p in self.protocols)

    @cached
    def canonical_stack(self) -> frozenset[str]:
        """Stack entries as canonical KB ids."""
        return self.facts.stack(self.stack)[1]

    @cached
    def worst_hazard_rank(self) -> int:
        """Worst ISO 14971 severity rank (1–5) reachable through the subject's assets (0: none)."""
        assets = self.assets
        if len(assets) == 1:  # the usual case, without a generator
            return self.facts.hazard_rank(assets[0].id)
        return max((self.facts.hazard_rank(a.id) for a in assets), default=0)

    @property
    def authentication(self) -> str | None:
        """Declared authentication of the interface or flow (falling back to the flow's interface)."""
        if self.interface is not None:
            return self.interface.authentication
        if self.flow is not None:
            if self.flow.authentication:
                return self.flow.authentication
            found = self.facts.index.flow_interface(self.flow)
            return found[1].authentication if found else None
        return None

    @property
    def ports(self) -> tuple[int, ...]:
        """Ports of the interface, or the flow's port."""
        if self.interface is not None:
            return self.interface.ports
        if self.flow is not None and self.flow.port is not None:
            return (self.flow.port,)
        return ()

    def label(self) -> str:
        """A short human name of the subject for explanations."""
        if self.kind == "flow" and self.flow is not None:
            return f"flow {self.flow.id} ({self.flow.source} → {self.flow.target})"
        if self.kind == "interface" and self.component is not None and self.interface is not None:
            return f"interface {self.interface.id} ({self.interface.kind}) of {self.component.id}"
        return f"component {self.id}"


def _flow_stack(index: ModelIndex, flow: Flow) -> tuple[str, ...]:
    if flow.protocol:
        return flow.protocol
    found = index.flow_interface(flow)
    return found[1].protocol if found else ()


def iter_subjects(facts: Facts) -> Iterator[Subject]:
    """Every component, interface and flow of the model, in model order.

    Built without the dataclass ``__init__`` (~3× faster), with the cached facts a subject shares
    with its component or stack (owners, types, protocols) filled in at once.
    """
    index, new, setattr_, stack_of, types_of = facts.index, object.__new__, object.__setattr__, facts.stack, \
        facts.types_of
    no_protocols, no_stack = stack_of(())
    for comp in index.model.components:
        cid, assets, owners, types = comp.id, index.assets_of_component(comp.id), (comp,), types_of(comp.type)
        s = new(Subject)
        setattr_(s, "__dict__", {
            "kind": "component", "id": cid, "facts": facts, "component": comp, "interface": None, "flow": None,
            "source": None, "target": None, "stack": (), "assets": assets, "elements": (cid,),
            "owners": owners, "types": types, "protocols": no_protocols, "canonical_stack": no_stack})
        yield s
        for iface in comp.interfaces:
            if not iface.enabled:
                continue
            sid, stack = f"{cid}.{iface.id}", iface.protocol
            protocols, canonical = stack_of(stack)
            s = new(Subject)
            setattr_(s, "__dict__", {
                "kind": "interface", "id": sid, "facts": facts, "component": comp, "interface": iface,
                "flow": None, "source": None, "target": None, "stack": stack, "assets": assets,
                "elements": (cid, sid), "owners": owners, "types": types, "protocols": protocols,
                "canonical_stack": canonical})
            yield s
    components, all_assets = index.components, index.assets
    pair_types: dict[tuple[str, str], frozenset[str]] = {}  # flows between the same types share one set
    flow_owners: tuple[Component, ...]
    flow_types: frozenset[str] | None
    for flow in index.model.flows:
        src, dst = components.get(flow.source), components.get(flow.target)
        if src is not None and dst is not None:
            flow_owners = (src, dst)
            flow_types = pair_types.get((src.type, dst.type))
            if flow_types is None:
                flow_types = pair_types[(src.type, dst.type)] = types_of(src.type) | types_of(dst.type)
        else:
            flow_owners = (src,) if src is not None else (dst,) if dst is not None else ()
            flow_types = types_of(flow_owners[0].type) if flow_owners else frozenset()
        stack = _flow_stack(index, flow)
        protocols, canonical = stack_of(stack)
        s = new(Subject)
        setattr_(s, "__dict__", {
            "kind": "flow", "id": flow.id, "facts": facts, "component": None, "interface": None, "flow": flow,
            "source": src, "target": dst, "stack": stack,
            "assets": tuple([all_assets[a] for a in flow.data if a in all_assets]),
            "elements": (flow.id, flow.source, flow.target), "owners": flow_owners, "types": flow_types,
            "protocols": protocols, "canonical_stack": canonical})
        yield s
