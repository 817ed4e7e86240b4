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

__all__ = ["RiskStage", "render_risk_section", "render_risks_section"]


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


def _register(ctx: ReportContext) -> tuple[Any, Any]:
    stage = ctx.assessment.stages.get("risk") if ctx.assessment else None
    if stage is None:
        return None, None
    return stage.data.get("register"), stage.data.get("policy")


def _hazard_text(h: Any) -> str:
    name = h.get("id") or h.get("hazard_type") or "?"
    return f"{name} ({h['severity']})" if h.get("severity") else str(name)


def render_risk_section(value: Any, ctx: ReportContext) -> str:
    """Heat maps before/after controls, the policy, the safety hand-off and FDA metrics."""
    from html import escape

    from medsecurance.risk.policy import load_policy
    from medsecurance.risk.render import heatmap_svg

    register, policy = _register(ctx)
    if register is None:
        return ""
    svg = heatmap_svg(register, policy or load_policy(None))
    handoff = value.get("safety_handoff", {}) if isinstance(value, dict) else {}
    rows = handoff.get("rows", 0) if isinstance(handoff, dict) else 0
    metrics = value.get("metrics", {}) if isinstance(value, dict) else {}
    facts = "".join(f"<li>{escape(str(k).replace('_', ' '))}: {escape(str(v))}</li>" for k, v in sorted(metrics.items())
                    if not isinstance(v, (dict, list)))
    return (f'<div class="risk-heatmaps">{svg}</div>'
            "<p>Security risk is rated as exploitability × ISO 14971 severity of harm (AAMI TIR57 / ANSI/AAMI SW96), "
            "before and after the controls present; each cell shows the number of open risks and is coloured by the "
            "acceptability policy.</p>"
            f"<p>{len(register.entries)} risks. The safety hand-off to the ISO 14971 risk file has {rows} rows "
            "(one per risk and hazardous situation; <code>medsec risk MODEL --handoff DIR</code> exports them):</p>"
            + _handoff_table(handoff) + (f"<ul>{facts}</ul>" if facts else ""))


def _handoff_table(handoff: Any) -> str:
    """Hand-off rows per hazard of the safety file, then per KB hazard type it does not hold yet."""
    from html import escape

    hazards = handoff.get("hazards", []) if isinstance(handoff, dict) else []
    if not hazards:
        return ""
    cells = []
    for h in hazards:
        if not isinstance(h, dict):
            continue
        name = (escape(str(h["hazard"])) if h.get("hazard") else
                f"{escape(str(h.get('hazard_type')))} <em>(not in the safety file yet)</em>")
        cells.append(f"<tr><td>{name}</td><td>{int(h.get('risks', 0))}</td></tr>")
    return ('<table class="data"><thead><tr><th>Hazard</th><th>Risks handed off</th></tr></thead>'
            f"<tbody>{''.join(cells)}</tbody></table>")


def render_risks_section(value: Any, ctx: ReportContext) -> str:
    """The risk register, worst first (the whole register is in assessment.json and ``medsec risk``)."""
    from html import escape

    order = {"unacceptable": 0, "review": 1, "acceptable": 2}
    risks = value if isinstance(value, list) else []
    worst = sorted(risks, key=lambda r: (order.get(str(r.get("residual_level")), 3),
                                         order.get(str(r.get("level")), 3), str(r.get("id"))))[:200]
    rows = []
    for r in worst:
        src = r.get("source") or {}
        source = f"{src.get('kind', '')} {src.get('finding', '')}: {src.get('title', '')}" if isinstance(src, dict) \
            else str(src)
        hazards = ", ".join(dict.fromkeys(_hazard_text(h) for h in r.get("hazards", []) if isinstance(h, dict)))
        recommended = ", ".join(str(c.get("id", c)) if isinstance(c, dict) else str(c)
                                for c in r.get("controls_recommended", [])[:3])
        cells = (r.get("id"), source, ", ".join(r.get("elements", [])), hazards, r.get("severity"),
                 f"{r.get('exploitability')} → {r.get('residual_exploitability')}",
                 f"{r.get('level')} → {r.get('residual_level')}", recommended, r.get("status"))
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Risk", "Source", "Elements", "Hazards", "Severity", "Exploitability",
                                             "Level", "Recommended controls", "Status"))
    more = f"<p>Showing the {len(worst)} worst of {len(risks)}.</p>" if len(risks) > len(worst) else ""
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>{more}'
