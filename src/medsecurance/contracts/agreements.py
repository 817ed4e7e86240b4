"""Assume/guarantee checking over security properties: discharge, contradictions, refinement.

Who can discharge an assumption (documented policy):
- a component's: the flows touching it (declared guarantees and what their protocol stacks provide),
  the components at the other end of those flows, its zone, the conduits of those flows, the environment;
- a flow's: its own protocol stack (not its own declarations), its two endpoints, their zones, its
  conduit, the environment;
- ``elements: [ids]`` on an assumption says what it is about: the named elements and their
  neighbourhoods become providers too; a guarantee with ``elements`` only serves assumptions about
  those elements (zones stand for their components and components for their zones).
The environment's ``assumes`` are requirements on the system: every component named in ``elements``
(zones stand for their components; default: all components) must guarantee them itself
(refinement). Guarantees of a component or flow whose own assumptions are not discharged are not
relied on (saturation G ∨ ¬A), iterated to a fixed point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from medsecurance.contracts._smt import Clause, Outcome, decide
from medsecurance.contracts.interface import ProtocolProps
from medsecurance.contracts.vocabulary import Property, Vocabulary, iter_clauses, tls_version
from medsecurance.model.schema import ContractClause, Flow, SystemModel

__all__ = ["Check", "Contracts", "evaluate"]


@dataclass(frozen=True, slots=True)
class Check:
    """One obligation checked: an assumption with its providers and the solver's outcome."""

    assumption: Clause
    path: tuple[str | int, ...]
    rule: str
    chain: tuple[tuple[str, str], ...]
    channels: Mapping[float, tuple[str, ...]]
    outcome: Outcome
    suspended: tuple[str, ...] = ()
    offered: tuple[Clause, ...] = ()
    via: str | None = None


