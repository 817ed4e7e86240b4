"""Graphviz diagrams for the HTML report: DOT building helpers and rendering to inline, id-safe SVG.

DOT is built with the ``graphviz`` package and laid out by the ``dot`` program when it is on the
PATH. Without ``dot`` the report embeds the DOT source instead and says so.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import graphviz

__all__ = [
    "EDGE",
    "FAMILY_STYLE",
    "SEVERITY_COLOUR",
    "Diagram",
    "Rendered",
    "digraph",
    "dot_available",
    "esc",
    "label",
    "render_all",
    "svg_inline",
]

FONT = "Helvetica,Arial,sans-serif"
INK = "#243b53"
MUTED = "#627d98"
#: fill and border per component family (restrained, distinguishable in print)
FAMILY_STYLE: dict[str, tuple[str, str]] = {
    "medical": ("#e3f2f7", "#1f6f8b"),
    "clinical": ("#e8eefc", "#3b5bab"),
    "network": ("#f0ecf7", "#6b5b95"),
    "software": ("#e9f5ec", "#3f7f55"),
    "it": ("#f2f4f7", "#5f6b7a"),
    "other": ("#ffffff", "#8a94a3"),
}
#: edge colours by severity, matching the console (critical/high red, medium amber, low cyan, info grey)
SEVERITY_COLOUR: dict[str, str] = {
    "critical": "#9b1c1c", "high": "#d64545", "medium": "#d98e04", "low": "#1b8a9e", "info": "#9aa5b1",
}
EDGE = "#7b8794"


@dataclass(frozen=True)
class Diagram:
    """A diagram to draw: a unique key (used to prefix SVG ids), a title, DOT source, caption and notes."""

    key: str
    title: str
    dot: str
    caption: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    """A diagram with its inline SVG (None without ``dot``) or the error ``dot`` reported."""

    diagram: Diagram
    svg: str | None
    error: str | None = None


def esc(text: object, limit: int = 80) -> str:
    """Text for a Graphviz HTML-like label: whitespace collapsed, shortened, entities escaped."""
    s = " ".join(str(text).split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return html.escape(s, quote=False)


def label(title: str, *lines: str, size: int = 11, bold: bool = True, colour: str = INK) -> str:
    """An HTML-like label: a title line and smaller grey lines (all text escaped here)."""
    head = f"<B>{esc(title)}</B>" if bold else esc(title)
    parts = [f'<FONT POINT-SIZE="{size}" COLOR="{colour}">{head}</FONT>']
    small = max(8, size - 2)
    parts += [f'<BR/><FONT POINT-SIZE="{small}" COLOR="{MUTED}">{esc(line)}</FONT>' for line in lines if line]
    return "<" + "".join(parts) + ">"


def plain(text: str) -> str:
    """A quoted DOT attribute value with backslashes and ``<…>`` disarmed (tooltips, titles)."""
    return str(graphviz.escape(" ".join(text.split())[:300]))


def digraph(name: str, rankdir: str = "LR", **graph: str) -> graphviz.Digraph:
    """A Digraph with the report's calm house style."""
    g = graphviz.Digraph(name)
    g.attr("graph", rankdir=rankdir, fontname=FONT, fontsize="11", fontcolor=INK, bgcolor="transparent",
           nodesep="0.35", ranksep="0.55", pad="0.2", labeljust="l", **graph)
    g.attr("node", fontname=FONT, fontsize="10", shape="box", style="rounded,filled", penwidth="1.2",
           color=MUTED, fillcolor="#ffffff", margin="0.12,0.06")
    g.attr("edge", fontname=FONT, fontsize="8", color=EDGE, fontcolor=MUTED, arrowsize="0.7", penwidth="1.0")
    return g


def dot_available() -> bool:
    """True when the Graphviz ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


_ID = re.compile(r'\bid="([^"]*)"')
_URLREF = re.compile(r"url\(#([^)]*)\)")
_COMMENT = re.compile(r"<!--.*?-->\n?", re.DOTALL)


def svg_inline(svg: str, prefix: str, title: str = "") -> str:
    """SVG ready to inline in HTML: prolog, doctype and comments removed, every id prefixed to stay unique."""
    start = svg.find("<svg")
    body = _COMMENT.sub("", svg[start:] if start >= 0 else svg)
    body = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = _URLREF.sub(lambda m: f"url(#{prefix}-{m.group(1)})", body)
    aria = html.escape(title, quote=True)
    return body.replace("<svg ", f'<svg role="img" aria-label="{aria}" ', 1).strip()


def _render_one(d: Diagram) -> Rendered:
    try:
        out: Any = graphviz.Source(d.dot).pipe(format="svg", encoding="utf-8")
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr or "")
        first = (stderr.strip().splitlines() or [str(exc)])[0]
        return Rendered(d, None, f"dot could not lay out this diagram: {first}")
    except (graphviz.ExecutableNotFound, OSError) as exc:
        return Rendered(d, None, f"dot could not be run: {exc}")
    return Rendered(d, svg_inline(str(out), f"d-{d.key}", d.title))


def render_all(diagrams: Sequence[Diagram]) -> list[Rendered]:
    """Lay out every diagram with ``dot`` (in parallel; order kept), or return them unrendered without it."""
    if not diagrams or not dot_available():
        return [Rendered(d, None) for d in diagrams]
    with ThreadPoolExecutor(max_workers=min(4, len(diagrams))) as pool:
        return list(pool.map(_render_one, diagrams))
