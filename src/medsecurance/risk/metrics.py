"""FDA postmarket metrics where data exists: share of vulnerabilities patched, time to patch.

FDA premarket cybersecurity guidance 2023 §V.C / Appendix 4 asks for metrics such as the percentage
of identified vulnerabilities that are updated or patched and the duration from identification to
patch. Status comes from the VEX decisions (decisions.yaml ``vex``), else the VEX status the vulnerability
stage attached to the finding (``details.vex.status``) or the finding's own status;
time to patch is the VEX 'fixed' date minus the advisory's ``published`` date. Time to deploy to
the field needs fleet data the model does not hold and is not computed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from statistics import median
from typing import Any

from medsecurance.decisions import Decisions
from medsecurance.findings import Finding, FindingKind
from medsecurance.risk._evaluate import finding_status

__all__ = ["fda_metrics"]


def _vuln_id(f: Finding) -> str:
    return str(f.details.get("vulnerability") or f.details.get("cve") or f.rule)


def _published(f: Finding) -> dt.date | None:
    value = f.details.get("published")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def fda_metrics(findings: Iterable[Finding], decisions: Decisions) -> dict[str, Any]:
    """Counts by VEX status, percentage patched and time to patch (days) over vulnerability findings."""
    vex = {(v.component, v.vulnerability): v for v in decisions.vex}
    counts = {"affected": 0, "fixed": 0, "not_affected": 0, "under_investigation": 0}
    days: list[int] = []
    total = 0
    for f in findings:
        if f.kind is not FindingKind.VULNERABILITY:
            continue
        total += 1
        decision = next((vex[(e, _vuln_id(f))] for e in sorted(f.elements) if (e, _vuln_id(f)) in vex), None)
        status = decision.status if decision else finding_status(f).replace("-", "_")
        counts[status if status in counts else "affected"] += 1
        published = _published(f)
        if status == "fixed" and decision is not None and decision.date and published:
            days.append((decision.date - published).days)
    relevant = counts["affected"] + counts["fixed"] + counts["under_investigation"]
    return {
        "vulnerabilities": total,
        "by_status": counts,
        "percent_patched": round(100.0 * counts["fixed"] / relevant, 1) if relevant else None,
        "time_to_patch_days": {"count": len(days), "median": median(days) if days else None,
                               "max": max(days) if days else None},
    }
