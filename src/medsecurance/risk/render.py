"""Renderers for the risk register: terminal table, CSV, JSON, safety hand-off files, SVG heat map."""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medsecurance._internal.io import atomic_write_text, canonical_json
from medsecurance.risk.policy import Policy
from medsecurance.risk.register import RiskRegister
from medsecurance.risk.scales import Exploitability, HarmSeverity

if TYPE_CHECKING:
    from rich.table import Table

__all__ = ["handoff_csv", "handoff_json", "heatmap_svg", "register_csv", "register_json",
           "render_register_table", "write_handoff"]

REGISTER_COLUMNS = ("id", "finding", "kind", "elements", "hazards", "severity", "privacy_impact", "multi_patient",
                    "exploitability", "level", "residual_exploitability", "residual_level", "controls_present",
                    "controls_recommended", "status", "rationale")
_LEVEL_STYLE = {"acceptable": "green", "review": "yellow", "unacceptable": "bold red"}
_LEVEL_FILL = {"acceptable": "#cfe8cf", "review": "#fbe7a1", "unacceptable": "#f4b0a8"}


def _csv(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


def register_csv(register: RiskRegister) -> str:
    """The register as CSV text (one row per risk, lists joined with ';')."""
    rows: list[list[Any]] = [list(REGISTER_COLUMNS)]
    for e in register.entries:
        rows.append([e.id, e.finding, e.kind, ";".join(e.elements), ";".join(sorted({h.hazard or h.hazard_type
                                                                                     for h in e.hazards})),
                     e.severity.value if e.severity else "", e.privacy.value, str(e.multi_patient).lower(),
                     e.exploitability.value, e.level.value, e.residual_exploitability.value, e.residual_level.value,
                     ";".join(e.controls_present), ";".join(c.id for c in e.controls_recommended), e.status,
                     e.rationale])
    return _csv(rows)


def register_json(register: RiskRegister) -> str:
    """The register as canonical JSON: ``{"risks": [...], "risk": {heat map, trace, hand-off, …}}``."""
    return canonical_json({"risks": register.to_dict(), "risk": register.section()})


def handoff_csv(register: RiskRegister) -> str:
    """The safety hand-off rows as CSV text for the ISO 14971 risk management file."""
    if not register.handoff:
        return _csv([list(_handoff_columns())])
    rows: list[list[Any]] = [list(_handoff_columns())]
    rows.extend([[str(v).lower() if isinstance(v, bool) else v for v in r.to_dict().values()]
                 for r in register.handoff])
    return _csv(rows)


def _handoff_columns() -> tuple[str, ...]:
    from medsecurance.risk.register import HandoffRow

    return HandoffRow._fields


def handoff_json(register: RiskRegister) -> str:
    """The safety hand-off rows as canonical JSON."""
    return canonical_json({"safety_handoff": [r.to_dict() for r in register.handoff]})


def write_handoff(register: RiskRegister, directory: str | Path) -> tuple[Path, Path]:
    """Write ``safety-handoff.csv`` and ``safety-handoff.json`` atomically into ``directory``."""
    out = Path(directory)
    paths = (out / "safety-handoff.csv", out / "safety-handoff.json")
    atomic_write_text(paths[0], handoff_csv(register))
    atomic_write_text(paths[1], handoff_json(register))
    return paths


def render_register_table(register: RiskRegister) -> Table:
    """A rich table of the register, worst risk first."""
    from rich.table import Table

    table = Table(title=f"Security-for-safety risk register ({len(register.entries)} risks)", show_lines=False)
    for name in ("Risk", "Source", "Elements", "Hazard (severity)", "Expl.", "Level", "Residual", "Top control",
                 "Status"):
        table.add_column(name, overflow="fold")
    for e in register.entries:
        worst = next((h for h in e.hazards if h.severity == e.severity and h.hazard), None)
        hazard = f"{worst.hazard} ({e.severity})" if worst and e.severity else (
            f"privacy {e.privacy}" if e.privacy.rank else "-")
        top = e.controls_recommended[0].id if e.controls_recommended else "-"
        table.add_row(e.id, f"{e.kind} {e.finding}", ", ".join(e.elements), hazard + (" ×N" if e.multi_patient else ""),
                      f"{e.exploitability}→{e.residual_exploitability}",
                      f"[{_LEVEL_STYLE[e.level.value]}]{e.level}[/]",
                      f"[{_LEVEL_STYLE[e.residual_level.value]}]{e.residual_level}[/]", top, e.status)
    return table


_SHORT = {"negligible": "neglig.", "minor": "minor", "serious": "serious", "critical": "critical",
          "catastrophic": "catastr."}


def heatmap_svg(register: RiskRegister, policy: Policy) -> str:
    """Two heat maps (before and after controls) as one SVG: exploitability × severity, cells coloured
    by the policy's safety judgement and labelled with the number of open risks."""
    grid = register.heatmap()
    cell, left, top = 56, 90, 40
    sev = list(HarmSeverity)
    rows = list(reversed(list(Exploitability)))
    width = left + 2 * (len(sev) * cell + left)
    height = top + len(rows) * cell + 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="11" role="img" aria-label="risk heat map before and after controls">']
    for k, phase in enumerate(("before", "after")):
        x0 = left + k * (len(sev) * cell + left)
        parts.append(f'<text x="{x0}" y="20" font-size="13" font-weight="bold">{phase} controls</text>')
        for r, expl in enumerate(rows):
            y = top + r * cell
            parts.append(f'<text x="{x0 - 6}" y="{y + cell / 2 + 4}" text-anchor="end">{expl.value}</text>')
            for c, s in enumerate(sev):
                level = policy.safety[(expl, s)].value
                count = grid[phase][expl.value][s.value]
                parts.append(f'<rect x="{x0 + c * cell}" y="{y}" width="{cell}" height="{cell}" '
                             f'fill="{_LEVEL_FILL[level]}" stroke="#fff"><title>{escape(expl.value)} × '
                             f'{escape(s.value)}: {count} ({level})</title></rect>')
                if count:
                    parts.append(f'<text x="{x0 + c * cell + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                                 f'font-weight="bold">{count}</text>')
        for c, s in enumerate(sev):
            parts.append(f'<text x="{x0 + c * cell + cell / 2}" y="{top + len(rows) * cell + 14}" '
                         f'text-anchor="middle">{_SHORT.get(s.value, s.value)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
