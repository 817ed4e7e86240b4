"""Attack paths: from where an attacker stands, through interfaces and flows, to assets that hurt patients.

The model becomes a weighted directed graph: an entry node per entry point, a node per component,
and a sink per critical asset (an asset linked to a hazard). Hop weights come from the effort table
``data/attack_costs.yaml`` and the knowledge base's protocol properties; present controls add effort.
For each (entry point, critical asset) the k cheapest simple paths are found with Yen's algorithm
(networkx ``shortest_simple_paths``); on large models k drops to 1 (Dijkstra) to stay bounded.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from medsecurance.assessment import AttackPath, AttackStep
from medsecurance.findings import stable_id
from medsecurance.model.schema import Component, Interface, Setting
from medsecurance.threats._path_search import Digraph, Edge, dijkstra_path
from medsecurance.threats.subjects import Facts

__all__ = ["DEFAULT_ENTRIES", "PathOptions", "find_attack_paths"]

DEFAULT_ENTRIES = {
    Setting.HOSPITAL: ("internet", "hospital-lan", "rf-proximity", "physical", "supply-chain", "insider"),
    Setting.CLINIC: ("internet", "clinic-lan", "rf-proximity", "physical", "supply-chain", "insider"),
    Setting.HOME: ("internet", "home-network", "rf-proximity", "physical", "supply-chain"),
}
RF_KINDS = frozenset({"BLE", "BluetoothClassic", "NFC", "WiFi", "Zigbee", "MICS", "Cellular", "Inductive"})
LAN_KINDS = frozenset({"Ethernet", "WiFi"})
LAN_ENTRIES = frozenset({"hospital-lan", "clinic-lan", "home-network"})


@dataclass(frozen=True)
class PathOptions:
    """Bounds for the path search."""

    k: int = 3
    exact_limit: int = 400  # above this many components, k is 1 (Dijkstra only)
    max_hops: int = 8


@cache
def _costs() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "data" / "attack_costs.yaml").read_text("utf-8"))
    return data


class _Builder:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.costs = _costs()
        self.out: dict[str, dict[str, Edge]] = {}  # u -> v -> (weight, via, reason)
        # (controls, zone) -> effort a component's controls add (asked ~35,000×; components repeat a few)
        self._control_effort: dict[tuple[tuple[str, ...], str | None], float] = {}
        # (stack, authentication, weak credentials) -> effort: interfaces repeat a few such combinations
        self._iface_effort: dict[tuple[tuple[str, ...], str, bool], float] = {}
        self._comp_effort: dict[int, float] = {}  # id(component) -> control_cost (the model outlives this)
        self._kinds: dict[str, str] = {}  # interface kind as written -> canonical
        self.base = {e: float(c) for e, c in self.costs["entry"].items()}  # entry -> cost of a first foothold
        self._iface_entries: tuple[list[tuple[dict[str, Edge], float]], ...] | None = None
        self.users: dict[str, list[str]] = {}  # component id -> ids of the non-attacker actors using it
        for actor in facts.index.model.actors:
            if actor.attacker is None:
                for cid in dict.fromkeys(actor.uses):
                    self.users.setdefault(cid, []).append(actor.id)

    def add(self, u: str, v: str, weight: float, via: str, reason: str) -> None:
        weight = max(0.5, weight)
        nbrs = self.out.get(u)
        if nbrs is None:
            nbrs = self.out[u] = {}
        old = nbrs.get(v)
        if old is None or old[0] > weight:
            nbrs[v] = (weight, via, reason)

    def kind(self, iface: Interface) -> str:
        try:
            return self._kinds[iface.kind]
        except KeyError:
            kind = self._kinds[iface.kind] = self.facts.resolve(iface.kind, "interface") or iface.kind
            return kind

    def control_effort(self, comp: Component) -> tuple[float, list[str]]:
        table = self.costs["controls"]
        present = sorted(c for c in self.facts.canonical_controls(comp.controls) if c in table)
        zone = self.facts.index.zones.get(comp.zone or "")
        if zone is not None:
            present += sorted(c for c in self.facts.canonical_controls(zone.countermeasures) if c in table)
        return float(sum(table[c] for c in present)), present

    def control_cost(self, comp: Component) -> float:
        """The effort of :meth:`control_effort`, computed once per list of controls and zone."""
        cost = self._comp_effort.get(id(comp))  # not try/except: a miss per component
        if cost is None:
            key = (comp.controls, comp.zone)
            cost = self._control_effort.get(key)
            if cost is None:
                cost = self._control_effort[key] = self.control_effort(comp)[0]
            self._comp_effort[id(comp)] = cost
        return cost

    def iface_effort(self, iface: Interface) -> float:
        """Effort an interface's protections add (memoised on what it depends on: −55 ms on 10,000 interfaces)."""
        creds = iface.credentials
        key = (iface.protocol, iface.authentication, creds.default or creds.shared or creds.hardcoded)
        try:
            return self._iface_effort[key]
        except KeyError:
            effort = self._iface_effort[key] = self._iface_effort_of(*key)
            return effort

    def _iface_effort_of(self, protocol: tuple[str, ...], authentication: str, weak_credentials: bool) -> float:
        prot = self.costs["protections"]
        effort = 0.0
        stack = [p for p in (self.facts.protocol(n) for n in protocol) if p is not None]
        for prop in ("peer_authentication", "integrity", "mitm_resistance"):
            if any(getattr(p, prop) for p in stack):
                effort += prot[prop]
        if authentication.lower() != "none":
            effort += prot["authentication"]
        if weak_credentials:
            effort += prot["weak_credentials"]
        return effort

    def entry_edges(self, entries: list[str], comp: Component) -> None:
        """Edges from each entry point to the component (one pass over its interfaces for all entries)."""
        ctrl = self.control_cost(comp)
        cid = comp.id
        for entry in entries:
            if entry == "supply-chain":
                if comp.sbom or comp.off_the_shelf or comp.update is not None:
                    self.add("entry:supply-chain", cid, self.base[entry] + ctrl, "entry:supply-chain",
                             "third-party software or updates reach it")
            elif entry == "insider":
                users = self.users.get(cid)
                if users:
                    self.add("entry:insider", cid, self.base[entry] + ctrl, "entry:insider",
                             f"legitimately used by {', '.join(users)}")
            elif entry == "internet":
                self.internet_edge("entry:internet", self.base[entry] + ctrl, comp)
        physical, rf, lan = self._by_iface(entries)
        if not (physical or rf or lan):
            return
        kinds = self._kinds
        for iface in comp.interfaces:
            if not iface.enabled or not iface.exposed:
                continue
            if iface.physical:
                fits = physical
            else:
                kind = kinds.get(iface.kind) or self.kind(iface)
                fits = rf if kind in RF_KINDS else []
                if kind in LAN_KINDS:
                    fits = fits + lan
            if fits:
                effort = self.iface_effort(iface)
                via = f"interface:{cid}.{iface.id}"
                reason = f"{'/'.join(iface.protocol) or self.kind(iface)} interface '{iface.id}' reachable"
                # Builder.add, inlined (~12,000 calls); an entry's candidates for this component still
                # come in interface order, so ties keep the first as when each entry was done apart
                for nbrs, base in fits:
                    weight = max(0.5, base + ctrl + effort)
                    old = nbrs.get(cid)
                    if old is None or old[0] > weight:
                        nbrs[cid] = (weight, via, reason)

    def _by_iface(self, entries: list[str]) -> tuple[list[tuple[dict[str, Edge], float]], ...]:
        """(out-edges, base cost) of the physical, RF and LAN entries among ``entries`` (computed once)."""
        if self._iface_entries is None:
            def of(names: Iterable[str]) -> list[tuple[dict[str, Edge], float]]:
                return [(self.out.setdefault(f"entry:{e}", {}), self.base[e]) for e in entries if e in names]

            self._iface_entries = (of(("physical",)), of(("rf-proximity",)), of(LAN_ENTRIES))
        return self._iface_entries

    def internet_edge(self, node: str, cost: float, comp: Component) -> None:
        zone = self.facts.index.zones.get(comp.zone or "")
        types = self.facts.types_of(comp.type)
        facing = {"CloudBackend", "ClinicianPortal", "RemoteServiceGateway", "VPNGateway"} & types
        cellular = [i for i in comp.interfaces if self.kind(i) == "Cellular"]
        if (zone is not None and zone.internet_reachable) or facing or cellular:
            ifaces = [i for i in comp.interfaces if i.enabled and not i.physical]
            effort = min((self.iface_effort(i) for i in ifaces), default=0.0)
            self.add(node, comp.id, cost + effort, "entry:internet", "reachable from the internet")

    def flow_edges(self) -> None:
        lateral = self.costs["lateral"]
        index = self.facts.index
        components, out = index.components, self.out
        # lateral["base"] + (lateral["unauthenticated"] if unauth else 0), as (authenticated, unauthenticated)
        hop = (lateral["base"] + 0, lateral["base"] + lateral["unauthenticated"])
        for flow in index.model.flows:
            ends = ((flow.source, flow.target), (flow.target, flow.source)) if flow.bidirectional \
                else ((flow.source, flow.target),)
            found: Any = False  # the flow's interface, looked up once for both directions
            for src, dst in ends:
                comp = components.get(dst)
                if comp is None or src not in components:
                    continue
                if found is False:
                    found = index.flow_interface(flow)
                    unauth = found is not None and found[1].authentication.lower() == "none"
                    via = f"flow:{flow.id}"
                weight = max(0.5, hop[unauth] + self.control_cost(comp))
                nbrs = out.get(src)  # Builder.add, inlined (~5,000 calls)
                if nbrs is None:
                    nbrs = out[src] = {}
                old = nbrs.get(dst)
                if old is None or old[0] > weight:
                    nbrs[dst] = (weight, via, f"sends {'/'.join(flow.protocol) or 'data'} to {dst}")


