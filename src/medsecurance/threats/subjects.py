"""Subjects: the model elements rules are matched against, with the facts conditions read.

A subject is a component, one interface of a component, or a flow. Its facts combine what the
model says with what the knowledge base knows (type ancestry, protocol properties, life-sustaining
defaults), computed once per subject so that compiled conditions are plain look-ups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from medsecurance.model.graph import ModelIndex
from medsecurance.model.schema import Asset, Component, Flow, Interface

if TYPE_CHECKING:
    from medsecurance.kb import KnowledgeBase, Protocol

__all__ = ["Facts", "Subject", "iter_subjects"]

#: component types reachable from the internet by their nature (KB device types)
INTERNET_FACING_TYPES = ("CloudBackend", "ClinicianPortal", "RemoteServiceGateway", "VPNGateway")
#: controls that only hold for a flow when its stack provides the property end to end
_CHANNEL_CONTROLS = {"transport-encryption": "confidentiality", "mutual-tls": "peer_authentication"}
#: properties a protocol stack can provide (attribute names of kb.Protocol)
PROPERTIES = ("confidentiality", "integrity", "peer_authentication", "replay_protection", "mitm_resistance")


_T = TypeVar("_T")


class _cached(Generic[_T]):  # a drop-in for functools.cached_property
    """Like :class:`functools.cached_property`, without its per-instance lock.

    Python 3.11's version takes a lock on every first access; subjects are built and read on
    one thread, and ~100,000 such first accesses are made on a large model.
    """

    def __init__(self, fn: Callable[[Any], _T]) -> None:
        """Wrap the method computing the value."""
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        """Remember the attribute name the value is cached under."""
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> _cached[_T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> _T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> _T | _cached[_T]:
        """Compute once, then the instance attribute shadows this (non-data) descriptor."""
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Facts:
    """Shared context for building subjects: the model index, the KB and the analysis date.

    Every knowledge-base look-up the conditions make goes through a per-run cache here: rules
    ask the same questions about thousands of elements.
    """

    def __init__(self, index: ModelIndex, kb: KnowledgeBase, as_of: dt.date) -> None:
        """Wrap the model index and KB for one analysis run."""
        self.index = index
        self.kb = kb
        self.as_of = as_of
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._protocols: dict[str, Protocol | None] = {}
        self._types: dict[str, frozenset[str]] = {}
        self._hazard_rank: dict[str, int] = {}
        # keyed by id(): components and assets belong to the model, which outlives this object
        self._iface_kinds: dict[int, frozenset[str]] = {}
        self._categories: dict[int, frozenset[str]] = {}
        self._stacks: dict[tuple[str, ...], tuple[tuple[Protocol, ...], frozenset[str]]] = {}
        self._controls: dict[tuple[str, ...], frozenset[str]] = {}
        self._hazard_ids: dict[tuple[str, ...], list[str]] = {}

    def resolve(self, name: str, kind: str) -> str | None:
        """Canonical KB id of a name (cached)."""
        key = (name, kind)
        try:
            return self._resolved[key]
        except KeyError:
            found = self._resolved[key] = self.kb.resolve(name, kind)
            return found

    def protocol(self, name: str) -> Protocol | None:
        """KB protocol record for a stack entry (None when the KB does not know it)."""
        try:
            return self._protocols[name]
        except KeyError:
            canonical = self.resolve(name, "protocol")
            found = self._protocols[name] = self.kb.index.protocols.get(canonical) if canonical else None
            return found

    def types_of(self, type_name: str) -> frozenset[str]:
        """The type and all its KB super-types (canonical ids)."""
        try:
            return self._types[type_name]
        except KeyError:
            canonical = self.resolve(type_name, "device-type")
            found = frozenset((canonical, *self.kb.ancestors(canonical))) if canonical else frozenset()
            self._types[type_name] = found
            return found

    def hazard_rank(self, asset_id: str) -> int:
        """Worst severity rank (1–5) of the hazards an asset leads to (0: none)."""
        try:
            return self._hazard_rank[asset_id]
        except KeyError:
            rank = max((h.severity.rank for h in self.index.hazards_of_asset(asset_id)), default=0)
            self._hazard_rank[asset_id] = rank
            return rank

    def life_sustaining(self, comp: Component) -> bool:
        """Model override, else the KB default of the component's type."""
        if comp.life_sustaining is not None:
            return comp.life_sustaining
        canonical = self.resolve(comp.type, "device-type")
        dtype = self.kb.index.device_types.get(canonical) if canonical else None
        return bool(dtype and dtype.life_sustaining)

    def interface_kinds(self, comp: Component) -> frozenset[str]:
        """Canonical kinds of a component's enabled interfaces (cached per component)."""
        try:
            return self._iface_kinds[id(comp)]
        except KeyError:
            kinds = frozenset(self.resolve(i.kind, "interface") or i.kind for i in comp.interfaces if i.enabled)
            self._iface_kinds[id(comp)] = kinds
            return kinds

    def data_categories(self, asset: Asset) -> frozenset[str]:
        """Canonical data categories of an asset (cached per asset)."""
        try:
            return self._categories[id(asset)]
        except KeyError:
            cats = frozenset(self.resolve(c, "data-category") or c for c in asset.data_categories)
            self._categories[id(asset)] = cats
            return cats

    def stack(self, stack: tuple[str, ...]) -> tuple[tuple[Protocol, ...], frozenset[str]]:
        """(KB records of the entries the KB knows, entries and their canonical ids) of a stack (cached).

        Subjects with equal stacks share one result: signatures holding it then compare by identity.
        """
        try:
            return self._stacks[stack]
        except KeyError:
            protocols = tuple(p for p in (self.protocol(n) for n in stack) if p is not None)
            found = self._stacks[stack] = (protocols, frozenset(p.id for p in protocols) | frozenset(stack))
            return found

    def canonical_controls(self, names: tuple[str, ...]) -> frozenset[str]:
        """Control ids as the KB spells them (unknown names kept as written; cached per list of names).

        Components mostly repeat a few control lists: the cache saved ~15 ms of 25,000 calls on
        a 5,000-component model.
        """
        try:
            return self._controls[names]
        except KeyError:
            found = self._controls[names] = frozenset(self.resolve(n, "control") or n for n in names)
            return found

    def hazard_ids(self, assets: tuple[Asset, ...]) -> list[str]:
        """Sorted ids of the hazards the assets lead to (cached per list of assets: do not modify)."""
        key = tuple(a.id for a in assets)
        try:
            return self._hazard_ids[key]
        except KeyError:
            found = self._hazard_ids[key] = sorted({h.id for a in key for h in self.index.hazards_of_asset(a)})
            return found


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

    @_cached
    def owners(self) -> tuple[Component, ...]:
        """The component(s) the subject belongs to (both ends for a flow; read ~100,000× on a large model)."""
        if self.kind == "flow":
            return tuple(c for c in (self.source, self.target) if c is not None)
        return (self.component,) if self.component is not None else ()

    @_cached
    def types(self) -> frozenset[str]:
        """KB types (with super-types) of the owner(s)."""
        owners = self.owners
        if len(owners) == 1:  # the shared cached set: signatures holding it then compare by identity
            return self.facts.types_of(owners[0].type)
        out: frozenset[str] = frozenset()
        for comp in owners:
            out |= self.facts.types_of(comp.type)
        return out

    @_cached
    def controls(self) -> frozenset[str]:
        """Controls present: the owners' controls and their zones' countermeasures."""
        names: list[str] = []
        zones = self.facts.index.zones
        for comp in self.owners:
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

    @_cached
    def protocols(self) -> tuple[Protocol, ...]:
        """KB records of the stack entries the KB knows."""
        return self.facts.stack(self.stack)[0]

    def provides(self, prop: str, *, end_to_end: bool) -> bool:
        """Does any protocol in the stack provide ``prop`` (end-to-end only, if asked)?"""
        return any(getattr(p, prop) and (not end_to_end or p.scope != "link") for p in self.protocols)

    @_cached
    def canonical_stack(self) -> frozenset[str]:
        """Stack entries as canonical KB ids."""
        return self.facts.stack(self.stack)[1]

    @_cached
    def worst_hazard_rank(self) -> int:
        """Worst ISO 14971 severity rank (1–5) reachable through the subject's assets (0: none)."""
        return max((self.facts.hazard_rank(a.id) for a in self.assets), default=0)

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
    """Every component, interface and flow of the model, in model order."""
    index = facts.index
    for comp in index.model.components:
        assets = index.assets_of_component(comp.id)
        yield Subject("component", comp.id, facts, component=comp, assets=assets, elements=(comp.id,))
        for iface in comp.interfaces:
            if not iface.enabled:
                continue
            yield Subject("interface", f"{comp.id}.{iface.id}", facts, component=comp, interface=iface,
                          stack=iface.protocol, assets=assets, elements=(comp.id, f"{comp.id}.{iface.id}"))
    for flow in index.model.flows:
        src, dst = index.components.get(flow.source), index.components.get(flow.target)
        assets = tuple(index.assets[a] for a in flow.data if a in index.assets)
        yield Subject("flow", flow.id, facts, flow=flow, source=src, target=dst, stack=_flow_stack(index, flow),
                      assets=assets, elements=(flow.id, flow.source, flow.target))
