"""The data-flow diagram and the FDA global system view: zones as clusters, trust boundaries dashed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import graphviz

from medsecurance.report.html.diagrams import (
    EDGE,
    FAMILY_STYLE,
    MUTED,
    SEVERITY_COLOUR,
    Diagram,
    digraph,
    label,
    plain,
)
from medsecurance.report.html.facts import Facts

__all__ = ["NETWORK_LAYERS", "data_flow_diagram", "global_view", "node_id", "stack_text"]

#: layers left out of diagram labels (they add no security property); the element section lists the full stack
NETWORK_LAYERS = frozenset({"IPv4", "IPv6", "Ethernet", "TCP", "UDP"})
_BOUNDARY = "#b54747"
_NO_ZONE = "(no zone)"

DrawFn = Callable[[graphviz.Digraph, str], None]


def node_id(kind: str, element_id: str) -> str:
    """A DOT node name that cannot clash across element kinds (no ':' — graphviz reads it as a port)."""
    return f"{kind}__{element_id}"


def stack_text(stack: tuple[str, ...], full: bool = False) -> str:
    """A protocol stack, lowest layer first, for a diagram label."""
    shown = [p for p in stack if full or p not in NETWORK_LAYERS] or list(stack)
    return " › ".join(shown) if shown else "protocol not declared"


def _cluster_attrs(sub: graphviz.Digraph, title: str, dashed: bool) -> None:
    if dashed:
        sub.attr(label=label(title, size=10, colour=_BOUNDARY), style="dashed,rounded", color=_BOUNDARY,
                 penwidth="1.4", fillcolor="transparent")
    else:
        sub.attr(label=label(title, size=10), style="rounded,filled", color="#bcccdc", fillcolor="#f7f9fb",
                 penwidth="1.0")


def _placement(facts: Facts) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Which drawn trust boundary each zone and component sits in; notes for overlaps Graphviz cannot nest."""
    m = facts.model
    zone_tb: dict[str, str] = {}
    comp_tb: dict[str, str] = {}
    notes: list[str] = []
    for tb in m.trust_boundaries:
        for z in tb.zones:
            if z in zone_tb:
                notes.append(f"Zone {z} is also inside trust boundary {tb.id}; it is drawn inside {zone_tb[z]}.")
            else:
                zone_tb[z] = tb.id
        comps = [c for c in tb.components if c in facts.comp]
        zones = {facts.comp[c].zone for c in comps}
        if comps and len(zones) > 1:
            notes.append(f"Trust boundary {tb.id} encloses components of several zones ({', '.join(comps)}); "
                         "it cannot be drawn as one region.")
            continue
        for c in comps:
            if c in comp_tb:
                notes.append(f"Component {c} is also inside trust boundary {tb.id}; drawn inside {comp_tb[c]}.")
            else:
                comp_tb[c] = tb.id
    return zone_tb, comp_tb, notes


def _clusters(g: graphviz.Digraph, facts: Facts, draw: DrawFn) -> list[str]:
    """Zones as clusters inside dashed trust-boundary clusters; components drawn by ``draw``."""
    m = facts.model
    zone_tb, comp_tb, notes = _placement(facts)
    tb_name = {tb.id: tb.name or tb.id for tb in m.trust_boundaries}
    zone_ids = {z.id for z in m.zones}
    members: dict[str, list[str]] = {}
    for c in m.components:
        members.setdefault(c.zone if c.zone in zone_ids else _NO_ZONE, []).append(c.id)
    counter = iter(range(1_000_000))

    def zone_cluster(parent: graphviz.Digraph, zone_id: str, title: str) -> None:
        with parent.subgraph(name=f"cluster_z{next(counter)}") as sub:
            _cluster_attrs(sub, title, dashed=False)
            inner: dict[str, list[str]] = {}
            for cid in members.get(zone_id, ()):
                inner.setdefault(comp_tb.get(cid, ""), []).append(cid)
            for tb_id, cids in inner.items():
                if tb_id:
                    with sub.subgraph(name=f"cluster_t{next(counter)}") as tsub:
                        _cluster_attrs(tsub, f"Trust boundary: {tb_name[tb_id]}", dashed=True)
                        for cid in cids:
                            draw(tsub, cid)
                else:
                    for cid in cids:
                        draw(sub, cid)

    for tb in m.trust_boundaries:
        zones = [z for z in m.zones if zone_tb.get(z.id) == tb.id]
        if zones:
            with g.subgraph(name=f"cluster_t{next(counter)}") as tsub:
                _cluster_attrs(tsub, f"Trust boundary: {tb_name[tb.id]}", dashed=True)
                for z in zones:
                    zone_cluster(tsub, z.id, f"{z.name or z.id} ({z.id})" if z.name else z.id)
    for z in m.zones:
        if z.id not in zone_tb:
            zone_cluster(g, z.id, f"{z.name} ({z.id})" if z.name else z.id)
    if members.get(_NO_ZONE):
        zone_cluster(g, _NO_ZONE, "Components without a zone")
    return notes


