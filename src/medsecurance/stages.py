"""The built-in analysis stages, registered the same way plug-in stages are."""

from __future__ import annotations

__all__ = ["register_builtin_stages"]


def register_builtin_stages() -> None:
    """Register every built-in stage with the pipeline."""
    from medsecurance.assurance.stage import AssuranceStage, render_assurance_section
    from medsecurance.comms.stage import CommsStage, render_communications_section
    from medsecurance.contracts.stage import ContractStage, render_zones_section
    from medsecurance.pipeline import register_stage
    from medsecurance.report.html import register_section_renderer
    from medsecurance.risk.stage import RiskStage, render_risk_section, render_risks_section
    from medsecurance.threats.stage import ThreatStage
    from medsecurance.vulns.stage import VulnerabilityStage

    register_stage(ThreatStage())
    register_stage(VulnerabilityStage())
    register_stage(ContractStage())
    register_stage(CommsStage())
    register_stage(RiskStage())
    register_stage(AssuranceStage())  # runs after every stage that does not itself consume the case
    register_section_renderer("zones", render_zones_section)
    register_section_renderer("communications", render_communications_section)
    register_section_renderer("risk", render_risk_section)
    register_section_renderer("risks", render_risks_section)
    register_section_renderer("assurance", render_assurance_section)
    from medsecurance.assurance.readiness import ReadinessStage, render_readiness_section

    register_stage(ReadinessStage())
    register_section_renderer("readiness", render_readiness_section)
