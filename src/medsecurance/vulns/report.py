"""Vulnerability findings for the pipeline, and SARIF 2.1.0 output of a scan."""

from __future__ import annotations

from typing import Any

from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.vulns.scan import Match, ScanResult

__all__ = ["to_sarif", "vulnerability_findings"]

_STATUS = {"not_affected": "not_affected", "fixed": "fixed", "affected": "open", "under_investigation": "open"}


def _title(m: Match) -> str:
    c = m.component
    prefix = "Possibly affected: " if m.confidence == "low" else ""
    return f"{prefix}{m.vuln_id} in {c.name}{(' ' + c.version) if c.version else ''}"


def vulnerability_findings(result: ScanResult, component_id: str) -> list[Finding]:
    """One Finding per match, ids ``stable_id("V", component_id, vuln_id, bom_ref)``, sorted by id."""
    out = []
    for m in result.matches:
        c = m.component
        details: dict[str, Any] = {
            "cve": list(m.cves),
            "advisory": m.document or m.vuln_id,
            "source": m.source,
            "aliases": list(m.aliases),
            "cvss": {"vector": m.cvss_vector, "score": m.cvss_score},
            "kev": m.kev,
            "epss": m.epss,
            "epss_percentile": m.epss_percentile,
            "vex_status": m.vex_status,
            "vex_justification": m.vex_justification,
            "vex_statement": m.vex_statement,
            "component": {"bom_ref": c.bom_ref, "name": c.name, "version": c.version, "purl": c.purl, "cpe": c.cpe},
            "match_reason": m.reason,
            "match_method": m.method,
            "match_confidence": m.confidence,
            "published": m.published,
        }
        explanation = m.reason + ("" if m.severity_known else "; severity unknown, rated medium by default")
        if m.vex_status:
            explanation += f"; VEX {m.vex_status} ({m.vex_statement})"
        out.append(
            Finding(
                id=stable_id("V", component_id, m.vuln_id, c.bom_ref),
                kind=FindingKind.VULNERABILITY,
                rule=f"vuln/{m.method}",
                title=_title(m),
                severity=m.severity,
                elements=(component_id,),
                references=tuple(dict.fromkeys((m.vuln_id, *m.aliases))),
                status=_STATUS.get(m.vex_status or "", "open"),
                explanation=explanation,
                details=details,
            )
        )
    return sorted(out, key=lambda f: f.id)


_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def to_sarif(result: ScanResult) -> dict[str, Any]:
    """A minimal valid SARIF 2.1.0 log: one rule per vulnerability, one result per active match."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for m in result.active:
        rules.setdefault(
            m.vuln_id,
            {
                "id": m.vuln_id,
                "shortDescription": {"text": (m.summary or m.vuln_id)[:200]},
                "properties": {"security-severity": f"{m.cvss_score if m.cvss_score is not None else 5.0:.1f}"},
            },
        )
        results.append(
            {
                "ruleId": m.vuln_id,
                "level": _LEVEL[m.severity],
                "message": {"text": f"{_title(m)}: {m.reason}"},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": result.sbom.path}},
                        "logicalLocations": [{"name": m.component.bom_ref, "kind": "module"}],
                    }
                ],
                "properties": {"kev": m.kev, "epss": m.epss, "confidence": m.confidence},
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "medsecurance",
                        "informationUri": "https://example.invalid/medsecurance",
                        "rules": [rules[k] for k in sorted(rules)],
                    }
                },
                "results": results,
            }
        ],
    }