def _component(facts: Facts, compact: bool) -> DrawFn:
    def draw(g: graphviz.Digraph, cid: str) -> None:
        c = facts.comp[cid]
        fill, border = FAMILY_STYLE[facts.family[cid][0]]
        open_f = facts.open_findings(cid)
        lines = [] if compact else [f"{cid} · {c.type}"]
        if open_f and not compact:
            lines.append(f"{len(open_f)} open finding{'s' if len(open_f) != 1 else ''} · worst {open_f[0].severity}")
        g.node(node_id("c", cid), label(c.name or cid, *lines, size=10), fillcolor=fill, color=border,
               penwidth="2.0" if c.life_sustaining or facts.family[cid][0] == "medical" else "1.2",
               URL=f"#el-{cid}", tooltip=plain(f"{c.name or cid} ({c.type}, {facts.family[cid][1]})"))

    return draw


def data_flow_diagram(facts: Facts) -> Diagram:
    """Components in zones and trust boundaries, flows labelled with their stacks, weak flows in colour."""
    if facts.large:
        return _aggregate(facts, "dfd", "Data-flow diagram (zones aggregated)", actors=False)
    g = digraph("Data-flow diagram")
    notes = _clusters(g, facts, _component(facts, compact=False))
    for f in facts.model.flows:
        if f.source not in facts.comp or f.target not in facts.comp:
            continue
        sev = facts.weak_flows.get(f.id)
        colour = SEVERITY_COLOUR[sev.value] if sev else EDGE
        g.edge(node_id("c", f.source), node_id("c", f.target),
               label=label(f.id, stack_text(f.protocol), size=9, bold=sev is not None,
                           colour=colour if sev else MUTED),
               color=colour, penwidth="2.2" if sev else "1.0", dir="both" if f.bidirectional else "forward",
               URL=f"#el-{f.id}", tooltip=plain(f"{f.name or f.id}: {stack_text(f.protocol, full=True)}"))
    caption = ("Solid boxes are zones, dashed red outlines trust boundaries. Coloured edges carry open "
               "threat or communication findings (colour = worst severity). Click an element for its section.")
    return Diagram("dfd", "Data-flow diagram", g.source, caption, tuple(notes))


def global_view(facts: Facts) -> Diagram:
    """FDA global system view: every component, the people who use it, threat sources and external networks."""
    if facts.large:
        return _aggregate(facts, "global", "Global system view (zones aggregated)", actors=True)
    g = digraph("Global system view", compound="true")
    notes = _clusters(g, facts, _component(facts, compact=True))
    pairs = sorted({tuple(sorted((f.source, f.target))) for f in facts.model.flows
                    if f.source in facts.comp and f.target in facts.comp})
    for a, b in pairs:
        g.edge(node_id("c", a), node_id("c", b), dir="none", color="#9fb3c8")
    _actors(g, facts, lambda cid: node_id("c", cid))
    for z in facts.model.zones:
        inside = [c.id for c in facts.model.components if c.zone == z.id]
        if z.internet_reachable and inside:
            g.node("x__internet", label("Internet", size=10), shape="ellipse", fillcolor="#fff7e6", color="#c77c02")
            g.edge("x__internet", node_id("c", inside[0]), color="#c77c02", style="bold")
    caption = ("The whole system with the people who operate it and where attackers stand (red, dotted). "
               "Grey lines: components that exchange data; see the data-flow diagram for each flow.")
    return Diagram("global", "Global system view", g.source, caption, tuple(notes))


