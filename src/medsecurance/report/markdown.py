"""A Markdown summary of an assessment, for pull requests, wikis and change records."""

from __future__ import annotations

from medsecurance.assessment import Assessment
from medsecurance.findings import Finding
from medsecurance.report.interface import ReportContext

__all__ = ["MarkdownFormat", "render_markdown"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _findings_table(findings: list[Finding], limit: int = 200) -> list[str]:
    lines = ["| Severity | Status | Kind | Rule | Title | Elements |", "|---|---|---|---|---|---|"]
    for f in findings[:limit]:
        lines.append(f"| {f.severity.value} | {f.status} | {f.kind.value} | `{f.rule}` | {_cell(f.title)} | "
                     f"{_cell(', '.join(f.elements))} |")
    if len(findings) > limit:
        lines.append(f"\n… and {len(findings) - limit} more (see assessment.json).")
    return lines


def render_markdown(assessment: Assessment) -> str:
    """The Markdown document."""
    s = assessment.system
    out = [f"# Security assessment: {s['name']} {s['version']}", "",
           f"Setting: **{s['setting']}** · model digest `{assessment.model_digest}` · "
           f"as of {assessment.sections.get('as_of', '')} · medsecurance {assessment.tool.get('version', '')}", ""]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    findings = sorted(assessment.findings, key=lambda f: (order[f.severity.value], f.status != "open", f.rule, f.id))
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity.value] = counts.get(f.severity.value, 0) + 1
    out.append("## Summary\n")
    out.append(f"{len(findings)} findings (" + ", ".join(f"{n} {k}" for k, n in
                                                       sorted(counts.items(), key=lambda kv: order[kv[0]])) + "), "
               f"{sum(1 for f in findings if f.status == 'open')} open; {len(assessment.attack_paths)} attack paths.")
    out += ["", "## Findings", "", *_findings_table(findings), ""]
    if assessment.attack_paths:
        out += ["## Easiest attack paths", "", "| Entry | Path | Asset | Hazards | Difficulty |",
                "|---|---|---|---|---|"]
        for p in assessment.attack_paths[:15]:
            chain = " → ".join(st.element for st in p.steps)
            out.append(f"| {p.entry} | {chain} | {', '.join(p.assets)} | {', '.join(p.hazards)} | {p.difficulty} |")
        out.append("")
    if assessment.warnings:
        out += ["## Warnings", "", *[f"- {_cell(w)}" for w in assessment.warnings], ""]
    return "\n".join(out).rstrip() + "\n"


class MarkdownFormat:
    """``report.md``."""

    name = "md"
    filename = "report.md"

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """Markdown text."""
        return render_markdown(assessment)
