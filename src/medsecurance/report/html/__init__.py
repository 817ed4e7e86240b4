"""The self-contained HTML report: overview, diagrams, FDA architecture views, threats, paths, elements.

One file with inline CSS, SVG and a little JavaScript; nothing is fetched. Sections that other
stages add to the assessment (``risks``, ``zones``, ``assurance`` …) are drawn by the renderer
registered for them in :data:`SECTION_RENDERERS`, or by a generic but readable fallback::

    from medsecurance.report.html import register_section_renderer
    register_section_renderer("zones", lambda value, ctx: my_zone_table_html(value))
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from medsecurance.report.html import architecture, elements, paths, sections, views
from medsecurance.report.html.diagrams import FAMILY_STYLE, Diagram, Rendered, dot_available, render_all
from medsecurance.report.html.facts import FAMILIES, GENERAL_FAMILY, UNKNOWN_FAMILY, Facts, build_facts
from medsecurance.report.interface import ReportContext
from medsecurance.report.section_registry import SECTION_RENDERERS, SectionRenderer, register_section_renderer

if TYPE_CHECKING:
    import jinja2

    from medsecurance.assessment import Assessment

__all__ = ["SECTION_RENDERERS", "HtmlFormat", "SectionRenderer", "register_section_renderer", "render_html"]

# the registry lives in a light module so that stages can register without importing Jinja2


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("medsecurance.report.html", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env


def _asset(name: str) -> str:
    return _environment().loader.get_source(_environment(), name)[0]  # type: ignore[union-attr]


def _extra_sections(assessment: Assessment, ctx: ReportContext) -> list[dict[str, Any]]:
    keys = [k for k in assessment.sections if k not in sections.HANDLED]
    keys.sort(key=lambda k: (sections.ORDER.index(k) if k in sections.ORDER else len(sections.ORDER), k))
    out = []
    ctx = dataclasses.replace(ctx, assessment=assessment)
    for k in keys:
        renderer: SectionRenderer = SECTION_RENDERERS.get(k, sections.generic_section)
        fragment: str = renderer(assessment.sections[k], ctx)
        # trusted: a registered renderer returns HTML it has escaped itself
        out.append({"key": k, "title": sections.section_title(k), "html": Markup(fragment)})
    return out


def _warnings(assessment: Assessment) -> list[tuple[str, str]]:
    def group(w: str) -> str:
        low = w.lower()
        if "decision" in low:
            return "Decisions"
        if "evidence" in low or "sha256" in low or "hash" in low:
            return "Evidence"
        return "Model"

    return sorted(((group(w), w) for w in assessment.warnings), key=lambda gw: gw[0])


def _diagrams(facts: Facts) -> tuple[dict[str, Rendered], list[views.View], list[dict[str, Any]]]:
    fda = [views.multi_patient_view(facts), views.update_view(facts)]
    use_cases = views.use_case_views(facts)
    ranked = paths.ranked_paths(facts)
    todo: list[Diagram] = [architecture.data_flow_diagram(facts), architecture.global_view(facts)]
    todo += [v.diagram for v in (*fda, *use_cases) if v.diagram is not None]
    path_d = paths.path_diagram(facts, ranked)
    if path_d is not None:
        todo.append(path_d)
    rendered = {r.diagram.key: r for r in render_all(todo)}
    return rendered, [*fda, *use_cases], paths.path_rows(facts, ranked)


def render_html(assessment: Assessment, ctx: ReportContext) -> str:
    """The whole report as one HTML document (same assessment and model → byte-identical text)."""
    facts = build_facts(assessment, ctx)
    rendered, fda_views, path_rows = _diagrams(facts)
    labels = dict(FAMILIES.values()) | dict([GENERAL_FAMILY, UNKNOWN_FAMILY])
    page = _environment().get_template("report.html.j2").render(
        h=elements.header(facts), ov=elements.overview(facts), severities=elements.SEVERITIES,
        findings=elements.finding_rows(facts), findings_total=len(assessment.findings),
        components=elements.component_rows(facts), flows=elements.flow_rows(facts),
        large=facts.large, diagrams=rendered, fda_views=fda_views, paths=path_rows,
        paths_total=len(assessment.attack_paths), extra=_extra_sections(assessment, ctx),
        warnings=_warnings(assessment), evidence=facts.model.evidence, dot=dot_available(),
        families=[(k, labels[k], FAMILY_STYLE[k]) for k in FAMILY_STYLE],
        css=Markup(_asset("report.css")), js=Markup(_asset("report.js")),
    )
    return page


class HtmlFormat:
    """``report.html``: the self-contained report a reviewer reads."""

    name = "html"
    filename = "report.html"

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """The HTML document."""
        return render_html(assessment, ctx)
