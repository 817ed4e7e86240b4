"""Export a medsec model (and optionally the threats of an assessment) as Open Threat Model JSON.

Trust zones come from zones, components and dataflows from components and flows; threats and
their controls (as OTM mitigations) from the threat findings of an assessment JSON. The numeric
conventions OTM needs (trust rating, risk values, impact) are data: ``otm_map.yaml`` → ``export``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from medsecurance._internal.io import canonical_json, read_text_limited
from medsecurance.errors import DataError
from medsecurance.model.importers._common import load_map
from medsecurance.model.schema import Component, Flow, SystemModel, Zone

__all__ = ["UNZONED", "export_otm", "read_assessment", "render_otm"]

#: trust zone holding the components that have no zone (OTM requires a parent)
UNZONED = "medsec-unzoned"


def render_otm(model: SystemModel, findings: Sequence[Mapping[str, Any]] = ()) -> str:
    """OTM JSON text (deterministic)."""
    return canonical_json(export_otm(model, findings))


def export_otm(model: SystemModel, findings: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The OTM document of ``model``; ``findings`` are assessment findings (only threats are used)."""
    conf = load_map("otm_map")["export"]
    threats = [f for f in findings if f.get("kind", "threat") == "threat"]
    instances = _instances(threats, conf)
    zones = [_zone(z, conf) for z in model.zones]
    if any(c.zone is None for c in model.components):
        zones.append({"id": UNZONED, "name": "Components without a zone", "type": "medsec-unzoned",
                      "risk": {"trustRating": conf["default_trust_rating"]}})
    doc: dict[str, Any] = {
        "otmVersion": conf["otm_version"],
        "project": _project(model),
        "assets": [_asset(a.id, a.name, a.description, a.confidentiality, a.integrity, a.availability, conf)
                   for a in model.assets],
        "trustZones": sorted(zones, key=lambda z: z["id"]),
        "components": [_component(c, instances.get(c.id, [])) for c in model.components],
        "dataflows": [_dataflow(f, model, instances.get(f.id, [])) for f in model.flows],
    }
    if threats:
        doc["threats"] = [_threat(f, conf) for f in threats]
        doc["mitigations"] = _mitigations(threats)
    for key in ("assets", "components", "dataflows", "threats", "mitigations"):
        if key in doc:
            doc[key] = sorted(doc[key], key=lambda item: item["id"])
    return doc


def _project(model: SystemModel) -> dict[str, Any]:
    s = model.system
    project: dict[str, Any] = {"name": s.name, "id": s.id,
                               "attributes": {"version": s.version, "setting": s.setting.value}}
    if s.description:
        project["description"] = s.description
    if s.manufacturer:
        project["owner"] = s.manufacturer.name
        if s.manufacturer.contact:
            project["ownerContact"] = s.manufacturer.contact
    return project


def _asset(ident: str, name: str | None, description: str | None, c: Any, i: Any, a: Any,
           conf: Mapping[str, Any]) -> dict[str, Any]:
    risk = conf["need_risk"]
    out: dict[str, Any] = {"id": ident, "name": name or ident,
                           "risk": {"confidentiality": risk[c.value], "integrity": risk[i.value],
                                    "availability": risk[a.value]}}
    if description:
        out["description"] = description
    return out


def _zone(zone: Zone, conf: Mapping[str, Any]) -> dict[str, Any]:
    level = max(zone.sl_target.as_tuple())
    if zone.internet_reachable:
        rating = conf["internet_trust_rating"]
    elif level:
        rating = level * conf["trust_rating_per_sl"]
    else:
        rating = conf["default_trust_rating"]
    out: dict[str, Any] = {"id": zone.id, "name": zone.name or zone.id, "type": "medsec-zone",
                           "risk": {"trustRating": rating}}
    if zone.description:
        out["description"] = zone.description
    if level:
        out["attributes"] = {"sl_target": dict(zip([f"FR{n}" for n in range(1, 8)], zone.sl_target.as_tuple(),
                                                   strict=True))}
    return out