def _actors(g: graphviz.Digraph, facts: Facts, target: Callable[[str], str]) -> None:
    """People (dashed) linked to what they use; attackers (red) linked to their declared targets."""
    seen: set[tuple[str, str]] = set()
    for a in facts.model.actors:
        prof = a.attacker
        if prof is None:
            g.node(node_id("a", a.id), label(a.name or a.id, a.kind.value, size=9), style="rounded,dashed",
                   fillcolor="#ffffff", color=MUTED)
            ends = [target(u) for u in a.uses if u in facts.comp]
        else:
            entries = ", ".join(e.value for e in prof.entry_points)
            g.node(node_id("a", a.id), label(a.name or a.id, f"attacker · {entries}", size=9, colour=_BOUNDARY),
                   shape="box", style="rounded,filled", fillcolor="#fdf2f2", color=_BOUNDARY)
            ends = [target(t) for t in prof.targets if t in facts.comp]
        for end in dict.fromkeys(ends):
            if (a.id, end) in seen:
                continue
            seen.add((a.id, end))
            g.edge(node_id("a", a.id), end, style="dotted" if prof else "dashed",
                   color=_BOUNDARY if prof else "#9fb3c8", arrowhead="vee" if prof else "none")


def _aggregate(facts: Facts, key: str, title: str, actors: bool) -> Diagram:
    """Large models: one node per zone (with counts), edges with flow counts, boundaries as dashed clusters."""
    m = facts.model
    zone_ids = {z.id for z in m.zones}
    zone_of = {c.id: c.zone if c.zone in zone_ids else _NO_ZONE for c in m.components}
    g = digraph(title)
    zone_tb, _, notes = _placement(facts)
    names = {z.id: z.name or z.id for z in m.zones} | {_NO_ZONE: "Components without a zone"}
    groups: dict[str, list[str]] = {}
    for zid in [*(z.id for z in m.zones), _NO_ZONE]:
        if zid != _NO_ZONE or _NO_ZONE in zone_of.values():
            groups.setdefault(zone_tb.get(zid, ""), []).append(zid)
    members: dict[str, list[str]] = {}
    for cid, zid in zone_of.items():
        members.setdefault(zid, []).append(cid)
    tb_name = {tb.id: tb.name or tb.id for tb in m.trust_boundaries}
    for i, (tb_id, zids) in enumerate(sorted(groups.items(), key=lambda kv: kv[0])):
        with g.subgraph(name=f"cluster_t{i}" if tb_id else f"plain{i}") as sub:
            if tb_id:
                _cluster_attrs(sub, f"Trust boundary: {tb_name[tb_id]}", dashed=True)
            for zid in zids:
                comps = members.get(zid, [])
                fams = Counter(facts.family[c][1] for c in comps)
                top = sorted(fams.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
                mix = ", ".join(f"{n} {lab.lower()}" for lab, n in top)
                open_n = sum(len(facts.open_findings(c)) for c in comps)
                sub.node(node_id("z", zid), label(names[zid], f"{len(comps)} components", mix,
                                                  f"{open_n} open findings"),
                         fillcolor="#f7f9fb", color="#829ab1")
    edges: Counter[tuple[str, str]] = Counter()
    weak: Counter[tuple[str, str]] = Counter()
    for f in m.flows:
        if f.source in zone_of and f.target in zone_of and zone_of[f.source] != zone_of[f.target]:
            pair = (zone_of[f.source], zone_of[f.target])
            edges[pair] += 1
            weak[pair] += f.id in facts.weak_flows
    for (a, b), n in sorted(edges.items()):
        w = weak[(a, b)]
        g.edge(node_id("z", a), node_id("z", b), label=label(f"{n} flows", f"{w} weak" if w else "", size=9),
               color=SEVERITY_COLOUR["high"] if w else EDGE, penwidth="1.0" if n < 10 else "2.0")
    if actors:
        _actors(g, facts, lambda cid: node_id("z", zone_of[cid]))
    caption = (f"{len(m.components)} components are summarised per zone (more than the drawing limit); "
               "each node counts its components and open findings, each edge the flows between two zones.")
    return Diagram(key, title, g.source, caption, tuple(notes))

