"""Import MITRE CAPEC (STIX 2.1) and ATT&CK for ICS (STIX 2.0/2.1) bundles into compact catalogues."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from medsecurance.errors import KbError
from medsecurance.kb.catalogue import CatalogueFile
from medsecurance.kb.importers._common import external_id, load_stix_bundle, read_input, shorten
from medsecurance.kb.model import CatalogueEntry

__all__ = ["parse_attack_ics", "parse_capec"]


def _patterns(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("type") == "attack-pattern"]


def _capec_entry(obj: dict[str, Any], ident: str, stix_to_capec: dict[str, str]) -> CatalogueEntry:
    relations = {("relatedWeakness", str(r["external_id"])) for r in obj.get("external_references") or ()
                 if isinstance(r, dict) and r.get("source_name") == "cwe" and r.get("external_id")}
    relations |= {("childOf", stix_to_capec[ref]) for ref in obj.get("x_capec_child_of_refs") or ()
                  if ref in stix_to_capec}
    status = str(obj.get("x_capec_status") or "")
    attrs = [("status", status)] if status else []
    for key in ("x_capec_abstraction", "x_capec_typical_severity", "x_capec_likelihood_of_attack"):
        if obj.get(key):
            attrs.append((key.removeprefix("x_capec_"), str(obj[key])))
    return CatalogueEntry(
        id=ident, name=str(obj.get("name") or ident), definition=shorten(str(obj.get("description") or "")),
        deprecated=bool(obj.get("revoked")) or status == "Deprecated", relations=tuple(sorted(relations)),
        attributes=tuple(sorted(attrs)),
    )


def parse_capec(path: Path) -> CatalogueFile:
    """Read MITRE's CAPEC STIX 2.1 bundle; each attack pattern with a CAPEC id becomes an entry."""
    data = read_input(path)
    objects = load_stix_bundle(path, data, "MITRE's CAPEC STIX 2.1 bundle (stix-capec.json)")
    stix_to_capec = {str(o["id"]): cid for o in _patterns(objects) if (cid := external_id(o, "capec"))}
    entries = [_capec_entry(o, stix_to_capec[str(o["id"])], stix_to_capec) for o in _patterns(objects)
               if str(o.get("id")) in stix_to_capec]
    if not entries:
        hint = ("this looks like an ATT&CK bundle: use 'medsec kb import attack-ics'"
                if any(external_id(o, "mitre-attack") for o in objects) else "expected MITRE's CAPEC STIX bundle")
        raise KbError("the bundle contains no CAPEC attack patterns", file=path, hint=hint)
    versions = {str(o.get("x_capec_version")) for o in _patterns(objects) if o.get("x_capec_version")}
    version = max(versions) if versions else "unknown"
    return CatalogueFile(kind="capec", version=version, source_label=f"MITRE CAPEC {version}", source_file=path.name,
                         source_sha256=hashlib.sha256(data).hexdigest(), entries=tuple(entries))


def _is_ics(obj: dict[str, Any]) -> bool:
    phases = obj.get("kill_chain_phases") or ()
    domains = obj.get("x_mitre_domains") or ()
    return "ics-attack" in domains or any(
        isinstance(p, dict) and p.get("kill_chain_name") == "mitre-ics-attack" for p in phases)


def _mitigations(objects: list[dict[str, Any]]) -> dict[str, list[str]]:
    names = {str(o["id"]): f"{mid} {o.get('name', '')}".strip() for o in objects
             if o.get("type") == "course-of-action" and (mid := external_id(o, "mitre-attack"))}
    result: dict[str, list[str]] = defaultdict(list)
    for rel in objects:
        if rel.get("type") == "relationship" and rel.get("relationship_type") == "mitigates" \
                and rel.get("source_ref") in names:
            result[str(rel.get("target_ref"))].append(names[str(rel["source_ref"])])
    return result


def parse_attack_ics(path: Path) -> CatalogueFile:
    """Read MITRE's ATT&CK for ICS STIX bundle; each ICS technique becomes an entry."""
    data = read_input(path)
    objects = load_stix_bundle(path, data, "MITRE's ATT&CK for ICS bundle (ics-attack.json)")
    mitigations = _mitigations(objects)
    entries = []
    for obj in _patterns(objects):
        tid = external_id(obj, "mitre-attack") or external_id(obj, "mitre-ics-attack")
        if not tid or not _is_ics(obj):
            continue
        tactics = sorted({str(p.get("phase_name")) for p in obj.get("kill_chain_phases") or () if isinstance(p, dict)})
        attrs = [("tactic", ", ".join(tactics))]
        if mitigations.get(str(obj.get("id"))):
            attrs.append(("mitigations", "; ".join(sorted(set(mitigations[str(obj["id"])])))))
        entries.append(CatalogueEntry(
            id=tid, name=str(obj.get("name") or tid), definition=shorten(str(obj.get("description") or "")),
            deprecated=bool(obj.get("revoked") or obj.get("x_mitre_deprecated")), attributes=tuple(attrs)))
    if not entries:
        hint = ("this looks like a CAPEC bundle: use 'medsec kb import capec'"
                if any(external_id(o, "capec") for o in objects)
                else "expected the ICS domain bundle (ics-attack.json), not enterprise or mobile")
        raise KbError("the bundle contains no ATT&CK for ICS techniques", file=path, hint=hint)
    matrix = [o for o in objects if o.get("type") == "x-mitre-matrix"]
    modified = max((str(o.get("modified") or "") for o in _patterns(objects)), default="")
    version = str(matrix[0].get("x_mitre_version", "")) if matrix else ""
    label = f"MITRE ATT&CK for ICS (matrix {version}, modified {modified[:10]})" if version else "MITRE ATT&CK for ICS"
    return CatalogueFile(kind="attack-ics", version=modified[:10] or "unknown", source_label=label,
                         source_file=path.name, source_sha256=hashlib.sha256(data).hexdigest(),
                         entries=tuple(entries))
