"""The FDA architecture views beyond the global one (premarket guidance V.B.2): multi-patient harm,
updatability/patchability and security use cases — each a diagram plus the table behind it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from medsecurance.report.html.architecture import node_id, stack_text
from medsecurance.report.html.diagrams import EDGE, FAMILY_STYLE, SEVERITY_COLOUR, Diagram, digraph, label, plain
from medsecurance.report.html.facts import Facts

__all__ = ["View", "multi_patient_view", "update_view", "use_case_views"]

_DRAW_LIMIT = 80  # nodes; above this a view is summarised in its table only
_USE_CASES_DRAWN = 12
_RED = SEVERITY_COLOUR["high"]
_OK = "#3f7f55"


@dataclass(frozen=True)
class View:
    """An architecture view: an optional diagram, table rows and a plain-language summary."""

    key: str
    title: str
    summary: str
    diagram: Diagram | None
    rows: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = field(default=())


def _node(g: Any, facts: Facts, cid: str, *lines: str, strong: bool = False) -> None:
    c = facts.comp[cid]
    fill, border = FAMILY_STYLE[facts.family[cid][0]]
    g.node(node_id("c", cid), label(c.name or cid, *lines, size=10), fillcolor=fill,
           color=_RED if strong else border, penwidth="2.4" if strong else "1.2", URL=f"#el-{cid}",
           tooltip=plain(f"{c.name or cid} ({c.type})"))


def _hubs(facts: Facts) -> list[tuple[str, int, list[str]]]:
    """Components whose compromise reaches many patients: (id, patients reached, downstream components)."""
    multi_assets = {a.id for a in facts.model.assets
                    if any(facts.hazard[h].multi_patient for h in a.hazards if h in facts.hazard)}
    out: dict[str, list[str]] = {}
    for f in facts.model.flows:
        if f.source in facts.comp and f.target in facts.comp:
            out.setdefault(f.source, []).append(f.target)
    hubs = []
    for c in facts.model.components:
        down = list(dict.fromkeys(out.get(c.id, ())))
        devices = [d for d in down if facts.family[d][0] == "medical"]
        reach = max(c.patients, sum(facts.comp[d].patients for d in devices))
        if c.patients > 1 or len(devices) >= 2 or set(c.assets) & multi_assets:
            hubs.append((c.id, reach, down))
    return sorted(hubs, key=lambda h: (-h[1], h[0]))


def multi_patient_view(facts: Facts) -> View:
    """Components serving many patients or pushing to many devices, what they push to, and who reaches them."""
    hubs = _hubs(facts)
    paths = facts.assessment.attack_paths
    rows: list[dict[str, Any]] = []
    for cid, reach, down in hubs:
        reaching = sorted({p.entry for p in paths if any(s.element == cid for s in p.steps)})
        rows.append({"id": cid, "name": facts.comp[cid].name or cid, "patients": facts.comp[cid].patients,
                     "reach": reach, "downstream": down, "entries": reaching,
                     "open": len(facts.open_findings(cid)),
                     "hazards": [h for h in facts.asset_hazards(facts.comp[cid].assets)
                                 if facts.hazard[h].multi_patient]})
    summary = (f"{len(hubs)} component(s) can affect several patients at once." if hubs else
               "No component is declared to serve several patients (patients > 1), pushes to two or more "
               "medical devices, or holds an asset linked to a multi-patient hazard.")
    drawn = hubs[:25]
    nodes = {h[0] for h in drawn} | {d for h in drawn for d in h[2]}
    if not drawn or len(nodes) > _DRAW_LIMIT:
        return View("multi-patient", "Multi-patient harm view", summary, None, tuple(rows))
    g = digraph("Multi-patient harm view")
    hub_ids = {h[0] for h in drawn}
    for cid in sorted(nodes, key=list(facts.comp).index):
        c = facts.comp[cid]
        extra = [f"serves {c.patients} patients" if c.patients > 1 else ""]
        _node(g, facts, cid, *extra, strong=cid in hub_ids)
    for f in facts.model.flows:
        if f.source in hub_ids and f.target in nodes:
            sev = facts.weak_flows.get(f.id)
            g.edge(node_id("c", f.source), node_id("c", f.target), label=label(f.id, stack_text(f.protocol), size=9),
                   color=SEVERITY_COLOUR[sev.value] if sev else EDGE, URL=f"#el-{f.id}")
    caption = ("Red-outlined components can affect many patients at once; edges show what they push to. The "
               "table names the attack entry points whose paths pass through each of them.")
    return View("multi-patient", "Multi-patient harm view", summary,
                Diagram("multi", "Multi-patient harm view", g.source, caption), tuple(rows))


def _eos_state(end: dt.date | None, as_of: str) -> str:
    if end is None:
        return "unknown"
    try:
        ref = dt.date.fromisoformat(as_of)
    except ValueError:
        return "declared"
    if end < ref:
        return "past"
    return "soon" if (end - ref).days <= 365 else "ok"


def update_view(facts: Facts) -> View:
    """How software reaches each component: mechanism, signature, source authentication, end of support."""
    rows: list[dict[str, Any]] = []
    for c in facts.model.components:
        u = c.update
        rows.append({"id": c.id, "name": c.name or c.id, "method": u.method if u else "not declared",
                     "signed": u.signed if u else None, "authenticated": u.authenticated_source if u else None,
                     "encrypted": u.encrypted if u else None, "rollback": u.rollback_protection if u else None,
                     "approval": u.user_approval if u else None, "during_therapy": u.during_therapy if u else None,
                     "eos": c.end_of_support.isoformat() if c.end_of_support else "",
                     "eos_state": _eos_state(c.end_of_support, facts.as_of)})
    unsigned = [r for r in rows if r["signed"] is False]
    past = [r for r in rows if r["eos_state"] == "past"]
    summary = (f"{len(rows)} components: {len(unsigned)} take unsigned updates, "
               f"{sum(r['method'] == 'not declared' for r in rows)} declare no update mechanism, "
               f"{len(past)} are past their end of support on {facts.as_of}.")
    g = digraph("Updatability view")
    g.node("x__vendor", label("Manufacturer and supplier releases", size=10), shape="box", fillcolor="#fff7e6",
           color="#c77c02")
    methods = Counter(r["method"] for r in rows)
    for method in sorted(methods):
        g.node(node_id("m", method), label(method, f"{methods[method]} component(s)", size=10),
               shape="box", style="rounded,filled", fillcolor="#f7f9fb", color="#829ab1")
        g.edge("x__vendor", node_id("m", method), color=EDGE)
    if facts.large:
        for (method, signed), n in sorted(Counter((r["method"], r["signed"]) for r in rows).items(),
                                          key=lambda kv: (kv[0][0], str(kv[0][1]))):
            key = f"{method}-{signed}"
            g.node(node_id("g", key), label(f"{n} component(s)", "signed" if signed else "NOT signed", size=10),
                   color=_OK if signed else _RED)
            g.edge(node_id("m", method), node_id("g", key), color=_OK if signed else _RED,
                   style="solid" if signed else "dashed")
    else:
        for r in rows:
            eos = f"end of support {r['eos']}" if r["eos"] else "end of support not declared"
            _node(g, facts, r["id"], eos + (" (passed)" if r["eos_state"] == "past" else ""),
                  strong=r["eos_state"] == "past")
            ok = bool(r["signed"] and r["authenticated"])
            g.edge(node_id("m", r["method"]), node_id("c", r["id"]), color=_OK if ok else _RED,
                   style="solid" if ok else "dashed",
                   label=label("signed" if r["signed"] else "unsigned", size=8, bold=False))
        _firmware_flows(g, facts)
    caption = ("From the release to each component: green edges are signed updates from an authenticated "
               "source, red dashed edges are not. Purple edges are flows that carry firmware in the field.")
    return View("update", "Updatability / patchability view", summary,
                Diagram("update", "Updatability view", g.source, caption), tuple(rows))


def _firmware_flows(g: Any, facts: Facts) -> None:
    firmware = {a.id for a in facts.model.assets if "firmware" in a.data_categories or "firmware" in a.id.lower()}
    for f in facts.model.flows:
        if set(f.data) & firmware and f.source in facts.comp and f.target in facts.comp:
            g.edge(node_id("c", f.source), node_id("c", f.target), color="#6b5b95", penwidth="1.6",
                   label=label(f.id, stack_text(f.protocol), size=8, bold=False), URL=f"#el-{f.id}")


def use_case_views(facts: Facts) -> list[View]:
    """Per safety-relevant asset (one linked to a hazard): the components holding it and the flows carrying it."""
    assets = [a for a in facts.model.assets if a.hazards]
    assets.sort(key=lambda a: (-facts.worst_hazard(a.hazards), facts.model.assets.index(a)))
    holders: dict[str, list[str]] = {}
    for c in facts.model.components:
        for aid in c.assets:
            holders.setdefault(aid, []).append(c.id)
    views = []
    for i, a in enumerate(assets):
        flows = [f for f in facts.model.flows if a.id in f.data and f.source in facts.comp and f.target in facts.comp]
        comps = list(dict.fromkeys([*holders.get(a.id, ()), *(e for f in flows for e in (f.source, f.target))]))
        hz = [facts.hazard[h] for h in a.hazards if h in facts.hazard]
        summary = (f"{a.name or a.id} ({a.kind.value}; C {a.confidentiality.value}, I {a.integrity.value}, "
                   f"A {a.availability.value}) is held by {len(holders.get(a.id, ()))} component(s) and carried "
                   f"by {len(flows)} flow(s). Loss leads to: " + "; ".join(f"{h.id} ({h.severity.value})" for h in hz))
        rows = tuple({"id": f.id, "from": f.source, "to": f.target, "stack": stack_text(f.protocol, full=True),
                      "open": len(facts.open_findings(f.id))} for f in flows)
        diagram = None
        if i < _USE_CASES_DRAWN and comps and len(comps) <= _DRAW_LIMIT:
            g = digraph(f"Use case {a.id}")
            for cid in comps:
                _node(g, facts, cid, "holds it" if cid in holders.get(a.id, ()) else "relays it")
            for f in flows:
                sev = facts.weak_flows.get(f.id)
                g.edge(node_id("c", f.source), node_id("c", f.target), URL=f"#el-{f.id}",
                       label=label(f.id, stack_text(f.protocol), size=9, bold=sev is not None),
                       color=SEVERITY_COLOUR[sev.value] if sev else EDGE, penwidth="2.2" if sev else "1.0")
            diagram = Diagram(f"uc{i}", f"Security use case: {a.name or a.id}", g.source)
        views.append(View(f"uc-{a.id}", f"{a.name or a.id}", summary, diagram, rows))
    return views
