"""What the patterns are instantiated over: the model and earlier stages' results, as plain data.

Every collection here comes from the model or from an analysis result; nothing is inferred.
Risks follow the ``risks`` section of the risk stage (``source`` is a finding id or a mapping with
``finding``; ``hazards`` are ids or mappings with ``id``); a stage that did not run leaves its
collections empty and its name out of :attr:`Facts.stages`.

What patterns can name: ``hazards`` (each with ``risks`` and the ids of the ``threats`` and ``vulns``
those risks come from), ``risks`` (each risk with ``title``, ``finding``, ``kind``, ``accepted`` and
``acceptance``), ``threats`` and ``vulns`` (findings with their ``risks`` and ``accepted_risks``),
``sbom_components``, ``zones``, ``assumptions``, ``env_assumptions``, ``flows``, ``evidence``,
``system``, ``environment`` and ``vulndb``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from medsecurance.findings import Finding

__all__ = ["Facts", "build_facts", "risk_hazards", "risk_source"]


@dataclass(frozen=True)
class Facts:
    """Analysis results in the shape the checks read, and the scope patterns iterate over."""

    stages: frozenset[str]
    findings: Mapping[str, Finding]
    risks_by_finding: Mapping[str, tuple[Mapping[str, Any], ...]]
    decisions: Mapping[str, Any]
    scope: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


def risk_source(risk: Mapping[str, Any]) -> str | None:
    """The finding id a risk was derived from."""
    src = risk.get("source")
    if isinstance(src, Mapping):
        src = src.get("finding")
    return src if isinstance(src, str) else None


def risk_hazards(risk: Mapping[str, Any]) -> list[str]:
    """Model hazard ids a risk leads to."""
    out = []
    for h in risk.get("hazards") or ():
        hid = h.get("id") if isinstance(h, Mapping) else h
        if isinstance(hid, str):
            out.append(hid)
    return sorted(set(out))


def _short(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]


def _clause_ids(owner: str, clauses: Sequence[Any]) -> list[dict[str, Any]]:
    """Contract clauses as items with stable ids ``<owner>-<property>`` (+ a short hash if repeated)."""
    counts: dict[str, int] = {}
    for c in clauses:
        counts[c.property] = counts.get(c.property, 0) + 1
    out = []
    for c in clauses:
        cid = f"{owner}-{c.property}" if owner else c.property
        if counts[c.property] > 1:
            cid += "-" + _short(*c.elements, c.note or "")
        on = f" for {', '.join(c.elements)}" if c.elements else ""
        out.append({"id": cid, "owner": owner or "environment", "property": c.property, "note": c.note or "",
                    "elements": list(c.elements), "params": dict(c.params),
                    "statement": f"{c.property}{on}" + (f" ({c.note})" if c.note else "")})
    return out


@dataclass
class _RiskIndex:
    """The risks as pattern items, indexed by source finding and by model hazard (built in one pass)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    by_finding: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    accepted_by_finding: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_hazard: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _index_risks(risks: Sequence[Any], decisions: Mapping[str, Any]) -> _RiskIndex:
    """Each risk with the fields patterns use (title, finding, kind, accepted, acceptance), indexed.

    (``type(x) is dict`` before ``isinstance(x, Mapping)``: the ABC check costs more than the rest of
    an item on the 40,384-risk benchmark.)
    """
    index = _RiskIndex()
    by_finding, accepted_by, by_hazard = index.by_finding, index.accepted_by_finding, index.by_hazard
    hazard_memo: dict[int, list[str]] = {}  # risks sharing an evaluation share its hazard list (identity)
    for risk in risks:
        if (type(risk) is not dict and not isinstance(risk, Mapping)) or "id" not in risk:
            continue
        src = risk.get("source")
        if type(src) is not dict and not isinstance(src, Mapping):
            src = {"finding": src}
        finding = src.get("finding")
        if type(finding) is not str:
            finding = ""
        rid = str(risk["id"])
        accepted = risk.get("status") == "accepted"
        item = dict(risk)
        item["title"] = src.get("title") or finding or rid
        item["finding"] = finding
        item["kind"] = str(src.get("kind") or risk.get("kind") or "")
        item["accepted"] = accepted
        item["acceptance"] = _acceptance(decisions.get(rid)) if accepted else ""
        index.items.append(item)
        if finding:
            by_finding.setdefault(finding, []).append(item)
            if accepted:
                accepted_by.setdefault(finding, []).append(item)
        links = risk.get("hazards") or ()
        hids = hazard_memo.get(id(links))
        if hids is None:
            hids = hazard_memo[id(links)] = risk_hazards(risk)
        for hid in hids:
            by_hazard.setdefault(hid, []).append(item)
    return index


def _acceptance(d: Any) -> str:
    """The acceptance record of a decision, as the justification text of the argument."""
    if d is None:
        return ""
    return f"accepted by {d.by} on {d.date}: {d.rationale}" + (f" Benefit-risk: {d.benefit_risk}"
                                                                if d.benefit_risk else "")


