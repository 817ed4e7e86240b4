"""Package documents from the analysis: risk report, threat model, risk assessment, anomalies, traceability."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from medsecurance._internal.io import canonical_json
from medsecurance.assurance.package._text import csv_text, md_table
from medsecurance.assurance.package.records import (  # writers re-exported for the registry
    sbom,
    security_controls,
    testing,
    vulnerability_assessment,
)

if TYPE_CHECKING:
    from medsecurance.assurance.package import Files, PackageContext

__all__ = [
    "assurance_case",
    "metrics",
    "readiness",
    "risk_assessment",
    "risk_management_report",
    "sbom",
    "security_controls",
    "testing",
    "threat_model",
    "traceability",
    "unresolved_anomalies",
    "vulnerability_assessment",
]

_NS = "not stated in the model"


def _open(ctx: PackageContext, kind: str | None = None) -> list[Mapping[str, Any]]:
    return [f for f in ctx.data["findings"] if f["status"] == "open" and (kind is None or f["kind"] == kind)]


def risk_management_report(ctx: PackageContext) -> Files:
    """The report in HTML and Markdown plus a summary naming the methods and the residual-risk conclusion."""
    from medsecurance.report import ReportContext, get_format

    rctx = ReportContext(ctx.loaded, ctx.kb)
    risks = ctx.data.get("risks")
    if risks is None:
        conclusion = "The risk stage did not run: no residual-risk conclusion can be drawn (missing)."
    else:
        bad = [r["id"] for r in risks if r.get("status") == "open" and r.get("residual_level") == "unacceptable"]
        review = [r["id"] for r in risks if r.get("status") == "open" and r.get("residual_level") == "review"]
        conclusion = (
            f"{len(risks)} risks assessed; {len(bad)} open with an unacceptable residual level and "
            f"{len(review)} open for review. "
            + (
                "Residual risk is NOT yet acceptable: the open "
                "unacceptable risks must be controlled or accepted with a benefit-risk justification."
                if bad
                else "No open unacceptable residual risk."
            )
        )
    rules = ctx.data.get("rules", {}).get("count")
    policy = ctx.data.get("risk", {}).get("policy", _NS)
    summary = "\n".join(
        [
            "# Cybersecurity risk management report — summary",
            "",
            "## Methods",
            "",
            f"- Threat identification: {rules if rules is not None else 'no'} threat rules applied per element, "
            f"flow and trust boundary (STRIDE classes, CAPEC/CWE links), and {len(ctx.data.get('attack_paths', []))} "
            "attack paths ranked from the attackers' entry points.",
            f"- Risk evaluation: exploitability × severity of harm (AAMI TIR57 / SW96), policy: {policy}.",
            "- SBOM check against the NTIA minimum elements plus level of support and end of support (FDA V.A.4).",
            "- Security levels (IEC 62443-3-3) and protocol-stack analysis of every flow.",
            "",
            "## Residual-risk conclusion",
            "",
            conclusion,
            "",
            "## Contents",
            "",
            "The full report is `report.html` (with diagrams) and `report.md`; the threat model, risk assessment, "
            "SBOM, vulnerability assessment, unresolved anomalies and traceability are in the sub-folders.",
            "",
        ]
    )
    return {
        "README.md": summary,
        "report.html": get_format("html").render(ctx.assessment, rctx),
        "report.md": get_format("md").render(ctx.assessment, rctx),
    }


def _cwes(refs: list[str]) -> list[str]:
    return [r for r in refs if r.startswith("CWE-")]


def threat_model(ctx: PackageContext) -> Files:
    """System scope, assumptions, trust boundaries, attackers, method, threats and attack paths."""
    m = ctx.loaded.model
    env = m.environment
    assumptions = [(a.property, ", ".join(a.elements) or "all", a.note or "") for a in (env.assumes if env else ())]
    assumptions += [(a.property, f"{c.id} assumes", a.note or "") for c in m.components for a in c.assumes]
    threats = sorted(
        _open(ctx, "threat") + [f for f in ctx.data["findings"] if f["kind"] == "threat" and f["status"] != "open"],
        key=lambda f: f["id"],
    )
    attackers = [
        (a.id, a.name or "", a.attacker.capability.value, [e.value for e in a.attacker.entry_points])
        for a in m.actors
        if a.attacker is not None
    ]
    paths = sorted(ctx.data.get("attack_paths", []), key=lambda p: (p["difficulty"], p["id"]))[:25]
    text = "\n".join(
        [
            f"# Threat model — {m.system.name} {m.system.version}",
            "",
            "## Scope and intended use",
            "",
            m.system.intended_use or _NS,
            "",
            "## Assumptions about the system and its environment",
            "",
            md_table(["Property", "Applies to", "Note"], assumptions, f"No assumptions: {_NS}."),
            "## Trust boundaries",
            "",
            md_table(
                ["Id", "Name", "Zones", "Components"],
                [(t.id, t.name, t.zones, t.components) for t in m.trust_boundaries],
                f"Trust boundaries: {_NS}.",
            ),
            "## Attackers and entry points",
            "",
            md_table(["Id", "Name", "Capability", "Entry points"], attackers, f"Attacker profiles: {_NS}."),
            "## Method",
            "",
            "Rule-based threat identification over every component, interface, flow and trust boundary (STRIDE "
            "classes linked to CAPEC attack patterns and CWE weaknesses), followed by attack-path search from each "
            "attacker's entry points to the components holding safety-relevant assets (MITRE/MDIC playbook: what are "
            "we working on, what can go wrong, what are we going to do about it, did we do a good enough job).",
            "",
            "## Threats",
            "",
            md_table(
                ["Id", "Rule", "Title", "Severity", "Status", "Elements", "CWE / CAPEC"],
                [
                    (f["id"], f["rule"], f["title"], f["severity"], f["status"], f["elements"], f["references"])
                    for f in threats
                ],
            ),
            "## Easiest attack paths (25 shown; all in threat-model.json)",
            "",
            md_table(
                ["Id", "Entry", "Target", "Hazards", "Difficulty", "Steps"],
                [
                    (
                        p["id"],
                        p["entry"],
                        p["target"],
                        p["hazards"],
                        p["difficulty"],
                        " → ".join(s["element"] for s in p["steps"]),
                    )
                    for p in paths
                ],
            ),
        ]
    )
    data = {
        "threats": threats,
        "attack_paths": ctx.data.get("attack_paths", []),
        "assumptions": [{"property": a, "applies_to": b, "note": c} for a, b, c in assumptions],
    }
    return {"threat-model.md": text, "threat-model.json": canonical_json(data)}


def _policy_tables() -> str:
    try:
        from medsecurance.risk.policy import load_policy
        from medsecurance.risk.scales import Exploitability, HarmSeverity
    except ImportError:  # the risk package is optional for the package writer
        return f"Scoring policy: {_NS}.\n"
    pol = load_policy(None)
    sev = list(HarmSeverity)
    rows = [(e.value, *(pol.safety[(e, s)].value for s in sev)) for e in reversed(list(Exploitability))]
    return f"Policy: **{pol.name}** ({pol.file}).\n\n" + md_table(
        ["Exploitability \\ severity", *(s.value for s in sev)], rows
    )


def risk_assessment(ctx: PackageContext) -> Files:
    """Scoring method before and after mitigation, acceptance criteria, hand-off to safety, the register."""
    risks = ctx.data.get("risks")
    if risks is None:
        return {
            "risk-assessment.md": "# Cybersecurity risk assessment\n\nThe risk stage did not run: the risk "
            "assessment is missing. Run `medsec analyze` with the risk stage enabled.\n"
        }
    policy_note = (
        "" if ctx.options is None or ctx.options.policy is None else f" (user policy file {ctx.options.policy.name})"
    )
    summary = ctx.data.get("risk", {}).get("safety_handoff") or {}
    rows = summary.get("rows", 0) if isinstance(summary, Mapping) else 0
    text = "\n".join(
        [
            "# Cybersecurity risk assessment",
            "",
            "## Scoring method",
            "",
            "Each threat or vulnerability is scored by **exploitability** (from the easiest attack path: access, "
            "privileges, user interaction, number and difficulty of steps; CVSS exploitability for known "
            "vulnerabilities) instead of probability, against the **severity of harm** of the hazards its assets "
            "lead to (ISO 14971 five-level scale). The same method is applied **before** mitigation (controls "
            "ignored) and **after** (declared controls lower exploitability) — FDA V.A.2, AAMI TIR57 / SW96.",
            "",
            f"## Acceptance criteria{policy_note}",
            "",
            _policy_tables(),
            "`unacceptable` must be controlled (or accepted with a documented benefit-risk justification); "
            "`review` is reduced as far as possible, then judged on benefit-risk; `acceptable` needs no action.",
            "",
            "## Transfer to safety risk management",
            "",
            f"{rows} hand-off rows pass security risks that can lead to hazardous situations into the "
            "ISO 14971 file (see `safety-handoff.csv`).",
            "",
            "## Risk register",
            "",
            md_table(
                ["Risk", "Source", "Severity", "Exploitability before → after", "Level before → after", "Status"],
                [
                    (
                        r["id"],
                        r["source"].get("finding"),
                        r.get("severity"),
                        f"{r.get('exploitability')} → {r.get('residual_exploitability')}",
                        f"{r.get('level')} → {r.get('residual_level')}",
                        r.get("status"),
                    )
                    for r in risks
                ],
            ),
        ]
    )
    return {"risk-assessment.md": text, "risks.json": canonical_json(risks), "safety-handoff.csv": _handoff_csv(ctx)}


def _handoff_csv(ctx: PackageContext) -> str:
    """The hand-off rows of the risk register (they are exported, not kept in the assessment JSON)."""
    from medsecurance.risk.render import handoff_csv

    stage = ctx.assessment.stages.get("risk")
    register = stage.data.get("register") if stage is not None else None
    if register is None:
        from medsecurance.risk.register import RiskRegister

        register = RiskRegister(())
    return handoff_csv(register)


def unresolved_anomalies(ctx: PackageContext) -> Files:
    """Open findings with their CWE classification (FDA V.A.5)."""
    rows = [
        (
            f["id"],
            f["kind"],
            f["rule"],
            f["title"],
            f["severity"],
            _cwes(f["references"]) or "CWE not stated",
            f["elements"],
        )
        for f in sorted(_open(ctx), key=lambda f: (f["kind"], f["id"]))
    ]
    header = ["Id", "Kind", "Rule", "Title", "Severity", "CWE", "Elements"]
    text = (
        "# Unresolved anomalies\n\nOpen findings of this release, classified by CWE where the rule names one "
        "(criteria: every finding still open after triage; rationale for each deferral goes in decisions.yaml).\n\n"
        + md_table(header, rows)
    )
    return {"unresolved-anomalies.md": text, "unresolved-anomalies.csv": csv_text(header, rows)}


def traceability(ctx: PackageContext) -> Files:
    """Hazard → asset → element → finding → risk → control → evidence, one row per link."""
    m = ctx.loaded.model
    risk_of = {r["source"].get("finding"): r for r in ctx.data.get("risks", []) or []}
    covers: dict[str, list[str]] = {}
    for e in m.evidence:
        for el in e.covers:
            covers.setdefault(el, []).append(e.id)
    rows = []
    for f in sorted(ctx.data["findings"], key=lambda f: f["id"]):
        r = risk_of.get(f["id"], {})
        hazards = f.get("hazards") or sorted({h["id"] for h in r.get("hazards", []) if h.get("id")})
        controls = [c["id"] for c in r.get("controls_recommended", [])]
        ev = sorted({e for el in f["elements"] for e in covers.get(el, [])})
        rows.append(
            (
                hazards,
                f.get("assets") or "",
                f["elements"],
                f["id"],
                f["status"],
                r.get("id", ""),
                r.get("residual_level", ""),
                r.get("controls_present", []),
                controls,
                ev,
            )
        )
    header = [
        "Hazards",
        "Assets",
        "Elements",
        "Finding",
        "Status",
        "Risk",
        "Residual level",
        "Controls present",
        "Controls recommended",
        "Evidence",
    ]
    sbom_rows = [(c.id, c.sbom or _NS, list(c.assets)) for c in m.components]
    text = (
        "# Traceability\n\nThreat model ↔ risk assessment ↔ controls ↔ evidence (FDA V.A), and each asset to its "
        "SBOM (Appendix 2).\n\n"
        + md_table(header, rows)
        + "\n## Components to SBOMs and assets\n\n"
        + md_table(["Component", "SBOM", "Assets"], sbom_rows)
    )
    return {"traceability.md": text, "traceability.csv": csv_text(header, rows)}


def metrics(ctx: PackageContext) -> Files:
    """FDA V.A.6 measures as far as the assessment gives them."""
    met = ctx.data.get("risk", {}).get("metrics")
    if not met:
        return {"metrics.md": f"# Measures and metrics\n\nNo metrics: the risk stage did not run ({_NS}).\n"}
    ttp = met.get("time_to_patch_days", {})
    rows = [
        ("Known vulnerabilities assessed", met.get("vulnerabilities")),
        (
            "Share patched or updated (percent)",
            met.get("percent_patched") if met.get("percent_patched") is not None else _NS,
        ),
        ("Time to patch, median days", ttp.get("median") if ttp.get("median") is not None else _NS),
        ("Time to patch, max days", ttp.get("max") if ttp.get("max") is not None else _NS),
        ("Time from patch to full field deployment", _NS),
    ]
    return {
        "metrics.md": "# Measures and metrics (FDA V.A.6)\n\n" + md_table(["Measure", "Value"], rows),
        "metrics.json": canonical_json(met),
    }


def assurance_case(ctx: PackageContext) -> Files:
    """The assurance case JSON and, when the assurance package offers one, its GSN YAML."""
    case = ctx.data.get("assurance")
    if case is None:
        return {"README.md": "# Assurance case\n\nThe assurance stage did not run for this assessment: missing.\n"}
    files: Files = {"assurance.json": canonical_json(case)}
    gsn = _gsn_yaml(ctx)
    if gsn is not None:
        files["assurance.gsn.yaml"] = gsn
    return files


def _gsn_yaml(ctx: PackageContext) -> str | None:
    """gsn2x YAML through the assurance package's exporter (absent exporter: JSON only)."""
    try:
        from medsecurance.assurance.export import to_gsn_yaml
    except ImportError:
        return None
    return to_gsn_yaml(ctx.data["assurance"], name=str(ctx.assessment.system.get("id") or "assurance"))


def readiness(ctx: PackageContext) -> Files:
    """The readiness table of the package's framework (Markdown and JSON)."""
    from medsecurance.assurance.readiness import render_markdown

    return {"readiness.md": render_markdown(ctx.readiness), "readiness.json": canonical_json(ctx.readiness)}
