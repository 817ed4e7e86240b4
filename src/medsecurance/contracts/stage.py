"""The ``contracts`` analysis stage: IEC 62443 level gaps and assume/guarantee obligations."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from medsecurance.assessment import StageOutput
from medsecurance.contracts.check import check
from medsecurance.pipeline import StageContext
from medsecurance.report.interface import ReportContext

__all__ = ["ContractStage", "render_zones_section"]


class ContractStage:
    """Zone SL-A against SL-T, conduit levels, and every assumption checked against guarantees."""

    name = "contracts"
    after: tuple[str, ...] = ()

    def run(self, ctx: StageContext) -> StageOutput:
        """Findings of kind ``contract`` plus the ``zones`` section (the zone × FR table)."""
        result = check(ctx.model, source_map=ctx.load.source_map, kb=ctx.kb)
        return StageOutput(tuple(result.findings), MappingProxyType({"zones": result.zones}),
                           MappingProxyType({"result": result}))


def render_zones_section(value: Any, ctx: ReportContext) -> str:
    """The report's zone × FR table (SL-T / SL-C / SL-A with gaps coloured)."""
    from medsecurance.contracts.html import render_zone_table_html

    stage = ctx.assessment.stages.get("contracts") if ctx.assessment else None
    result = stage.data.get("result") if stage else None
    if result is None:
        return ""
    return render_zone_table_html(result)
