"""View models for the report's tables: header, overview, findings, and one section per component and flow."""

from __future__ import annotations

from collections import Counter
from typing import Any

from medsecurance.findings import Finding
from medsecurance.report.html.architecture import stack_text
from medsecurance.report.html.facts import DETAIL_LIMIT, Facts

__all__ = ["FINDINGS_LISTED", "SEVERITIES", "component_rows", "finding_rows", "flow_rows", "header", "overview"]

SEVERITIES = ("critical", "high", "medium", "low", "info")
#: findings with full detail in the table; the rest are counted (assessment.json has them all)
FINDINGS_LISTED = 1000
_COMMON = {"id", "kind", "rule", "title", "severity", "elements", "references", "status", "explanation",
           "location", "stride", "why", "controls_present", "controls_missing", "sources", "decision", "hazards",
           "assets", "impacts", "element_kind", "rule_file", "threat_class"}


def header(facts: Facts) -> dict[str, Any]:
    """System identity for the report header."""
    s = facts.model.system
    dc = s.device_class
    cls = []
    if dc is not None:
        cls = [x for x in (f"EU MDR class {dc.eu_mdr}" if dc.eu_mdr else "",
                           f"FDA class {dc.fda}" if dc.fda else "",
                           f"product code {dc.fda_product_code}" if dc.fda_product_code else "",
                           "cyber device (§524B)" if dc.cyber_device else "") if x]
    a = facts.assessment
    return {"name": s.name, "version": s.version, "setting": s.setting.value, "id": s.id,
            "manufacturer": s.manufacturer.name if s.manufacturer else "", "class": " · ".join(cls),
            "intended_use": s.intended_use or "", "description": s.description or "",
            "digest": a.model_digest, "tool": f"{a.tool.get('name', 'medsecurance')} {a.tool.get('version', '')}",
            "as_of": facts.as_of}


def overview(facts: Facts) -> dict[str, Any]:
    """Counts by kind, severity and status, and the worst open items."""
    fs = facts.assessment.findings
    kinds = sorted({f.kind.value for f in fs})
    matrix = {k: Counter(f.severity.value for f in fs if f.kind.value == k) for k in kinds}
    status = Counter(f.status for f in fs)
    open_f = [f for f in facts.findings_of_all if f.status == "open"]
    return {
        "total": len(fs), "open": len(open_f),
        "open_high": sum(1 for f in open_f if f.severity.value in ("critical", "high")),
        "paths": len(facts.assessment.attack_paths), "components": len(facts.model.components),
        "flows": len(facts.model.flows), "kinds": kinds,
        "matrix": {k: [matrix[k].get(s, 0) for s in SEVERITIES] for k in kinds},
        "by_severity": [sum(1 for f in fs if f.severity.value == s) for s in SEVERITIES],
        "status": sorted(status.items()), "worst": [_brief(f) for f in open_f[:10]],
    }


def _brief(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "title": f.title, "severity": f.severity.value, "kind": f.kind.value, "rule": f.rule,
            "elements": list(f.elements)}


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def finding_rows(facts: Facts) -> list[dict[str, Any]]:
    """One row per finding (most severe first) with everything the expanded view shows."""
    rows = []
    for f in facts.findings_of_all[:FINDINGS_LISTED]:
        d = f.details
        loc = f"{f.location.file}:{f.location.line}:{f.location.column}" if f.location else ""
        extra = [(k, _text(v)) for k, v in sorted(d.items()) if k not in _COMMON]
        stride = _text(d.get("stride", ""))
        rows.append({
            "id": f.id, "kind": f.kind.value, "rule": f.rule, "title": f.title, "severity": f.severity.value,
            "status": f.status, "stride": stride, "elements": list(f.elements), "explanation": f.explanation,
            "links": [(e, facts.anchor(e)) for e in f.elements],
            "why": [str(w) for w in d.get("why", ())],
            "present": [(c, facts.control_label(c)) for c in d.get("controls_present", ())],
            "missing": [(c, facts.control_label(c)) for c in d.get("controls_missing", ())],
            "references": [facts.reference_label(r) for r in f.references],
            "sources": [str(s) for s in d.get("sources", ())], "hazards": [str(h) for h in d.get("hazards", ())],
            "impacts": _text(d.get("impacts", "")), "decision": _text(d.get("decision", "")),
            "location": loc, "rule_file": _text(d.get("rule_file", "")), "extra": extra,
        })
    return rows