def _finding_item(f: Finding, risks: Mapping[str, tuple[Mapping[str, Any], ...]],
                  accepted: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    # The risk items are shared, not copied: nothing downstream mutates them. Threat findings give
    # their JSON value (the to_dict content, sequences as shared tuples) without building details.
    own = getattr(f, "json_value", None)
    item = (own() if own is not None else None) or f.to_dict()
    item["risks"] = risks.get(f.id, ())
    item["accepted_risks"] = accepted.get(f.id, ())
    return item


def _hazards(model: Any, by_hazard: Mapping[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Model hazards with the risks leading to them and the threats and vulnerabilities those come from."""
    out = []
    for h in model.hazards:
        linked = sorted(by_hazard.get(h.id, ()), key=lambda r: str(r["id"]))
        out.append({"id": h.id, "description": h.description, "severity": h.severity.value,
                    "harm": h.harm or "", "hazardous_situation": h.hazardous_situation or "",
                    "safety_file_ref": h.safety_file_ref or "", "risks": linked,
                    "threats": sorted({r["finding"] for r in linked if r["kind"] == "threat" and r["finding"]}),
                    "vulns": sorted({r["finding"] for r in linked if r["kind"] == "vulnerability" and r["finding"]})})
    return out


def _assumptions(model: Any, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for comp in model.components:
        items += _clause_ids(comp.id, comp.assumes)
    for flow in model.flows:
        items += _clause_ids(flow.id, flow.assumes)
    if model.environment is not None:
        items += [i | {"owner": "environment"} for i in _clause_ids("environment", model.environment.assumes)]
    by_owner: dict[tuple[str, str], list[str]] = {}
    for f in findings:  # one pass: open contract findings by (property, element)
        prop = f.details.get("property") if f.kind.value == "contract" and f.status == "open" else None
        if prop and isinstance(prop, str):
            for el in set(f.elements):
                by_owner.setdefault((prop, el), []).append(f.id)
    for item in items:
        item["findings"] = sorted(by_owner.get((item["property"], item["owner"]), ()))
    return sorted(items, key=lambda i: i["id"])


def _zones(model: Any, sections: Mapping[str, Any]) -> list[dict[str, Any]]:
    analysed = {z["id"]: z for z in (sections.get("zones") or {}).get("zones", ()) if isinstance(z, Mapping)}
    out = []
    for z in model.zones:
        entry = analysed.get(z.id, {})
        out.append({"id": z.id, "name": z.name or z.id, "meets_target": entry.get("meets_target"),
                    "gap": dict(entry.get("gap") or {}), "sl_target": z.sl_target.model_dump()})
    return out


def _flows(model: Any, sections: Mapping[str, Any], findings: Sequence[Finding]) -> list[dict[str, Any]]:
    analysed = (sections.get("communications") or {}).get("flows", {})
    by_flow: dict[str, set[str]] = {}
    for f in findings:  # one pass: index open communication findings by the flow they concern
        if f.kind.value != "communication" or f.status != "open":
            continue
        for key in {f.details.get("flow"), f.elements[0] if f.elements else None}:
            if isinstance(key, str):
                by_flow.setdefault(key, set()).add(f.id)
    out = []
    for fl in model.flows:
        open_ids = sorted(by_flow.get(fl.id, ()))
        out.append({"id": fl.id, "name": fl.name or fl.id, "from": fl.source, "to": fl.target,
                    "analysed": fl.id in analysed, "findings": open_ids})
    return out


def _sbom(model: Any, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    by_element: dict[str, list[str]] = {}
    for f in findings:  # one pass: open SBOM findings by the elements they concern
        if f.kind.value == "sbom" and f.status == "open":
            for el in set(f.elements):
                by_element.setdefault(el, []).append(f.id)
    out = []
    for c in model.components:
        if c.sbom is None and c.off_the_shelf:
            continue  # third-party infrastructure: its SBOM is the operator's, not part of this system's file
        out.append({"id": c.id, "name": c.name or c.id, "sbom": c.sbom or "",
                    "findings": sorted(by_element.get(c.id, ()))})
    return out


def build_facts(model: Any, findings: Sequence[Finding], sections: Mapping[str, Any], stages: Sequence[str],
                decisions: Any) -> Facts:
    """Collect everything the patterns and checks need from the model and the analysis results."""
    dec = dict(decisions.by_id()) if decisions is not None else {}
    risks = _index_risks(sections.get("risks") or (), dec)
    frozen: dict[str, tuple[Mapping[str, Any], ...]] = {k: tuple(v) for k, v in risks.by_finding.items()}
    accepted = risks.accepted_by_finding
    env = model.environment
    s = model.system
    scope = {
        "system": {"id": s.id, "name": s.name, "version": s.version, "setting": s.setting.value,
                   "intended_use": s.intended_use or ""},
        "environment": {"name": env.name or "", "description": env.description or ""} if env else {},
        "env_assumptions": _clause_ids("", env.guarantees) if env else [],
        "hazards": _hazards(model, risks.by_hazard),
        "risks": sorted(risks.items, key=lambda r: str(r["id"])),
        "threats": [_finding_item(f, frozen, accepted) for f in findings if f.kind.value == "threat"],
        "vulns": [_finding_item(f, frozen, accepted) for f in findings if f.kind.value == "vulnerability"],
        "sbom_components": _sbom(model, findings),
        "zones": _zones(model, sections),
        "assumptions": _assumptions(model, findings),
        "flows": _flows(model, sections, findings),
        "evidence": [e.model_dump(mode="json") for e in model.evidence],
        "vulndb": bool((sections.get("sbom") or {}).get("vulndb")),
    }
    return Facts(frozenset(stages), MappingProxyType({f.id: f for f in findings}), MappingProxyType(frozen),
                 MappingProxyType(dec),
                 MappingProxyType(scope))
