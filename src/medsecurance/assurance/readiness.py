"""Regulatory readiness: each framework clause met, partial or missing, with evidence links and next steps.

Library use::

    from medsecurance.assurance.readiness import readiness_for
    table = readiness_for(assessment, loaded, kb, "fda-premarket")   # FrameworkReadiness
    table.to_dict()["summary"]                                        # {'met': …, 'partial': …, 'missing': …}

The ``readiness`` analysis stage (:class:`ReadinessStage`) adds the top-level ``readiness`` section
with one table per shipped framework.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from medsecurance._internal.io import sha256_file
from medsecurance.assessment import StageOutput
from medsecurance.assurance.frameworks import Framework, framework_ids, load_framework
from medsecurance.assurance.frameworks.checks import CheckResult, ReadinessInputs, evaluate_check
from medsecurance.findings import Finding

if TYPE_CHECKING:
    from medsecurance.assessment import Assessment
    from medsecurance.kb import KnowledgeBase
    from medsecurance.model import LoadResult
    from medsecurance.pipeline import StageContext
    from medsecurance.report.interface import ReportContext

__all__ = [
    "STATUSES",
    "ClauseReadiness",
    "FrameworkReadiness",
    "ReadinessStage",
    "build_inputs",
    "evaluate",
    "evidence_file_states",
    "readiness_for",
    "render_markdown",
    "render_readiness_section",
]

STATUSES = ("met", "partial", "missing")


@dataclass(frozen=True)
class ClauseReadiness:
    """One clause's verdict with the results of its checks."""

    id: str
    title: str
    group: str
    source: str
    paraphrase: str
    status: str
    checks: tuple[CheckResult, ...]

    @property
    def next_steps(self) -> tuple[str, ...]:
        """What to do, one line per unmet check."""
        return tuple(dict.fromkeys(c.next for c in self.checks if c.status in ("partial", "missing") and c.next))

    @property
    def links(self) -> tuple[str, ...]:
        """Evidence, findings, risks, nodes and model places the checks point at."""
        return tuple(dict.fromkeys(link for c in self.checks for link in c.links))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "id": self.id,
            "title": self.title,
            "group": self.group,
            "source": self.source,
            "paraphrase": self.paraphrase,
            "status": self.status,
            "checks": [c.to_dict() for c in self.checks],
            "next": list(self.next_steps),
        }


@dataclass(frozen=True)
class FrameworkReadiness:
    """The readiness table of one framework."""

    id: str
    title: str
    source: str
    clauses: tuple[ClauseReadiness, ...]

    def summary(self) -> dict[str, int]:
        """How many clauses are met, partial and missing."""
        return {s: sum(c.status == s for c in self.clauses) for s in STATUSES} | {"total": len(self.clauses)}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {
            "framework": self.id,
            "title": self.title,
            "source": self.source,
            "summary": self.summary(),
            "clauses": [c.to_dict() for c in self.clauses],
        }


def _clause_status(results: Sequence[CheckResult]) -> str:
    judged = [r.status for r in results if r.status is not None]
    if judged and all(s == "met" for s in judged):
        return "met"
    if not judged or all(s == "missing" for s in judged):
        return "missing"
    return "partial"


def evaluate(framework: Framework, inputs: ReadinessInputs) -> FrameworkReadiness:
    """Evaluate every clause of a framework."""
    clauses = []
    for cl in framework.clauses:
        results = tuple(evaluate_check(chk, inputs) for chk in cl.checks)
        clauses.append(
            ClauseReadiness(
                cl.id, cl.title, cl.group, cl.source, " ".join(cl.paraphrase.split()), _clause_status(results), results
            )
        )
    fw = framework.framework
    return FrameworkReadiness(fw.id, fw.title, fw.source, tuple(clauses))


def evidence_file_states(loaded: LoadResult) -> dict[str, str]:
    """Per evidence id: ok, no-file, missing (file absent or unreadable) or hash-mismatch."""
    out: dict[str, str] = {}
    for e in loaded.model.evidence:
        if e.file is None:
            out[e.id] = "no-file"
            continue
        try:
            digest = sha256_file(loaded.resolve(e.file))
        except OSError:
            out[e.id] = "missing"
            continue
        out[e.id] = "hash-mismatch" if e.sha256 and e.sha256.lower() != digest else "ok"
    return out


