"""Console rendering of an assessment summary (rich)."""

from __future__ import annotations

import heapq
from collections import Counter

from rich.markup import escape
from rich.table import Table

from medsecurance.assessment import Assessment
from medsecurance.cli._console import out_console

__all__ = ["print_assessment_summary"]

_ORDER = ("critical", "high", "medium", "low", "info")
_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def print_assessment_summary(assessment: Assessment, top: int = 12) -> None:
    """Counts by kind and severity, then the most severe open findings."""
    s = assessment.system
    out_console.print(f"[bold]{escape(str(s['name']))} {escape(str(s['version']))}[/] ({s['setting']})")
    counts = Counter((str.__str__(f.kind), str.__str__(f.severity)) for f in assessment.findings)
    kinds = sorted({k for k, _ in counts})
    table = Table(title="Findings", title_justify="left")
    table.add_column("kind")
    for sev in _ORDER:
        table.add_column(sev, justify="right", style=_STYLE[sev])
    for kind in kinds:
        table.add_row(kind, *[str(counts.get((kind, sev), "")) for sev in _ORDER])
    out_console.print(table)
    rank = {s: i for i, s in enumerate(_ORDER)}
    # the n smallest, in order: the same as sorting all and slicing (ids are unique), without the full sort
    worst = heapq.nsmallest(top, (f for f in assessment.findings if f.status == "open"),
                            key=lambda f: (rank[str.__str__(f.severity)], f.rule, f.id))
    if worst:
        t = Table(title="Most severe open findings", title_justify="left")
        for col in ("severity", "rule", "title", "elements"):
            t.add_column(col)
        for f in worst:
            t.add_row(f"[{_STYLE[f.severity.value]}]{f.severity.value}[/]", f.rule, escape(f.title),
                      escape(", ".join(f.elements[:3])))
        out_console.print(t)
    out_console.print(f"{len(assessment.attack_paths)} attack paths; "
                      f"{sum(1 for f in assessment.findings if f.status == 'open')} open findings")
