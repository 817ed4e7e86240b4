"""Named checks that patterns attach to claims: each reads one bound item and the facts.

A check returns a :class:`Verdict` (the claim's own status, why, and what would close a gap) or
``None`` when it has nothing to say and the claim's status comes from its children alone.
Checks are code; which claim uses which check is data (the ``check:`` key of a pattern node).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from medsecurance.assurance.facts import Facts

__all__ = ["CHECKS", "Check", "Verdict"]


@dataclass(frozen=True)
class Verdict:
    """A claim's own status with its reasons and what would close the gap."""

    status: str  # supported | undeveloped | failed
    reasons: tuple[str, ...] = ()
    close: str = ""


Check = Callable[[Mapping[str, Any], Facts], Verdict | None]

_DONE = {"accepted": "accepted", "false-positive": "triaged as a false positive", "mitigated": "mitigated"}


def _decision_note(facts: Facts, item_id: str) -> str:
    d = facts.decisions.get(item_id)
    if d is None:
        return ""
    note = f" by {d.by} on {d.date}"
    return note + (f"; benefit-risk: {d.benefit_risk}" if getattr(d, "benefit_risk", None) else "")


def risk_acceptable_or_accepted(risk: Mapping[str, Any], facts: Facts) -> Verdict:
    """IEC 81001-2-1 style: residual risk acceptable, or accepted with a benefit-risk justification."""
    rid, status = str(risk.get("id")), str(risk.get("status") or "open")
    residual = str(risk.get("residual_level") or risk.get("level") or "")
    if status in ("accepted", "false-positive"):
        return Verdict("supported", (f"risk {rid} {_DONE[status]}{_decision_note(facts, rid)}",))
    if residual == "acceptable":
        return Verdict("supported", (f"residual risk of {rid} is acceptable",))
    top3 = (risk.get("controls_recommended") or ())[:3]
    controls = [str(c.get("id")) if isinstance(c, dict | Mapping) else str(c) for c in top3]
    fix = f"implement {', '.join(controls)}" if controls else "reduce the risk with controls"
    if residual == "unacceptable":
        return Verdict("failed", (f"residual risk of {rid} is unacceptable and {status}",),
                       f"{fix}, or accept {rid} in decisions.yaml with a benefit-risk justification")
    return Verdict("undeveloped", (f"residual risk of {rid} is '{residual or 'unknown'}' and awaits a decision",),
                   f"{fix}, or record the acceptance of {rid} in decisions.yaml (status: accepted)")


def finding_addressed(item: Mapping[str, Any], facts: Facts) -> Verdict:
    """A threat or vulnerability: resolved by triage or VEX, or its risk acceptable or accepted."""
    fid, status = str(item.get("id")), str(item.get("status") or "open")
    vex = item.get("vex_status")
    if vex in ("not_affected", "fixed"):
        why = item.get("vex_justification") or item.get("vex_statement")
        if vex == "not_affected" and not why:
            return Verdict("failed", (f"{fid}: VEX not_affected without a justification",),
                           f"add a justification to the VEX statement for {fid}")
        return Verdict("supported", (f"{fid}: VEX {vex}" + (f" ({why})" if why else ""),))
    if status in _DONE:
        return Verdict("supported", (f"{fid} {_DONE[status]}{_decision_note(facts, fid)}",))
    risks = item.get("risks") or ()
    if not risks:
        if "risk" not in facts.stages:
            return Verdict("undeveloped", (f"{fid} is open and its risk was not evaluated (risk stage absent)",),
                           "run the risk stage, or triage the finding in decisions.yaml")
        return Verdict("undeveloped", (f"{fid} is open and no risk was derived from it",),
                       f"triage {fid} in decisions.yaml (mitigated, accepted or false-positive)")
    if len(risks) == 1:  # the usual case (one risk per finding): its verdict is the finding's
        return risk_acceptable_or_accepted(risks[0], facts)
    verdicts = [risk_acceptable_or_accepted(r, facts) for r in risks]
    worst = max(verdicts, key=lambda v: _RANK[v.status])
    return Verdict(worst.status, tuple(r for v in verdicts for r in v.reasons), worst.close)


def sbom_complete(item: Mapping[str, Any], facts: Facts) -> Verdict:
    """A component's SBOM exists and lists support level and end of support for each part."""
    cid = item["id"]
    if not item.get("sbom"):
        return Verdict("undeveloped", (f"the model declares no SBOM for {cid}",),
                       f"add 'sbom:' (CycloneDX or SPDX) to component {cid}")
    if item.get("findings"):
        titles = [facts.findings[f].title for f in item["findings"] if f in facts.findings]
        return Verdict("failed", tuple(titles), f"complete the SBOM of {cid} (support level, end of support) "
                       "or replace components past end of support")
    return Verdict("supported", (f"SBOM of {cid} complete",))


def zone_meets_target(zone: Mapping[str, Any], facts: Facts) -> Verdict | None:
    """IEC 62443-3-3: the zone's achieved security level reaches its target in every FR."""
    if zone.get("meets_target") is None:
        return None
    if zone["meets_target"]:
        return Verdict("supported", (f"SL-A ≥ SL-T in zone {zone['id']}",))
    gaps = ", ".join(f"{fr} short by {n}" for fr, n in sorted(zone.get("gap", {}).items()) if n)
    return Verdict("failed", (f"SL-A < SL-T in zone {zone['id']}: {gaps}",),
                   f"raise component SL-C or add zone/conduit countermeasures in {zone['id']}")


def assumption_discharged(item: Mapping[str, Any], facts: Facts) -> Verdict:
    """An assume/guarantee assumption is guaranteed by a connected element or the environment."""
    if item.get("findings"):
        titles = [facts.findings[f].title for f in item["findings"] if f in facts.findings]
        return Verdict("failed", tuple(titles), f"provide a guarantee of '{item['property']}' for {item['owner']}, "
                       "or change the design so it is not assumed")
    return Verdict("supported", (f"assumption {item['property']} of {item['owner']} discharged",))


def flow_needs_met(flow: Mapping[str, Any], facts: Facts) -> Verdict | None:
    """The flow's protocol stack provides the protection its data needs."""
    if not flow.get("analysed"):
        return None
    if flow.get("findings"):
        titles = [facts.findings[f].title for f in flow["findings"] if f in facts.findings]
        return Verdict("failed", tuple(titles), f"protect flow {flow['id']} (see the communications findings)")
    return Verdict("supported", (f"the stack of {flow['id']} meets its data's needs",))


def vulnerabilities_scanned(item: Mapping[str, Any], facts: Facts) -> Verdict | None:
    """Known vulnerabilities can only be argued when an advisory database was used."""
    if "vulnerabilities" in facts.stages and not facts.scope.get("vulndb"):
        return Verdict("undeveloped", ("no advisory database was available, so known vulnerabilities were not "
                                       "matched",), "import advisories with 'medsec vulndb import' and re-run")
    return None


_RANK = {"supported": 0, "undeveloped": 1, "failed": 3}

CHECKS: Mapping[str, Check] = MappingProxyType({
    "risk-acceptable-or-accepted": risk_acceptable_or_accepted,
    "finding-addressed": finding_addressed,
    "sbom-complete": sbom_complete,
    "zone-meets-target": zone_meets_target,
    "assumption-discharged": assumption_discharged,
    "flow-needs-met": flow_needs_met,
    "vulnerabilities-scanned": vulnerabilities_scanned,
})