def build_inputs(
    loaded: LoadResult,
    kb: KnowledgeBase,
    sections: Mapping[str, Any],
    findings: Iterable[Finding],
    attack_paths: Sequence[Any],
) -> ReadinessInputs:
    """Gather what the checks read from a loaded model, the KB and the analysis results."""
    model = loaded.model.model_dump(mode="json", by_alias=True, exclude={"include"})
    facts = dict(sections) | {"attack_paths": list(attack_paths)}
    cats = {cid: kb.control(cid).fda_categories for cid in kb.ids("control")}
    return ReadinessInputs(model, facts, tuple(findings), evidence_file_states(loaded), cats)


def readiness_for(assessment: Assessment, loaded: LoadResult, kb: KnowledgeBase, framework: str) -> FrameworkReadiness:
    """The readiness table of one framework (id or file) for an assessment."""
    inputs = build_inputs(loaded, kb, assessment.sections, assessment.findings, assessment.attack_paths)
    return evaluate(load_framework(framework), inputs)


class ReadinessStage:
    """Readiness against every shipped framework; runs after the assurance case (and every analysis)."""

    name = "readiness"
    after: tuple[str, ...] = ("assurance", "risk", "threats", "vulnerabilities", "contracts", "communications")

    def run(self, ctx: StageContext) -> StageOutput:
        """The top-level ``readiness`` section: framework id → readiness table."""
        sections: dict[str, Any] = {}
        for out in ctx.results.values():
            sections.update(out.sections)
        findings = [f for out in ctx.results.values() for f in out.findings]
        paths = ctx.results["threats"].data.get("attack_paths", ()) if "threats" in ctx.results else ()
        inputs = build_inputs(ctx.load, ctx.kb, sections, findings, paths)
        tables = {fid: evaluate(load_framework(fid), inputs).to_dict() for fid in framework_ids()}
        return StageOutput((), MappingProxyType({"readiness": tables}))


_MARK = {"met": "✔ met", "partial": "◐ partial", "missing": "✘ missing"}


def render_markdown(table: Mapping[str, Any]) -> str:
    """A readiness table (its JSON form) as Markdown."""
    s = table["summary"]
    lines = [
        f"# Readiness: {table['title']}",
        "",
        f"Source: {table['source']}",
        "",
        f"**{s['met']} met, {s['partial']} partial, {s['missing']} missing** of {s['total']} clauses.",
        "",
        "| Clause | Title | Status | Evidence and links | Next steps |",
        "|---|---|---|---|---|",
    ]
    for c in table["clauses"]:
        links = sorted({lk for chk in c["checks"] for lk in chk["links"]})
        lines.append(
            f"| {_md(c['id'])} | {_md(c['title'])} | {_MARK.get(c['status'], c['status'])} | "
            f"{_md(', '.join(links[:12]) + (' …' if len(links) > 12 else ''))} | {_md('; '.join(c['next']))} |"
        )
    lines += ["", "## Checks per clause", ""]
    for c in table["clauses"]:
        lines.append(f"### {c['id']} — {c['title']} ({c['status']})")
        lines.append(f"{c['paraphrase']} *Source: {c['source']}.*")
        lines.append("")
        lines += [f"- **{chk['status']}** — {chk['label']}: {chk['detail']}" for chk in c["checks"]]
        lines.append("")
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_readiness_section(value: Any, ctx: ReportContext) -> str:
    """HTML for the ``readiness`` section of the report: a summary row and a table per framework."""
    tables = value.values() if isinstance(value, Mapping) else ()
    if not tables or not all(isinstance(t, Mapping) and {"summary", "clauses", "title"} <= set(t) for t in tables):
        from medsecurance.report.html.sections import generic_section

        return generic_section(value, ctx)  # not this stage's shape (e.g. a plug-in's): draw it generically
    parts: list[str] = []
    for fid, table in sorted(value.items()):
        s = table["summary"]
        parts.append(
            f"<details><summary><strong>{html.escape(table['title'])}</strong> — {s['met']} met, "
            f"{s['partial']} partial, {s['missing']} missing of {s['total']}</summary>"
            "<table><thead><tr><th>Clause</th><th>Title</th><th>Status</th><th>Next steps</th></tr></thead><tbody>"
        )
        for c in table["clauses"]:
            parts.append(
                f'<tr id="rd-{html.escape(fid)}-{html.escape(c["id"])}"><td>{html.escape(c["id"])}</td>'
                f'<td title="{html.escape(c["paraphrase"])}">{html.escape(c["title"])}</td>'
                f"<td>{html.escape(_MARK.get(c['status'], c['status']))}</td>"
                f"<td>{html.escape('; '.join(c['next']))}</td></tr>"
            )
        parts.append("</tbody></table></details>")
    return "".join(parts)
