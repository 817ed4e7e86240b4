"""The four FDA architecture views (V.B.2) as SVG (DOT source without Graphviz) with their tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from medsecurance.assurance.package._text import md_table

if TYPE_CHECKING:
    from medsecurance.assurance.package import Files, PackageContext

__all__ = ["architecture_views"]


def architecture_views(ctx: PackageContext) -> Files:
    """Global, multi-patient harm, updatability and security use-case views, reusing the HTML report's diagrams."""
    from medsecurance.report.html import architecture, views
    from medsecurance.report.html.diagrams import Diagram, render_all
    from medsecurance.report.html.facts import build_facts
    from medsecurance.report.interface import ReportContext

    facts = build_facts(ctx.assessment, ReportContext(ctx.loaded, ctx.kb, ctx.assessment))
    fda = [views.multi_patient_view(facts), views.update_view(facts)]
    use_cases = views.use_case_views(facts)
    named: list[tuple[str, Diagram]] = [("1-global-system-view", architecture.global_view(facts))]
    named += [(f"{i + 2}-{v.key}-view", v.diagram) for i, v in enumerate(fda) if v.diagram is not None]
    named += [(f"4-use-case-{v.key[3:]}", v.diagram) for v in use_cases if v.diagram is not None]
    rendered = render_all([d for _, d in named])
    files: Files = {}
    for (name, d), r in zip(named, rendered, strict=True):
        if r.svg is not None:
            files[f"{name}.svg"] = '<?xml version="1.0" encoding="UTF-8"?>\n' + r.svg + "\n"
        files[f"{name}.dot"] = d.dot
    parts = [
        "# Security architecture views (FDA guidance V.B.2)",
        "",
        "Diagrams: `*.svg` (drawn with Graphviz) and their `*.dot` sources.",
        "",
        "## 1. Global system view",
        "",
        architecture.global_view(facts).caption or "",
        "",
    ]
    for i, v in enumerate(fda):
        parts += [f"## {i + 2}. {v.title}", "", v.summary, ""]
        if v.rows:
            keys = list(v.rows[0])
            parts.append(md_table(keys, ([row.get(k) for k in keys] for row in v.rows)))
    parts += ["## 4. Security use case views", ""]
    if not use_cases:
        parts.append(
            "No asset is linked to a hazard in the model, so no safety-relevant use case can be drawn "
            "(not stated in the model).\n"
        )
    for v in use_cases:
        parts += [f"### {v.title}", "", v.summary, ""]
        if v.rows:
            keys = list(v.rows[0])
            parts.append(md_table(keys, ([row.get(k) for k in keys] for row in v.rows)))
    files["architecture-views.md"] = "\n".join(parts)
    return files