@dataclass
class Contracts:
    """Guarantees per element (declared and implied) and the model's assumptions, normalised."""

    model: SystemModel
    vocab: Vocabulary
    protocols: Mapping[str, ProtocolProps] | None
    guarantees: dict[str, list[Clause]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    assumptions: list[tuple[Clause, ContractClause, tuple[str | int, ...]]] = field(default_factory=list)
    flows_by: dict[str, list[Flow]] = field(default_factory=dict)
    flow_by_id: dict[str, Flow] = field(default_factory=dict)
    zone_by: dict[str, str] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    declared: dict[str, set[str]] = field(default_factory=dict)

    def build(self) -> Contracts:
        """Collect every clause of the model and every implied guarantee."""
        m = self.model
        for kind, items in (("component", m.components), ("flow", m.flows), ("zone", m.zones), ("conduit", m.conduits)):
            for e in items:
                self.kinds[e.id] = kind
                self.guarantees[e.id] = []
        self.kinds["environment"] = "environment"
        self.guarantees["environment"] = []
        self._index()
        for element, kind, side, _j, raw, path in iter_clauses(m):
            clause = self._clause(element, kind, raw)
            if side == "guarantees":
                self.guarantees[element].append(clause)
            else:
                self.assumptions.append((clause, raw, path))
        for c in m.components:
            self._implied(c.id, "component", c.controls, "control")
        for z in m.zones:
            self._implied(z.id, "zone", z.countermeasures, "countermeasure")
        for k in m.conduits:
            self._implied(k.id, "conduit", k.countermeasures, "countermeasure")
        for f in m.flows:
            self.guarantees[f.id].extend(self._from_stack(f))
        return self

    def _index(self) -> None:
        """Lookup tables so that each obligation costs time proportional to its neighbourhood."""
        for f in self.model.flows:
            self.flow_by_id[f.id] = f
            for end in dict.fromkeys((f.source, f.target)):
                self.flows_by.setdefault(end, []).append(f)
        for comp in self.model.components:
            if comp.zone:
                self.zone_by[comp.id] = comp.zone
                self.members.setdefault(comp.zone, set()).add(comp.id)

    def declared_of(self, prop: str) -> set[str]:
        """Elements that declare a guarantee of ``prop`` themselves."""
        if not self.declared:
            for items in self.guarantees.values():
                for g in items:
                    if g.origin == "declared":
                        self.declared.setdefault(g.prop, set()).add(g.element)
        return self.declared.get(prop, set())

    def prop(self, name: str) -> Property:
        """The vocabulary property (clauses were validated before)."""
        found = self.vocab.resolve(name)
        assert found is not None
        return found

    def _clause(self, element: str, kind: str, raw: ContractClause) -> Clause:
        prop = self.prop(raw.property)
        kinds = prop.params or {}
        tls = next((tls_version(v) for n, v in raw.params.items() if kinds.get(n) == "tls-minimum"), None)
        bounds = tuple(sorted((n, float(v)) for n, v in raw.params.items() if kinds.get(n) == "upper-bound"))
        return Clause(
            element, kind, prop.name, "declared", raw.params.get("holds", True) is not False, tls, None, bounds
        )

    def _implied(self, element: str, kind: str, names: tuple[str, ...], what: str) -> None:
        for prop in self.vocab.properties.values():
            for name in sorted(set(names) & set(prop.controls)):
                self.guarantees[element].append(Clause(element, kind, prop.name, f"{what} {name}"))

    def _from_stack(self, flow: Flow) -> list[Clause]:
        if self.protocols is None or not flow.protocol:
            return []
        out: list[Clause] = []
        known = all(p in self.protocols for p in flow.protocol)
        for prop in self.vocab.properties.values():
            if prop.protocol is None:
                continue
            plain = [p for p in flow.protocol if tls_version(p) is None and p in self.protocols]
            if any(self.protocols[p].provides(prop.protocol) for p in plain):
                out.append(Clause(flow.id, "flow", prop.name, f"protocol {'+'.join(flow.protocol)}"))
                continue
            versions = [(p, tls_version(p)) for p in flow.protocol if tls_version(p) is not None]
            for p, v in versions:
                has = p in self.protocols and self.protocols[p].provides(prop.protocol)
                if has or known:
                    out.append(Clause(flow.id, "flow", prop.name, f"protocol {p}", has, None, v))
            if known and not versions:
                out.append(Clause(flow.id, "flow", prop.name, f"protocol {'+'.join(flow.protocol)}", False))
        return out


def _flows_of(c: Contracts, component: str) -> list[Flow]:
    return c.flows_by.get(component, [])


def _zone_of(c: Contracts, component: str) -> str | None:
    return c.zone_by.get(component)


def _near(c: Contracts, element: str, subject: bool) -> tuple[list[tuple[str, str]], list[Flow]]:
    """The elements around ``element`` that may provide what it (or a clause about it) assumes."""
    chain: list[tuple[str, str]] = []
    flows: list[Flow] = []
    kind = c.kinds.get(element)
    if kind == "component":
        flows = _flows_of(c, element)
        chain += [] if subject else [(element, "named in 'elements'")]
        for f in flows:
            other = f.target if f.source == element else f.source
            chain += [(f.id, f"flow touching {element}"), (other, f"other end of {f.id}")]
            chain += [(f.conduit, f"conduit of {f.id}")] if f.conduit else []
        zone = _zone_of(c, element)
        chain += [(zone, f"zone of {element}")] if zone else []
    elif kind == "flow":
        flow = c.flow_by_id[element]
        flows = [flow]
        chain.append((element, "its protocol stack" if subject else "the channel"))
        for end in (flow.source, flow.target):
            chain.append((end, f"endpoint of {element}"))
            zone = _zone_of(c, end)
            chain += [(zone, f"zone of {end}")] if zone else []
        chain += [(flow.conduit, f"conduit of {element}")] if flow.conduit else []
    elif kind in ("zone", "conduit"):
        chain.append((element, "named in 'elements'"))
    return chain, flows


def _expand(c: Contracts, ids: set[str]) -> set[str]:
    """Ids plus the zones of named components and the components of named zones."""
    out = set(ids)
    for e in ids:
        zone = c.zone_by.get(e)
        out.update((zone,) if zone else ())
        out.update(c.members.get(e, ()))
    return out


def _providers(
    c: Contracts, subject: Clause, named: tuple[str, ...]
) -> tuple[list[tuple[str, str]], list[Flow], set[str]]:
    """(element, relation) pairs that may discharge an assumption, the channels involved, what it is about."""
    chain, flows = _near(c, subject.element, True)
    for e in named:
        if e != subject.element:
            more, more_flows = _near(c, e, False)
            chain += more
            flows += more_flows
    if any(c.kinds.get(e) == "flow" for e in named):
        flows = [f for f in c.model.flows if f.id in named]
    chain.append(("environment", "deployment environment"))
    about = set(named) or {subject.element, *(e for e, r in chain if r.startswith(("zone of", "endpoint of")))}
    unique: dict[str, str] = {}
    for element, relation in chain:
        unique.setdefault(element, relation)
    return list(unique.items()), flows, _expand(c, about)


def _channels(flows: list[Flow]) -> dict[float, tuple[str, ...]]:
    out: dict[float, list[str]] = {}
    for f in flows:
        versions = [v for v in (tls_version(p) for p in f.protocol) if v is not None] or [0.0]
        for v in versions:
            out.setdefault(v, []).append(f.id)
    return {v: tuple(ids) for v, ids in sorted(out.items())}


def _offered(c: Contracts, element: str, relation: str, subject: Clause, suspended: set[str]) -> list[Clause]:
    own = relation == "its protocol stack"
    return [
        g
        for g in c.guarantees.get(element, ())
        if g.prop == subject.prop
        and (not own or g.origin != "declared")
        and not (g.origin == "declared" and element in suspended)
    ]


def evaluate(c: Contracts) -> list[Check]:
    """Check every assumption; guarantees of elements with undischarged assumptions are suspended."""
    suspended: set[str] = set()
    while True:
        checks = [k for a, raw, path in c.assumptions for k in _check(c, a, raw, path, suspended)]
        failed = {k.assumption.element for k in checks if not k.outcome.discharged and k.rule == "discharge"}
        if failed <= suspended:
            return checks
        suspended |= failed


def _check(
    c: Contracts, a: Clause, raw: ContractClause, path: tuple[str | int, ...], suspended: set[str]
) -> list[Check]:
    if a.kind == "environment":
        return _refine(c, a, raw, path)
    if a.kind == "component" and c.prop(a.prop).protocol is not None:
        # a channel property assumed by a component must hold on each channel it names (default: all its flows)
        named = [e for e in raw.elements if c.kinds.get(e) == "flow"]
        channels = named or ([] if raw.elements else [f.id for f in _flows_of(c, a.element)])
        if channels:
            return [_obligation(c, a, path, suspended, *_channel(c, f), via=f) for f in channels]
    return [_obligation(c, a, path, suspended, *_providers(c, a, raw.elements))]


def _channel(c: Contracts, flow_id: str) -> tuple[list[tuple[str, str]], list[Flow], set[str]]:
    """Providers of a channel property on one flow: the flow, its endpoints and zones, its conduit, the environment."""
    chain, flows = _near(c, flow_id, False)
    unique = dict(reversed([*chain, ("environment", "deployment environment")]))
    ordered = [(e, unique[e]) for e in dict.fromkeys(e for e, _ in chain)] + [("environment", unique["environment"])]
    return ordered, flows, _expand(c, {flow_id, *(e for e, r in ordered if r.startswith("endpoint of"))})


def _obligation(
    c: Contracts,
    a: Clause,
    path: tuple[str | int, ...],
    suspended: set[str],
    chain: list[tuple[str, str]],
    flows: list[Flow],
    about: set[str],
    via: str | None = None,
) -> Check:
    """Decide one assumption against the guarantees its providers offer about it."""
    offered = [
        g
        for e, rel in chain
        for g in _offered(c, e, rel, a, suspended)
        if not g.about or _expand(c, set(g.about)) & about
    ]
    channels = _channels(flows)
    outcome = decide(a, offered, tuple(channels))
    declared = c.declared_of(a.prop)
    blocked = tuple(sorted({e for e, _ in chain if e in suspended and e in declared}))
    return Check(a, path, "discharge", tuple(chain), channels, outcome, blocked, tuple(offered), via)


def _refine(c: Contracts, a: Clause, raw: ContractClause, path: tuple[str | int, ...]) -> list[Check]:
    """Environment requirement: one check per component it names (zones stand for their members).

    A requirement is checked against the component's own guarantees as stated (a provider commitment
    such as a patch timeline), so saturation by its runtime assumptions does not apply here.
    """
    targets: list[str] = []
    for e in raw.elements or tuple(x.id for x in c.model.components):
        targets += [x.id for x in c.model.components if x.zone == e] if c.kinds.get(e) == "zone" else [e]
    out: list[Check] = []
    for t in dict.fromkeys(targets):
        subject = Clause(t, c.kinds.get(t, "component"), a.prop, a.origin, a.holds, a.tls_min, None, a.bounds)
        channels = _channels(_flows_of(c, t))
        offered = _offered(c, t, "target", subject, set())
        outcome = decide(subject, offered, tuple(channels))
        out.append(
            Check(
                subject,
                path,
                "refinement",
                (("environment", "requires it of"), (t, "target")),
                channels,
                outcome,
                (),
                tuple(offered),
            )
        )
    return out
