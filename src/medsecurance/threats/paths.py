"""Attack paths: from where an attacker stands, through interfaces and flows, to assets that hurt patients.

The model becomes a weighted directed graph: an entry node per entry point, a node per component,
and a sink per critical asset (an asset linked to a hazard). Hop weights come from the effort table
``data/attack_costs.yaml`` and the knowledge base's protocol properties; present controls add effort.
For each (entry point, critical asset) the k cheapest simple paths are found with Yen's algorithm
(networkx ``shortest_simple_paths``); on large models k drops to 1 (Dijkstra) to stay bounded.
"""

from __future__ import annotations

import heapq
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
        self.edges: dict[tuple[str, str], tuple[float, str, str]] = {}  # (u, v) -> (weight, via, reason)
        # (controls, zone) -> effort a component's controls add (asked ~35,000×; components repeat a few)
        self._control_effort: dict[tuple[tuple[str, ...], str | None], float] = {}
        # (stack, authentication, weak credentials) -> effort: interfaces repeat a few such combinations
        self._iface_effort: dict[tuple[tuple[str, ...], str, bool], float] = {}

    def add(self, u: str, v: str, weight: float, via: str, reason: str) -> None:
        weight = max(0.5, weight)
        if (u, v) not in self.edges or self.edges[(u, v)][0] > weight:
            self.edges[(u, v)] = (weight, via, reason)

    def kind(self, iface: Interface) -> str:
        return self.facts.resolve(iface.kind, "interface") or iface.kind

    def control_effort(self, comp: Component) -> tuple[float, list[str]]:
        table = self.costs["controls"]
        present = sorted(c for c in self.facts.canonical_controls(comp.controls) if c in table)
        zone = self.facts.index.zones.get(comp.zone or "")
        if zone is not None:
            present += sorted(c for c in self.facts.canonical_controls(zone.countermeasures) if c in table)
        return float(sum(table[c] for c in present)), present

    def control_cost(self, comp: Component) -> float:
        """The effort of :meth:`control_effort`, computed once per list of controls and zone."""
        key = (comp.controls, comp.zone)
        try:
            return self._control_effort[key]
        except KeyError:
            cost = self._control_effort[key] = self.control_effort(comp)[0]
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

    def entry_edges(self, entry: str, comp: Component) -> None:
        base = float(self.costs["entry"][entry])
        ctrl = self.control_cost(comp)
        node = f"entry:{entry}"
        if entry == "supply-chain":
            if comp.sbom or comp.off_the_shelf or comp.update is not None:
                self.add(node, comp.id, base + ctrl, "entry:supply-chain", "third-party software or updates reach it")
            return
        if entry == "insider":
            users = [a.id for a in self.facts.index.model.actors if comp.id in a.uses and a.attacker is None]
            if users:
                self.add(node, comp.id, base + ctrl, "entry:insider", f"legitimately used by {', '.join(users)}")
            return
        if entry == "internet":
            self.internet_edge(node, base + ctrl, comp)
            return
        for iface in comp.interfaces:
            if not iface.enabled or not iface.exposed:
                continue
            kind = self.kind(iface)
            fits = ((entry == "physical" and iface.physical)
                    or (entry == "rf-proximity" and kind in RF_KINDS and not iface.physical)
                    or (entry in LAN_ENTRIES and kind in LAN_KINDS and not iface.physical))
            if fits:
                reason = f"{'/'.join(iface.protocol) or kind} interface '{iface.id}' reachable"
                self.add(node, comp.id, base + ctrl + self.iface_effort(iface), f"interface:{comp.id}.{iface.id}",
                         reason)

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
        for flow in index.model.flows:
            for src, dst in ((flow.source, flow.target), (flow.target, flow.source))[: 2 if flow.bidirectional else 1]:
                comp = index.components.get(dst)
                if comp is None or src not in index.components:
                    continue
                found = index.flow_interface(flow)
                unauth = found is not None and found[1].authentication.lower() == "none"
                ctrl = self.control_cost(comp)
                cost = lateral["base"] + (lateral["unauthenticated"] if unauth else 0) + ctrl
                self.add(src, dst, cost, f"flow:{flow.id}", f"sends {'/'.join(flow.protocol) or 'data'} to {dst}")