def _graph(builder: _Builder, light: bool = False) -> Any:
    if light:
        return Digraph(builder.out)
    import networkx as nx

    g = nx.DiGraph()
    for u in sorted(builder.out):  # networkx keeps insertion order: add in (u, v) order
        nbrs = builder.out[u]
        for v in sorted(nbrs):
            w, via, reason = nbrs[v]
            g.add_edge(u, v, weight=w, via=via, reason=reason)
    return g


def _critical_assets(facts: Facts) -> dict[str, tuple[str, ...]]:
    """Asset id → its hazard ids, for assets linked to at least one hazard."""
    return {a.id: a.hazards for a in facts.index.model.assets if a.hazards}


def _entries(facts: Facts) -> list[tuple[str, str | None]]:
    model = facts.index.model
    declared = [(e.value, a.id) for a in model.actors if a.attacker for e in a.attacker.entry_points]
    if declared:
        return sorted(set(declared), key=lambda x: (x[0], x[1] or ""))
    return [(e, None) for e in DEFAULT_ENTRIES[model.system.setting]]


def find_attack_paths(facts: Facts, options: PathOptions | None = None) -> tuple[AttackPath, ...]:
    """The k cheapest attack paths per (entry point, critical asset), sorted by difficulty."""
    opts = options or PathOptions()
    builder = _Builder(facts)
    model = facts.index.model
    entries = _entries(facts)
    entry_names = sorted({e for e, _ in entries})
    for comp in model.components:
        builder.entry_edges(entry_names, comp)
    builder.flow_edges()
    builder.out = {u: nbrs for u, nbrs in builder.out.items() if nbrs}  # entries that reach nothing
    k = opts.k if len(model.components) <= opts.exact_limit else 1
    g = _graph(builder, light=k == 1)
    assets = _critical_assets(facts)
    for asset_id in assets:
        for comp in model.components:
            if asset_id in comp.assets and comp.id in g:
                if k == 1:
                    g.add_edge(comp.id, f"asset:{asset_id}", (0.0, "holds", ""))
                else:
                    g.add_edge(comp.id, f"asset:{asset_id}", weight=0.0, via="holds", reason="")
    paths: list[AttackPath] = []
    for (entry, actor), asset_id in itertools.product(entries, sorted(assets)):
        src, dst = f"entry:{entry}", f"asset:{asset_id}"
        if src not in g or dst not in g:
            continue
        for nodes in _k_paths(g, src, dst, k):
            if len(nodes) - 2 <= opts.max_hops:
                paths.append(_to_path(g, nodes, entry, actor, asset_id, assets[asset_id], facts))
    return tuple(sorted(paths, key=lambda p: (p.difficulty, p.entry, p.target, p.id)))