def _component(comp: Component, threats: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": comp.id, "name": comp.name or comp.id, "type": comp.type,
                           "parent": {"trustZone": comp.zone or UNZONED}, "tags": [comp.type]}
    if comp.description:
        out["description"] = comp.description
    if comp.assets:
        out["assets"] = {"processed": list(comp.assets), "stored": []}
    attributes: dict[str, Any] = {k: v for k in ("vendor", "product", "version") if (v := getattr(comp, k))}
    if comp.controls:
        attributes["controls"] = list(comp.controls)
    if comp.interfaces:
        attributes["interfaces"] = [{"id": i.id, "kind": i.kind, "protocol": list(i.protocol),
                                     "authentication": i.authentication, "physical": i.physical}
                                    for i in comp.interfaces]
    if attributes:
        out["attributes"] = attributes
    if threats:
        out["threats"] = threats
    return out


def _dataflow(flow: Flow, model: SystemModel, threats: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": flow.id, "name": flow.name or f"{flow.source} to {flow.target}",
                           "source": flow.source, "destination": flow.target, "bidirectional": flow.bidirectional,
                           "tags": list(flow.protocol)}
    if flow.data:
        out["assets"] = list(flow.data)
    attributes: dict[str, Any] = {}
    if flow.via:
        owner, _, iface_id = flow.via.rpartition(".")
        comp = model.component(owner or flow.target)
        iface = comp.interface(iface_id) if comp else None
        if iface is None and not owner:
            source = model.component(flow.source)
            iface = source.interface(iface_id) if source else None
        attributes["interface"] = iface_id
        if iface is not None:
            attributes["interfaceKind"] = iface.kind
    for key in ("authentication", "encryption"):
        if value := getattr(flow, key):
            attributes[key] = value
    if attributes:
        out["attributes"] = attributes
    if threats:
        out["threats"] = threats
    return out


def _instances(findings: Sequence[Mapping[str, Any]], conf: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for f in findings:
        mitigations = [{"mitigation": c, "state": "implemented"} for c in sorted(f.get("controls_present", []))]
        mitigations += [{"mitigation": c, "state": "required"} for c in sorted(f.get("controls_missing", []))]
        state = conf["status_state"].get(str(f.get("status", "open")), str(f.get("status", "open")))
        for element in f.get("elements", []):
            out.setdefault(element, []).append({"threat": f["id"], "state": state, "mitigations": mitigations})
    for items in out.values():
        items.sort(key=lambda t: t["threat"])
    return out


def _threat(f: Mapping[str, Any], conf: Mapping[str, Any]) -> dict[str, Any]:
    stride = f.get("stride", [])
    letters = [stride] if isinstance(stride, str) else list(stride)
    categories = sorted({conf["stride"].get(s, s) for s in letters if s})
    refs = [str(r) for r in f.get("references", [])]
    return {
        "id": f["id"], "name": f["title"], "description": f.get("explanation") or None,
        "categories": categories, "cwes": sorted(r for r in refs if r.upper().startswith("CWE-")),
        "risk": {"likelihood": None, "impact": conf["severity_impact"].get(str(f.get("severity")), 50)},
        "tags": sorted({str(f.get("rule", "")), *(r for r in refs if not r.upper().startswith("CWE-"))} - {""}),
        "attributes": {"rule": f.get("rule"), "severity": f.get("severity"), "status": f.get("status", "open"),
                       "elements": list(f.get("elements", []))},
    }


def _mitigations(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    controls = sorted({c for f in findings for k in ("controls_present", "controls_missing") for c in f.get(k, [])})
    return [{"id": c, "name": c, "riskReduction": 0,
             "description": f"medsec control '{c}'; its risk reduction is not estimated by medsec",
             "attributes": {"riskReductionEstimated": False}} for c in controls]


def read_assessment(path: Path) -> list[dict[str, Any]]:
    """The findings of an assessment JSON file, checked enough to export them (located DataError)."""
    text = read_text_limited(path, error=DataError)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"JSON syntax error: {exc.msg}", file=path, line=exc.lineno, column=exc.colno) from exc
    findings = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(findings, list):
        raise DataError("not an assessment: no 'findings' list at the top", file=path,
                        hint="pass the JSON written by 'medsec analyze'")
    out = []
    for i, f in enumerate(findings):
        ok = isinstance(f, dict) and all(isinstance(f.get(k), str) for k in ("id", "title")) and isinstance(
            f.get("elements", []), list)
        if not ok:
            raise DataError(f"findings[{i}] needs string 'id' and 'title' and a list 'elements'", file=path,
                            element=f.get("id") if isinstance(f, dict) else None)
        out.append(f)
    return out
