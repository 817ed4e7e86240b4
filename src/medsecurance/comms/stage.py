"""The ``communications`` analysis stage: each flow's protocol stack against what its data needs."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any

from medsecurance.assessment import StageOutput
from medsecurance.comms.result import CommsResult, analyze
from medsecurance.findings import Finding, SourceLocation
from medsecurance.pipeline import StageContext
from medsecurance.report.interface import ReportContext

__all__ = ["CommsStage", "render_communications_section"]


class CommsStage:
    """Effective security properties per flow, with recommendations and their sources."""

    name = "communications"
    after: tuple[str, ...] = ()

    def run(self, ctx: StageContext) -> StageOutput:
        """Findings of kind ``communication`` and the ``communications`` section (per-flow properties).

        With ``AnalysisOptions.extra["capture"]`` (and optionally ``["hosts"]``), the packet capture is
        analysed against the model too: its findings join the others and its evidence record (file
        hash, time span, counts) enters the section, so the report shows declared beside observed.
        """
        result = analyze(ctx.model, ctx.kb)
        findings = [_locate(f, ctx) for f in result.findings]
        flows = {k: dict(v) for k, v in sorted(result.flows.items())}
        section: dict[str, Any] = {"flows": flows}
        data: dict[str, Any] = {"result": result}
        capture = ctx.options.extra.get("capture")
        if capture:
            from medsecurance.comms.inventory import load_hosts
            from medsecurance.comms.traffic import analyze_capture

            hosts_path = ctx.options.extra.get("hosts")
            hosts = load_hosts(hosts_path, ctx.model) if hosts_path else None
            traffic = analyze_capture(capture, ctx.model, hosts=hosts)
            findings.extend(_locate(f, ctx) for f in traffic.findings)
            section["capture"] = {"evidence": traffic.evidence, "observed": traffic.by_flow()}
            data["observed"] = traffic
        return StageOutput(tuple(findings), MappingProxyType({"communications": section}), MappingProxyType(data))


def _locate(f: Finding, ctx: StageContext) -> Finding:
    if f.location is not None or not f.elements:
        return f
    pos = ctx.load.source_map.position(f.elements[0])
    if pos is None:
        return f
    return dataclasses.replace(f, location=SourceLocation(pos[0], pos[1], pos[2]))


def render_communications_section(value: Any, ctx: ReportContext) -> str:
    """The report's communications section: declared properties per flow with recommendations."""
    from medsecurance.comms.html import render_comms_html

    stage = ctx.assessment.stages.get("communications") if ctx.assessment else None
    result = stage.data.get("result") if stage else None
    if not isinstance(result, CommsResult):
        result = CommsResult(findings=(), flows=MappingProxyType(dict(value.get("flows", {}))))
    observed = stage.data.get("observed") if stage else None
    return render_comms_html(result, observed=observed)