def _k_paths(g: Any, src: str, dst: str, k: int) -> list[list[str]]:
    if isinstance(g, Digraph):  # k == 1
        found = dijkstra_path(g.adj, src, dst)
        return [found] if found is not None else []
    import networkx as nx

    if not nx.has_path(g, src, dst):
        return []
    return list(itertools.islice(nx.shortest_simple_paths(g, src, dst, weight="weight"), k))


def _edge(g: Any, u: str, v: str) -> Edge:
    if isinstance(g, Digraph):
        return g.adj[u][v]
    data = g.edges[u, v]
    return data["weight"], data["via"], data["reason"]


def _to_path(g: Any, nodes: list[str], entry: str, actor: str | None, asset: str, hazards: tuple[str, ...],
             facts: Facts) -> AttackPath:
    costs = _costs()
    steps: list[AttackStep] = []
    controls: set[str] = set()
    for u, v in itertools.pairwise(nodes[:-1]):
        weight, via, reason = _edge(g, u, v)
        access = costs["access"][entry] if u.startswith("entry:") else "network"
        steps.append(AttackStep(v, via, access, round(float(weight), 2), reason))
        comp = facts.index.components.get(v)
        if comp is not None:
            controls |= set(facts.canonical_controls(comp.controls))
    target = nodes[-2]
    difficulty = round(sum(s.difficulty for s in steps), 2)
    pid = stable_id("P", entry, actor or "", asset, *nodes[1:-1])
    return AttackPath(pid, entry, actor, target, (asset,), hazards, tuple(steps), difficulty,
                      costs["access"][entry], costs["privileges"].get(entry, "none"), False, tuple(sorted(controls)))
