"""The case as a Graphviz diagram in GSN shapes, each node filled by its evaluated status."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from medsecurance.errors import MissingDependencyError, ReportError

__all__ = ["REPORT_DIAGRAM_NODES", "STATUS_COLOURS", "pruned", "section_html", "to_dot", "to_html", "to_svg"]

#: fill colour per status (colour-blind safe pairs; the status is also written in the node)
STATUS_COLOURS = {"supported": "#d9f0d3", "undeveloped": "#f0f0f0", "stale": "#fee8c8",
                  "challenged": "#e7d4e8", "failed": "#f4c7c3"}
_SHAPES = {"goal": "box", "away-goal": "box", "strategy": "parallelogram", "solution": "circle",
           "context": "box", "assumption": "ellipse", "justification": "ellipse", "module": "tab"}


def to_dot(section: Mapping[str, Any]) -> str:
    """DOT text of the case (top-down, SupportedBy solid arrows, InContextOf hollow arrows)."""
    from medsecurance.report.html.diagrams import digraph, label

    g = digraph("assurance", rankdir="TB")
    for n in section["nodes"]:
        style = "rounded,filled" if n["type"] == "context" else "filled"
        if n.get("undeveloped"):
            style += ",dashed"
        lines = [n["text"][i:i + 48] for i in range(0, min(len(n["text"]), 192), 48)]
        g.node(n["id"], label(n["id"], *lines, f"[{n['status']}]", size=10), shape=_SHAPES[n["type"]],
               style=style, fillcolor=STATUS_COLOURS[n["status"]], tooltip="; ".join(n.get("reasons", ()))[:300],
               fixedsize="false")
        for child in n.get("supported_by", ()):
            g.edge(n["id"], child)
        for ctx in n.get("in_context_of", ()):
            g.edge(n["id"], ctx, arrowhead="empty", style="dashed")
    return str(g.source)


def to_svg(section: Mapping[str, Any]) -> str:
    """SVG laid out by Graphviz ``dot`` (raises a clear error when the program is missing)."""
    import graphviz

    try:
        return str(graphviz.Source(to_dot(section)).pipe(format="svg", encoding="utf-8"))
    except graphviz.ExecutableNotFound as exc:
        raise MissingDependencyError("the SVG diagram of the assurance case (Graphviz 'dot' program)",
                                     "graphviz") from exc
    except graphviz.CalledProcessError as exc:
        raise ReportError(f"dot could not lay out the assurance case: {exc}") from exc


#: the report draws at most this many nodes (breadth-first from the top claim); Graphviz lays out
#: tens of thousands of nodes far too slowly for a report, and a reader cannot use such a picture
REPORT_DIAGRAM_NODES = 200
#: and lists at most this many gaps (the JSON and `medsec assurance` have them all)
REPORT_GAPS = 300


def pruned(section: Mapping[str, Any], limit: int = REPORT_DIAGRAM_NODES) -> dict[str, Any]:
    """The case cut to the first ``limit`` nodes breadth-first from the root (links to cut nodes dropped)."""
    nodes = {n["id"]: n for n in section["nodes"]}
    if len(nodes) <= limit:
        return dict(section)
    keep: list[str] = []
    queue = [section["root"]]
    seen = set(queue)
    while queue and len(keep) < limit:
        current = queue.pop(0)
        keep.append(current)
        node = nodes.get(current, {})
        for child in (*node.get("in_context_of", ()), *node.get("supported_by", ())):
            if child not in seen and child in nodes:
                seen.add(child)
                queue.append(child)
    kept = set(keep)
    out = []
    for node_id in keep:
        n = dict(nodes[node_id])
        n["supported_by"] = [c for c in n.get("supported_by", ()) if c in kept]
        n["in_context_of"] = [c for c in n.get("in_context_of", ()) if c in kept]
        out.append(n)
    return dict(section) | {"nodes": out}


def _summary_html(section: Mapping[str, Any]) -> str:
    s = section["summary"]
    counts = ", ".join(f"{k}: {v}" for k, v in s["claims_by_status"].items() if v)
    gaps = s["gaps"][:REPORT_GAPS]
    rows = "".join(
        f"<tr><td><code>{html.escape(g['node'])}</code></td><td>{html.escape(g['status'])}</td>"
        f"<td>{html.escape(g['reason'])}</td><td>{html.escape(g['close'])}</td></tr>" for g in gaps)
    if len(s["gaps"]) > len(gaps):
        rows += (f"<tr><td colspan=\"4\">… and {len(s['gaps']) - len(gaps)} more gaps "
                 "(all are in assessment.json and <code>medsec assurance</code>).</td></tr>")
    return (f"<p>Top claim <code>{html.escape(section['root'])}</code>: <strong>{html.escape(s['root_status'])}"
            f"</strong>. {s['supported_claims']} of {s['claims']} claims supported "
            f"({s['share_supported'] * 100:.0f} %); {html.escape(counts)}.</p>"
            f"<table><thead><tr><th>Node</th><th>Status</th><th>Why</th><th>What would close it</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def section_html(section: Mapping[str, Any]) -> str:
    """An HTML fragment: summary, gaps and the diagram when ``dot`` is available."""
    from medsecurance.report.html.diagrams import dot_available, svg_inline

    body = _summary_html(section)
    if dot_available():
        shown = pruned(section)
        note = "" if len(shown["nodes"]) == len(section["nodes"]) else (
            f" (the first {len(shown['nodes'])} of {len(section['nodes'])} nodes from the top claim; "
            "<code>medsec assurance --format svg</code> draws all)")
        body += f"<details><summary>Diagram{note}</summary>" + svg_inline(to_svg(shown), "gsn", "Assurance case") \
            + "</details>"
    else:
        body += "<p>(Install Graphviz 'dot' to see the diagram.)</p>"
    return body


def to_html(section: Mapping[str, Any], title: str = "Assurance case") -> str:
    """A standalone HTML page with the summary, the gaps and the diagram."""
    style = ("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
             + "".join(f".{k}{{background:{v}}}" for k, v in STATUS_COLOURS.items()))
    legend = " ".join(f'<span class="{k}" style="padding:2px 6px">{k}</span>' for k in STATUS_COLOURS)
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1><p>{legend}</p>"
            f"{section_html(section)}</body></html>\n")
