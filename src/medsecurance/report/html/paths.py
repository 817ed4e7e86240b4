"""Attack paths for the report: the top paths drawn as one graph, and the rows of the path table."""

from __future__ import annotations

from typing import Any

from medsecurance.assessment import AttackPath
from medsecurance.report.html.architecture import node_id
from medsecurance.report.html.diagrams import FAMILY_STYLE, SEVERITY_COLOUR, Diagram, digraph, label, plain
from medsecurance.report.html.facts import Facts

__all__ = ["PATHS_DRAWN", "PATHS_LISTED", "path_diagram", "path_rows", "ranked_paths"]

PATHS_DRAWN = 8
PATHS_LISTED = 100
_RED = SEVERITY_COLOUR["high"]


def ranked_paths(facts: Facts) -> list[AttackPath]:
    """Paths to the most severe hazards first, then the easiest (lowest difficulty), then by id."""
    return sorted(facts.assessment.attack_paths, key=lambda p: (-facts.worst_hazard(p.hazards), p.difficulty, p.id))


def _via(via: str) -> str:
    kind, _, rest = via.partition(":")
    return {"entry": "entry", "flow": "flow", "interface": "interface"}.get(kind, kind) + (f" {rest}" if rest else "")


def path_rows(facts: Facts, paths: list[AttackPath]) -> list[dict[str, Any]]:
    """Table rows for the listed paths (numbered as in the diagram)."""
    rows = []
    for n, p in enumerate(paths[:PATHS_LISTED], start=1):
        worst = max((facts.hazard[h] for h in p.hazards if h in facts.hazard), key=lambda h: h.severity.rank,
                    default=None)
        rows.append({
            "n": n, "id": p.id, "entry": p.entry, "actor": p.actor or "", "target": p.target,
            "chain": [s.element for s in p.steps], "assets": list(p.assets), "hazards": list(p.hazards),
            "worst": worst.severity.value if worst else "", "difficulty": f"{p.difficulty:g}",
            "access": p.access, "privileges": p.privileges, "ui": "yes" if p.user_interaction else "no",
            "controls": [facts.control_label(c) for c in p.controls],
            "steps": [{"element": s.element, "via": _via(s.via), "access": s.access,
                       "difficulty": f"{s.difficulty:g}", "reason": s.reason} for s in p.steps],
        })
    return rows


def path_diagram(facts: Facts, paths: list[AttackPath]) -> Diagram | None:
    """The top paths in one graph: entry points (red) → components; edges name the hop and the path numbers."""
    routes: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for n, p in enumerate(paths[:PATHS_LISTED], start=1):  # distinct routes, numbered as in the table
        key = (p.entry, tuple(s.element for s in p.steps))
        if key in routes or len(routes) < PATHS_DRAWN:
            routes.setdefault(key, []).append(n)
    if not routes:
        return None
    top = [paths[numbers[0] - 1] for numbers in routes.values()]
    g = digraph("Attack paths")
    hops: dict[tuple[str, str, str], list[int]] = {}
    targets = {p.target for p in top}
    comps: list[str] = []
    for p, numbers in zip(top, routes.values(), strict=True):
        prev = node_id("e", p.entry)
        g.node(prev, label(p.entry, "entry point", size=10, colour=_RED), shape="box", fillcolor="#fdf2f2",
               color=_RED)
        for s in p.steps:
            here = node_id("c", s.element)
            if s.element not in comps:
                comps.append(s.element)
            hops.setdefault((prev, here, _via(s.via)), []).extend(numbers)
            prev = here
    for cid in comps:
        c = facts.comp.get(cid)
        fill, border = FAMILY_STYLE[facts.family[cid][0]] if c else ("#ffffff", "#8a94a3")
        lines = []
        if cid in targets:
            hz = sorted({h for p in top if p.target == cid for h in p.hazards})
            lines.append("target · " + ", ".join(hz[:3]) + (" …" if len(hz) > 3 else ""))
        g.node(node_id("c", cid), label(c.name or cid if c else cid, *lines, size=10), fillcolor=fill,
               color=_RED if cid in targets else border, penwidth="2.4" if cid in targets else "1.2",
               URL=f"#el-{cid}", tooltip=plain(cid))
    for (a, b, via), numbers in hops.items():
        shown = sorted(set(numbers))
        text = ", ".join(map(str, shown[:6])) + (f" +{len(shown) - 6}" if len(shown) > 6 else "")
        g.edge(a, b, label=label(via, "path " + text, size=8, bold=False),
               color=_RED, penwidth=str(min(1.0 + 0.5 * len(numbers), 3.5)))
    caption = (f"The {len(top)} highest-ranked distinct routes (most severe hazard first, then easiest). "
               "Edge labels give the hop and the numbers of the paths that use it (see the table).")
    return Diagram("paths", "Attack paths", g.source, caption)