def _interfaces(facts: Facts, cid: str) -> list[dict[str, Any]]:
    c = facts.comp[cid]
    out = []
    for i in c.interfaces:
        creds = [k for k in ("default", "shared", "hardcoded") if getattr(i.credentials, k)]
        out.append({"id": i.id, "kind": i.kind, "stack": stack_text(i.protocol, full=True),
                    "ports": ", ".join(map(str, i.ports)), "auth": i.authentication, "creds": ", ".join(creds),
                    "physical": i.physical, "exposed": i.exposed and i.enabled, "description": i.description or ""})
    return out


def component_rows(facts: Facts) -> list[dict[str, Any]]:
    """Per-component sections (only an index row per component above the drawing limit)."""
    detailed = not facts.large
    flows_of: dict[str, list[str]] = {}
    for f in facts.model.flows:
        flows_of.setdefault(f.source, []).append(f.id)
        flows_of.setdefault(f.target, []).append(f.id)
    rows = []
    for c in facts.model.components:
        fs = facts.findings_of.get(c.id, [])
        row: dict[str, Any] = {"id": c.id, "name": c.name or c.id, "type": c.type, "family": facts.family[c.id],
                               "zone": c.zone or "", "open": sum(1 for f in fs if f.status == "open"),
                               "findings": len(fs), "worst": fs[0].severity.value if fs else ""}
        if detailed:
            pos = facts.position(c.id)
            attrs = [("Vendor / product / version", " / ".join(x for x in (c.vendor, c.product, c.version) if x)),
                     ("Patients served by one instance", str(c.patients)),
                     ("Life-sustaining", "" if c.life_sustaining is None else ("yes" if c.life_sustaining else "no")),
                     ("Off the shelf", "yes" if c.off_the_shelf else ""),
                     ("End of support", c.end_of_support.isoformat() if c.end_of_support else "not declared"),
                     ("Update", _text(c.update.model_dump(exclude_defaults=True)) if c.update else "not declared"),
                     ("SBOM", c.sbom or "none"), ("Defined at", pos)]
            if c.security_levels and c.security_levels.capability:
                attrs.append(("SL-C (FR1–FR7)", " ".join(map(str, c.security_levels.capability.as_tuple()))))
            row |= {"description": c.description or "", "attrs": [(k, v) for k, v in attrs if v],
                    "interfaces": _interfaces(facts, c.id),
                    "controls": [(x, facts.control_label(x)) for x in c.controls],
                    "assets": [(a, facts.asset[a].name or a if a in facts.asset else a,
                                ", ".join(facts.asset[a].hazards) if a in facts.asset else "") for a in c.assets],
                    "flows": flows_of.get(c.id, []), "finding_list": [_brief(f) | {"status": f.status} for f in fs]}
        rows.append(row)
    return rows


def flow_rows(facts: Facts) -> list[dict[str, Any]]:
    """Per-flow sections with the KB security properties of each layer of the stack."""
    if len(facts.model.flows) > DETAIL_LIMIT * 2:
        return []
    rows = []
    for f in facts.model.flows:
        layers = []
        for p in f.protocol:
            rec = facts.protocol(p)
            props = [] if rec is None else [n for n, ok in (("confidentiality", rec.confidentiality),
                                                            ("integrity", rec.integrity),
                                                            ("peer authentication", rec.peer_authentication),
                                                            ("replay protection", rec.replay_protection)) if ok]
            layers.append({"id": p, "label": rec.label if rec else "not in the knowledge base", "props": props,
                           "deprecated": bool(rec and rec.deprecated)})
        fs = facts.findings_of.get(f.id, [])
        attrs = [("From → to", f"{f.source} → {f.target}"), ("Via", f.via or ""), ("Port", str(f.port or "")),
                 ("Authentication", f.authentication or "not declared"), ("Encryption", f.encryption or "not declared"),
                 ("Session", f.session or ""), ("Conduit", f.conduit or ""),
                 ("Bidirectional", "yes" if f.bidirectional else ""), ("Defined at", facts.position(f.id))]
        rows.append({"id": f.id, "name": f.name or f.id, "attrs": [(k, v) for k, v in attrs if v],
                     "layers": layers,
                     "data": [(a, facts.asset[a].name or a if a in facts.asset else a) for a in f.data],
                     "weak": facts.weak_flows[f.id].value if f.id in facts.weak_flows else "",
                     "finding_list": [_brief(x) | {"status": x.status} for x in fs]})
    return rows
