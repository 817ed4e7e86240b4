"""The built-in analysis stages, registered the same way plug-in stages are."""

from __future__ import annotations

__all__ = ["register_builtin_stages"]


def register_builtin_stages() -> None:
    """Register every built-in stage with the pipeline."""
    from medsecurance.pipeline import register_stage
    from medsecurance.threats.stage import ThreatStage
    from medsecurance.vulns.stage import VulnerabilityStage

    register_stage(ThreatStage())
    register_stage(VulnerabilityStage())
