"""The built-in analysis stages, registered the same way plug-in stages are.

Each built-in is registered by name and import path and imported only when it runs, so that a
run of one stage (``--stage threats``) does not pay for loading the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medsecurance.assessment import StageOutput
    from medsecurance.pipeline import StageContext
    from medsecurance.report.interface import ReportContext

__all__ = ["BUILTIN_STAGES", "register_builtin_stages"]

#: name → (module, class, stages it runs after; None: after every other stage not running after it)
BUILTIN_STAGES: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "threats": ("medsecurance.threats.stage", "ThreatStage", ()),
    "vulnerabilities": ("medsecurance.vulns.stage", "VulnerabilityStage", ()),
    "contracts": ("medsecurance.contracts.stage", "ContractStage", ()),
    "communications": ("medsecurance.comms.stage", "CommsStage", ()),
    "risk": ("medsecurance.risk.stage", "RiskStage", ("threats", "vulnerabilities")),
    "assurance": ("medsecurance.assurance.stage", "AssuranceStage", None),
    "readiness": ("medsecurance.assurance.readiness", "ReadinessStage",
                  ("assurance", "risk", "threats", "vulnerabilities", "contracts", "communications")),
}

#: section key → (module, function) of its HTML renderer
BUILTIN_SECTIONS: dict[str, tuple[str, str]] = {
    "zones": ("medsecurance.contracts.stage", "render_zones_section"),
    "communications": ("medsecurance.comms.stage", "render_communications_section"),
    "risk": ("medsecurance.risk.stage", "render_risk_section"),
    "risks": ("medsecurance.risk.stage", "render_risks_section"),
    "assurance": ("medsecurance.assurance.stage", "render_assurance_section"),
    "readiness": ("medsecurance.assurance.readiness", "render_readiness_section"),
}


class _LazyStage:
    """A built-in stage whose module is imported on first run."""

    def __init__(self, name: str, module: str, cls: str, after: tuple[str, ...] | None) -> None:
        self.name = name
        self._module, self._cls, self._after = module, cls, after
        self._stage: Any = None

    @property
    def after(self) -> tuple[str, ...]:
        """Stages that must run first (``None`` in the table: every other one that does not follow this)."""
        if self._after is not None:
            return self._after
        from medsecurance.pipeline import STAGES

        return tuple(sorted(n for n, s in STAGES.items() if n != self.name and self.name not in s.after))

    def run(self, ctx: StageContext) -> StageOutput:
        """Import the stage and run it."""
        if self._stage is None:
            self._stage = getattr(importlib.import_module(self._module), self._cls)()
        out: StageOutput = self._stage.run(ctx)
        return out


def _lazy_renderer(module: str, attr: str) -> Any:
    def render(value: Any, ctx: ReportContext) -> str:
        fn = getattr(importlib.import_module(module), attr)
        return str(fn(value, ctx))

    return render


def register_builtin_stages() -> None:
    """Register every built-in stage with the pipeline and their report sections."""
    from medsecurance.pipeline import register_stage
    from medsecurance.report.section_registry import register_section_renderer

    for name, (module, cls, after) in BUILTIN_STAGES.items():
        register_stage(_LazyStage(name, module, cls, after))
    for key, (module, attr) in BUILTIN_SECTIONS.items():
        register_section_renderer(key, _lazy_renderer(module, attr))
