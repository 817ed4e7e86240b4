"""The ``assurance`` analysis stage: registered last, it builds and evaluates the case from all results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from medsecurance.assessment import StageOutput
from medsecurance.assurance.build import build_assurance

if TYPE_CHECKING:
    from medsecurance.pipeline import StageContext
    from medsecurance.report.interface import ReportContext

__all__ = ["AssuranceStage", "render_assurance_section"]


def _paths(value: Any) -> tuple[Path, ...]:
    if value is None:
        return ()
    items: Sequence[Any] = [value] if isinstance(value, str | Path) else value
    return tuple(Path(v) for v in items)


class AssuranceStage:
    """GSN case from patterns over the model and every other stage's results, evaluated automatically.

    Options (``AnalysisOptions.extra``): ``patterns`` (extra pattern files or folders),
    ``evidence_policy`` (maximum evidence age per kind), ``assurance_baseline`` (an earlier
    assessment JSON, to detect covered elements changed since their evidence was recorded).
    """

    name = "assurance"

    @property
    def after(self) -> tuple[str, ...]:
        """Every other registered stage except those that consume the case (they name 'assurance' in theirs)."""
        from medsecurance.pipeline import STAGES

        return tuple(sorted(n for n, s in STAGES.items()
                            if n != self.name and self.name not in getattr(s, "after", ())))

    def run(self, ctx: StageContext) -> StageOutput:
        """The ``assurance`` section (nodes, links, statuses, reasons, summary with gaps)."""
        findings = [f for out in ctx.results.values() for f in out.findings]
        sections: dict[str, Any] = {}
        for out in ctx.results.values():
            sections.update(out.sections)
        extra = ctx.options.extra
        baseline = extra.get("assurance_baseline")
        result = build_assurance(ctx.load, findings, sections, sorted(ctx.results), ctx.decisions, ctx.as_of,
                                 patterns=_paths(extra.get("patterns")), policy=extra.get("evidence_policy"),
                                 baseline=Path(baseline) if baseline else None)
        return StageOutput((), MappingProxyType({"assurance": result.to_dict()}),
                           MappingProxyType({"result": result}))


def render_assurance_section(value: Any, ctx: ReportContext) -> str:
    """The HTML report's assurance section: summary, gaps and the diagram coloured by status."""
    from medsecurance.assurance.export.diagram import section_html

    return section_html(value)
