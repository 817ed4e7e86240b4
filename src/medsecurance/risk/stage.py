"""The ``risk`` analysis stage: the security-for-safety risk register over earlier stages' findings."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from medsecurance.assessment import AttackPath, StageOutput
from medsecurance.risk.assess import assess
from medsecurance.risk.kb_adapter import kb_callables
from medsecurance.risk.policy import load_policy

if TYPE_CHECKING:
    from medsecurance.pipeline import StageContext
    from medsecurance.report.interface import ReportContext

__all__ = ["RiskStage", "render_risk_section"]


class RiskStage:
    """Evaluate threat and vulnerability findings into the risk register (AAMI TIR57 / SW96)."""

    name = "risk"
    after: tuple[str, ...] = ("threats", "vulns", "vulnerabilities")

    def run(self, ctx: StageContext) -> StageOutput:
        """The ``risks`` list and the ``risk`` section (heat map, trace, hand-off, concerns, metrics)."""
        findings = [f for out in ctx.results.values() for f in out.findings]
        paths: tuple[AttackPath, ...] = ()
        if "threats" in ctx.results:
            paths = tuple(ctx.results["threats"].data.get("attack_paths", ()))
        hazards_for_loss, control_info = kb_callables(ctx.kb)
        policy = load_policy(ctx.options.policy)
        register = assess(ctx.model, findings, paths, decisions=ctx.decisions, policy=policy,
                          hazards_for_loss=hazards_for_loss, control_info=control_info)
        sections = {"risks": register.to_dict(), "risk": register.section()}
        return StageOutput((), MappingProxyType(sections), MappingProxyType({"register": register, "policy": policy}))


def render_risk_section(value: Any, ctx: ReportContext) -> str:
    """The report's risk section: heat maps before/after controls and the register's worst entries."""
    from html import escape

    from medsecurance.risk.policy import load_policy
    from medsecurance.risk.render import heatmap_svg

    stage = ctx.assessment.stages.get("risk") if ctx.assessment else None
    register = stage.data.get("register") if stage else None
    if register is None or stage is None:
        return ""
    svg = heatmap_svg(register, stage.data.get("policy") or load_policy(None))
    rows = []
    order = {"unacceptable": 0, "review": 1, "acceptable": 2}
    worst = sorted(register.to_dict(), key=lambda r: (order.get(str(r["level"]), 3), str(r["id"])))[:25]
    for r in worst:
        hazards = ", ".join(str(h.get("id", h)) if isinstance(h, dict) else str(h) for h in r.get("hazards", []))
        rows.append(
            "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in (
                r["id"], r["source"], ", ".join(r["elements"]), hazards, r["severity"], r["exploitability"],
                r["level"], r["residual_exploitability"], r["residual_level"],
                ", ".join(str(c.get("id", c)) if isinstance(c, dict) else str(c)
                          for c in r.get("controls_recommended", [])[:3]), r["status"])) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Risk", "Source", "Elements", "Hazards", "Severity", "Exploitability",
                                             "Level", "Residual expl.", "Residual level", "Recommended", "Status"))
    return (f'<div class="risk-heatmaps">{svg}</div>'
            f"<p>Exploitability × ISO 14971 severity of harm (AAMI TIR57 / ANSI/AAMI SW96), before and after "
            f"the controls present. {len(register.entries)} risks; the 25 worst:</p>"
            f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
