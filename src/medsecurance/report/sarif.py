"""SARIF 2.1.0 output: each finding points at the model file's line and column.

Code-scanning UIs (GitHub, GitLab, VS Code's SARIF viewer) then show threats on the YAML that
declares the element. Findings a person accepted or marked mitigated/false-positive carry a SARIF
``suppressions`` entry with the decision's rationale instead of disappearing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from medsecurance._internal.io import canonical_json
from medsecurance.assessment import Assessment
from medsecurance.findings import Finding, Severity
from medsecurance.report.interface import ReportContext

__all__ = ["SarifFormat", "to_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note",
          Severity.INFO: "note"}
_SCORE = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0",
          Severity.INFO: "0.0"}


def _uri(file: str) -> str:
    path = Path(file)
    if path.is_absolute():
        try:
            return os.path.relpath(path).replace(os.sep, "/") if not os.path.relpath(path).startswith("..") \
                else path.as_uri()
        except ValueError:  # pragma: no cover - other drive on Windows
            return path.as_uri()
    return file.replace(os.sep, "/")


def _rule(f: Finding) -> dict[str, Any]:
    tags = [f.kind.value] + ([str(f.details["stride"])] if f.details.get("stride") else [])
    tags += [r for r in f.references if r.startswith(("CWE-", "CAPEC-"))]
    return {
        "id": f.rule,
        "name": f.rule,
        "shortDescription": {"text": f.title},
        "fullDescription": {"text": f.title},
        "defaultConfiguration": {"level": _LEVEL[f.severity]},
        "properties": {"tags": tags, "security-severity": _SCORE[f.severity]},
    }


def _result(f: Finding, rule_index: int, fallback_file: str) -> dict[str, Any]:
    loc = f.location
    region = {"startLine": loc.line, "startColumn": loc.column} if loc else {"startLine": 1}
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[f.severity],
        "message": {"text": f.explanation or f.title},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(loc.file if loc else fallback_file)},
            "region": region,
        }}],
        "partialFingerprints": {"medsecFindingId/v1": f.id},
        "properties": {"medsecId": f.id, "elements": list(f.elements), "severity": f.severity.value,
                       "status": f.status, "references": list(f.references)},
    }
    if f.status != "open":
        decision = f.details.get("decision")
        justification = decision.get("rationale") if isinstance(decision, dict) else f"status: {f.status}"
        result["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return result


def to_sarif(assessment: Assessment, model_file: str) -> dict[str, Any]:
    """The SARIF log as a dict."""
    rules: dict[str, int] = {}
    rule_objs: list[dict[str, Any]] = []
    for f in sorted(assessment.findings, key=lambda x: x.rule):
        if f.rule not in rules:
            rules[f.rule] = len(rule_objs)
            rule_objs.append(_rule(f))
    results = [_result(f, rules[f.rule], model_file) for f in assessment.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "medsecurance", "version": assessment.tool.get("version", ""),
                                "informationUri": "https://w3id.org/medsecurance", "rules": rule_objs}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }


class SarifFormat:
    """``findings.sarif``."""

    name = "sarif"
    filename = "findings.sarif"

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """SARIF JSON text."""
        return canonical_json(to_sarif(assessment, str(ctx.load.source_map.root)))
