"""Plain-text rendering of terms and SPARQL results (used by ``medsec kb show`` and ``medsec kb query``)."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from medsecurance._internal.io import canonical_json

if TYPE_CHECKING:  # pragma: no cover
    from medsecurance.kb import KnowledgeBase, Term
    from medsecurance.kb.rdf import QueryResult

__all__ = ["render_rows", "render_term"]


def _name(kb: KnowledgeBase, iri: str) -> str:
    term = kb.term_by_iri(iri)
    if term is None:
        return iri.rsplit("#", 1)[-1] + " (not in the knowledge base)"
    return f"{term.id} [{term.kind}] {term.label}"


def render_term(kb: KnowledgeBase, term: Term) -> str:
    """A plain-text card for one term with its outgoing and incoming links."""
    lines = [f"{term.id}  [{term.kind}]", f"  label:      {term.label}", f"  definition: {term.definition}",
             f"  source:     {term.source}", f"  iri:        {term.iri}"]
    if term.aliases:
        lines.append(f"  aliases:    {', '.join(term.aliases)}")
    lines.extend(f"  {key}: {value}" for key, value in term.attributes)
    outgoing = kb.links_out(term)
    if outgoing:
        lines.append("links out:")
        lines.extend(f"  {pred} -> {_name(kb, target)}" for pred, target in outgoing)
    incoming = kb.links_in(term)
    if incoming:
        lines.append("links in:")
        lines.extend(f"  {_name(kb, source)} --{pred}-->" for pred, source in incoming)
    return "\n".join(lines) + "\n"


def render_rows(result: QueryResult, fmt: str) -> str:
    """SPARQL results as an aligned table, JSON (list of objects) or CSV."""
    if fmt == "json":
        return canonical_json([dict(zip(result.variables, row, strict=True)) for row in result.rows])
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([["" if c is None else c for c in row] for row in result.rows])
        return buf.getvalue()
    cells = [list(result.variables)] + [["" if c is None else c for c in row] for row in result.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(result.variables))]
    out = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    out.insert(1, "  ".join("-" * w for w in widths))
    out.append(f"({len(result.rows)} rows)")
    return "\n".join(out) + "\n"