class _Digraph:
    """The part of a networkx ``DiGraph`` the k = 1 search uses, without importing networkx (~0.1 s).

    Adjacency keeps networkx's insertion order and edge-data semantics, so :func:`_dijkstra_path`
    visits edges in the same order and finds the same path as ``nx.dijkstra_path``.
    """

    def __init__(self) -> None:
        self.adj: dict[str, dict[str, dict[str, Any]]] = {}
        self.edges = self  # g.edges[u, v] as in networkx

    def add_edge(self, u: str, v: str, **data: Any) -> None:
        """Add (or update the data of) an edge, creating its nodes."""
        self.adj.setdefault(u, {})
        self.adj.setdefault(v, {})
        self.adj[u].setdefault(v, {}).update(data)

    def __contains__(self, node: object) -> bool:
        return node in self.adj

    def __getitem__(self, edge: tuple[str, str]) -> dict[str, Any]:
        return self.adj[edge[0]][edge[1]]

    def has_path(self, src: str, dst: str) -> bool:
        """Is ``dst`` reachable from ``src``?"""
        seen, todo = {src}, [src]
        while todo:
            for nxt in self.adj[todo.pop()]:
                if nxt == dst:
                    return True
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return src == dst


def _dijkstra_path(g: _Digraph, src: str, dst: str) -> list[str]:
    """``nx.dijkstra_path(g, src, dst, weight="weight")``, step for step (same heap order, same ties)."""
    dist: dict[str, float] = {}
    seen: dict[str, float] = {src: 0}
    pred: dict[str, str] = {}
    counter = itertools.count()
    fringe: list[tuple[float, int, str]] = [(0, next(counter), src)]
    while fringe:
        d, _, v = heapq.heappop(fringe)
        if v in dist:
            continue
        dist[v] = d
        if v == dst:
            break
        for u, data in g.adj[v].items():
            vu = d + data.get("weight", 1)
            if u in dist:
                if vu < dist[u]:
                    raise ValueError("Contradictory paths found:", "negative weights?")
            elif u not in seen or vu < seen[u]:
                seen[u] = vu
                heapq.heappush(fringe, (vu, next(counter), u))
                pred[u] = v
    path = [dst]
    while path[-1] in pred:
        path.append(pred[path[-1]])
    return path[::-1]


def _graph(builder: _Builder, light: bool = False) -> Any:
    if light:
        g: Any = _Digraph()
    else:
        import networkx as nx

        g = nx.DiGraph()
    for (u, v), (w, via, reason) in sorted(builder.edges.items()):
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
    for entry in sorted({e for e, _ in entries}):
        for comp in model.components:
            builder.entry_edges(entry, comp)
    builder.flow_edges()
    k = opts.k if len(model.components) <= opts.exact_limit else 1
    g = _graph(builder, light=k == 1)
    assets = _critical_assets(facts)
    for asset_id in assets:
        for comp in model.components:
            if asset_id in comp.assets and comp.id in g:
                g.add_edge(comp.id, f"asset:{asset_id}", weight=0.0, via="holds", reason="")
    paths: list[AttackPath] = []
    for (entry, actor), asset_id in itertools.product(entries, sorted(assets)):
        src, dst = f"entry:{entry}", f"asset:{asset_id}"
        if src not in g or dst not in g or not _has_path(g, src, dst):
            continue
        for nodes in _k_paths(g, src, dst, k):
            if len(nodes) - 2 <= opts.max_hops:
                paths.append(_to_path(g, nodes, entry, actor, asset_id, assets[asset_id], facts))
    return tuple(sorted(paths, key=lambda p: (p.difficulty, p.entry, p.target, p.id)))


def _has_path(g: Any, src: str, dst: str) -> bool:
    if isinstance(g, _Digraph):
        return g.has_path(src, dst)
    import networkx as nx

    return bool(nx.has_path(g, src, dst))


def _k_paths(g: Any, src: str, dst: str, k: int) -> Iterable[list[str]]:
    if isinstance(g, _Digraph):  # k == 1
        return [_dijkstra_path(g, src, dst)]
    import networkx as nx

    return list(itertools.islice(nx.shortest_simple_paths(g, src, dst, weight="weight"), k))


def _to_path(g: Any, nodes: list[str], entry: str, actor: str | None, asset: str, hazards: tuple[str, ...],
             facts: Facts) -> AttackPath:
    costs = _costs()
    steps: list[AttackStep] = []
    controls: set[str] = set()
    for u, v in itertools.pairwise(nodes[:-1]):
        data = g.edges[u, v]
        access = costs["access"][entry] if u.startswith("entry:") else "network"
        steps.append(AttackStep(v, data["via"], access, round(float(data["weight"]), 2), data["reason"]))
        comp = facts.index.components.get(v)
        if comp is not None:
            controls |= set(facts.canonical_controls(comp.controls))
    target = nodes[-2]
    difficulty = round(sum(s.difficulty for s in steps), 2)
    pid = stable_id("P", entry, actor or "", asset, *nodes[1:-1])
    return AttackPath(pid, entry, actor, target, (asset,), hazards, tuple(steps), difficulty,
                      costs["access"][entry], costs["privileges"].get(entry, "none"), False, tuple(sorted(controls)))
