"""The ``vulnerabilities`` analysis stage: each component's SBOM checked and scanned.

For every component that declares an SBOM: the FDA/NTIA completeness check (findings of kind
``sbom`` for SBOM components past end of support, and for missing support information), and — when
an advisory database exists — a scan whose matches become ``vulnerability`` findings linked to the
component (and so to its assets and hazards). VEX files from the options and ``vex:`` decisions in
``decisions.yaml`` are applied; a human decision wins over a VEX file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from medsecurance.assessment import StageOutput
from medsecurance.findings import Finding, FindingKind, Severity, SourceLocation, stable_id
from medsecurance.pipeline import StageContext
from medsecurance.vulns.check import SbomCheck, check_sbom
from medsecurance.vulns.db import VulnDatabase, default_db_path
from medsecurance.vulns.report import vulnerability_findings
from medsecurance.vulns.scan import scan
from medsecurance.vulns.sources import read_sbom
from medsecurance.vulns.vex import VexStatement, read_vex

__all__ = ["VulnerabilityStage"]

FDA_SBOM = "FDA premarket cybersecurity guidance (2025) §V.A.4 and Appendix 4 (SBOM, level of support, end of support)"


def _location(ctx: StageContext, component_id: str) -> SourceLocation | None:
    pos = ctx.load.source_map.position(component_id)
    return SourceLocation(pos[0], pos[1], pos[2]) if pos else None


def _sbom_findings(ctx: StageContext, component_id: str, check: SbomCheck) -> list[Finding]:
    out: list[Finding] = []
    loc = _location(ctx, component_id)
    for c in check.components:
        if c.past_end_of_support:
            out.append(Finding(
                stable_id("S", component_id, "eos", c.bom_ref), FindingKind.SBOM, "sbom/end-of-support",
                f"{c.name} is past its end of support ({c.end_of_support})", Severity.MEDIUM, (component_id,),
                (), "open",
                f"{component_id}: third-party component {c.name} ({c.bom_ref}) reached end of support on "
                f"{c.end_of_support}; it no longer receives security fixes. Plan its replacement or document "
                "compensating controls and monitoring.",
                {"component": {"bom_ref": c.bom_ref, "name": c.name}, "sources": [FDA_SBOM]}, loc))
    missing = sorted({m for c in check.components for m in c.missing})
    if missing or check.document_missing:
        lacking = [c for c in check.components if c.missing]
        out.append(Finding(
            stable_id("S", component_id, "completeness"), FindingKind.SBOM, "sbom/completeness",
            f"SBOM of {component_id} lacks required elements", Severity.LOW, (component_id,), (), "open",
            f"{len(lacking)} of {len(check.components)} SBOM components lack: {', '.join(missing) or 'none'}; "
            f"document-level gaps: {', '.join(check.document_missing) or 'none'}. NTIA minimum elements and "
            "FDA's level of support / end-of-support date are expected for every component.",
            {"missing": missing, "document_missing": list(check.document_missing),
             "components_lacking": [c.bom_ref for c in lacking], "sources": [FDA_SBOM,
             "NTIA, The Minimum Elements For a Software Bill of Materials (2021), §IV"]}, loc))
    return out


def _decisions_for(ctx: StageContext, component_id: str) -> dict[tuple[str, str], Mapping[str, str] | str]:
    out: dict[tuple[str, str], Mapping[str, str] | str] = {}
    for d in ctx.decisions.vex:
        if d.component == component_id:
            entry = {"status": d.status}
            if d.justification:
                entry["justification"] = d.justification
            if d.detail:
                entry["impact"] = d.detail
            out[(d.bom_ref or "*", d.vulnerability)] = entry
    return out


class VulnerabilityStage:
    """SBOM completeness and vulnerability matching per component."""

    name = "vulnerabilities"
    after: tuple[str, ...] = ()

    def run(self, ctx: StageContext) -> StageOutput:
        """Findings of kinds ``sbom`` and ``vulnerability``, and the ``sbom`` section."""
        db_path = ctx.options.vulndb or default_db_path()
        vex: list[VexStatement] = [s for f in ctx.options.vex for s in read_vex(f)]
        findings: list[Finding] = []
        section: dict[str, Any] = {"vulndb": str(db_path) if db_path.is_file() else None, "components": []}
        db = VulnDatabase(db_path) if db_path.is_file() else None
        try:
            for comp in ctx.model.components:
                if comp.sbom is None:
                    continue
                sbom = read_sbom(ctx.load.resolve(comp.sbom))
                check = check_sbom(sbom, today=ctx.as_of)
                findings.extend(_sbom_findings(ctx, comp.id, check))
                check_dict = check.to_dict() | {"sbom": comp.sbom}  # relative path: same JSON on every machine
                entry: dict[str, Any] = {"component": comp.id, "sbom": comp.sbom, "check": check_dict}
                if db is not None:
                    result = scan(sbom, db, vex=vex, decisions=_decisions_for(ctx, comp.id))
                    vulns = vulnerability_findings(result, comp.id)
                    loc = _location(ctx, comp.id)
                    findings.extend(_with_location(v, loc) for v in vulns)
                    entry["matches"] = len(vulns)
                section["components"].append(entry)
        finally:
            if db is not None:
                db.close()
        if db is None:
            section["note"] = ("no advisory database: import advisories with 'medsec vulndb import' "
                               "to include known vulnerabilities")
        return StageOutput(tuple(findings), MappingProxyType({"sbom": section}))


def _with_location(f: Finding, loc: SourceLocation | None) -> Finding:
    if loc is None:
        return f
    return dataclasses.replace(f, location=loc)
