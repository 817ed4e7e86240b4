"""The assessment as deterministic JSON: the stable contract of the toolbox (schemas/assessment.schema.json)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from medsecurance._internal.io import canonical_json
from medsecurance.assessment import SCHEMA_VERSION, Assessment
from medsecurance.report.interface import ReportContext

__all__ = ["JsonFormat", "assessment_to_dict"]


def _summary(assessment: Assessment) -> dict[str, Any]:
    by_kind = Counter(f.kind.value for f in assessment.findings)
    by_sev = Counter(f.severity.value for f in assessment.findings)
    by_status = Counter(f.status for f in assessment.findings)
    return {
        "findings": len(assessment.findings),
        "by_kind": dict(sorted(by_kind.items())),
        "by_severity": dict(sorted(by_sev.items())),
        "by_status": dict(sorted(by_status.items())),
        "attack_paths": len(assessment.attack_paths),
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The JSON-ready dict: same assessment, same dict, byte for byte once serialised."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": dict(assessment.tool),
        "system": dict(assessment.system),
        "model_digest": assessment.model_digest,
        "summary": _summary(assessment),
        "findings": [f.to_dict() for f in assessment.findings],
        "attack_paths": [p.to_dict() for p in assessment.attack_paths],
        "warnings": list(assessment.warnings),
    }
    for key, value in sorted(assessment.sections.items()):
        if key not in data and key != "attack_paths":
            data[key] = value
    return data


class JsonFormat:
    """``assessment.json``."""

    name = "json"
    filename = "assessment.json"

    def render(self, assessment: Assessment, ctx: ReportContext) -> str:
        """Canonical JSON text."""
        return canonical_json(assessment_to_dict(assessment))
