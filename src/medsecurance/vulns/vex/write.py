"""Write scan results as CycloneDX 1.6 VEX, OpenVEX 0.2.0 and CSAF 2.0 VEX (deterministic JSON)."""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import TYPE_CHECKING, Any

from medsecurance.vulns.vex.model import tables

if TYPE_CHECKING:
    from medsecurance.vulns.scan import Match, ScanResult

__all__ = ["write_csaf_vex", "write_cyclonedx_vex", "write_openvex"]

_DEFAULT_JUSTIFICATION = "vulnerable_code_not_present"


def _status(m: Match) -> str:
    return m.vex_status or "under_investigation"


def _digest(result: ScanResult) -> str:
    h = hashlib.sha256()
    for m in result.matches:
        h.update(f"{m.component.bom_ref}\x1f{m.vuln_id}\x1f{_status(m)}\n".encode())
    return h.hexdigest()


def _method(vector: str) -> str:
    return {"CVSS:4": "CVSSv4", "CVSS:3.1": "CVSSv31", "CVSS:3.0": "CVSSv3"}.get(
        vector[:8] if vector.startswith("CVSS:3") else vector[:6], "CVSSv2"
    )


def write_cyclonedx_vex(result: ScanResult) -> dict[str, Any]:
    """A standalone CycloneDX 1.6 VEX BOM referring to the scanned SBOM's components."""
    t = tables()
    serial = result.sbom.serial if (result.sbom.serial or "").startswith("urn:uuid:") else None
    vulns = []
    for m in result.matches:
        ref = f"urn:cdx:{serial[9:]}/1#{m.component.bom_ref}" if serial else m.component.bom_ref
        analysis: dict[str, Any] = {"state": t["status_to_cyclonedx_state"][_status(m)]}
        if m.vex_status == "not_affected":
            analysis["justification"] = t["canonical_to_cyclonedx"].get(m.vex_justification or "", "code_not_present")
        analysis["detail"] = m.reason if not m.vex_statement else f"{m.reason}; VEX: {m.vex_statement}"
        entry: dict[str, Any] = {
            "bom-ref": f"{m.vuln_id}@{m.component.bom_ref}",
            "id": m.vuln_id,
            "source": {"name": m.source},
            "analysis": analysis,
            "affects": [{"ref": ref}],
        }
        if m.cvss_vector and m.cvss_score is not None:
            entry["ratings"] = [
                {
                    "score": m.cvss_score,
                    "severity": m.severity.value,
                    "method": _method(m.cvss_vector),
                    "vector": m.cvss_vector,
                }
            ]
        if m.aliases:
            entry["references"] = [{"id": a, "source": {"name": "alias"}} for a in m.aliases]
        vulns.append(entry)
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.UUID(_digest(result)[:32])}",
        "version": 1,
        "metadata": {"tools": {"components": [{"type": "application", "name": "medsecurance"}]}},
        "vulnerabilities": vulns,
    }


def _product_id(m: Match) -> str:
    return m.component.purl or m.component.cpe or m.component.bom_ref


def write_openvex(result: ScanResult, *, timestamp: str, author: str = "medsecurance") -> dict[str, Any]:
    """An OpenVEX 0.2.0 document; ``timestamp`` is given so output is reproducible."""
    statements = []
    for m in result.matches:
        st: dict[str, Any] = {
            "vulnerability": {"name": m.vuln_id},
            "products": [{"@id": _product_id(m)}],
            "status": _status(m),
        }
        if m.aliases:
            st["vulnerability"]["aliases"] = list(m.aliases)
        if st["status"] == "not_affected":
            st["justification"] = m.vex_justification or _DEFAULT_JUSTIFICATION
        if st["status"] == "affected":
            st["action_statement"] = "Update the component or apply the vendor's mitigation."
        st["status_notes"] = m.reason
        statements.append(st)
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": f"https://openvex.dev/docs/medsecurance/vex-{_digest(result)[:16]}",
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "statements": statements,
    }


_CSAF_STATUS = {
    "not_affected": "known_not_affected",
    "affected": "known_affected",
    "fixed": "fixed",
    "under_investigation": "under_investigation",
}


def write_csaf_vex(
    result: ScanResult, *, timestamp: str, publisher: str = "medsecurance", namespace: str = "https://example.invalid"
) -> dict[str, Any]:
    """A CSAF 2.0 VEX document (category csaf_vex) for the scan result."""
    pids, tree = _csaf_products(result)
    vulns: dict[str, dict[str, Any]] = {}
    for m in result.matches:
        v = vulns.setdefault(m.vuln_id, _csaf_vuln(m))
        pid = pids[m.component.bom_ref]
        status = _status(m)
        v["product_status"].setdefault(_CSAF_STATUS[status], []).append(pid)
        if status == "not_affected":
            v.setdefault("flags", []).append(
                {"label": m.vex_justification or _DEFAULT_JUSTIFICATION, "product_ids": [pid]}
            )
        if status == "affected":
            v.setdefault("remediations", []).append(
                {
                    "category": "none_available",
                    "details": "Update the component or apply the vendor's mitigation.",
                    "product_ids": [pid],
                }
            )
        v.setdefault("notes", []).append({"category": "details", "title": f"Match {pid}", "text": m.reason})
    doc_id = f"MEDSEC-VEX-{_digest(result)[:12].upper()}"
    return {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "publisher": {"category": "other", "name": publisher, "namespace": namespace},
            "title": f"VEX for {result.sbom.subject.name if result.sbom.subject else result.sbom.path}",
            "tracking": {
                "id": doc_id,
                "status": "final",
                "version": "1",
                "initial_release_date": timestamp,
                "current_release_date": timestamp,
                "revision_history": [{"date": timestamp, "number": "1", "summary": "Generated."}],
            },
        },
        "product_tree": tree,
        "vulnerabilities": list(vulns.values()),
    }


def _csaf_products(result: ScanResult) -> tuple[dict[str, str], dict[str, Any]]:
    """Product ids per bom-ref and the product tree (identifiers, else vendor/product/version branches)."""
    pids: dict[str, str] = {}
    full: list[dict[str, Any]] = []
    vendors: dict[str, list[dict[str, Any]]] = {}
    for m in result.matches:
        c = m.component
        if c.bom_ref in pids:
            continue
        pid = f"CSAFPID-{len(pids) + 1:04d}"
        pids[c.bom_ref] = pid
        node: dict[str, Any] = {"name": f"{c.name} {c.version or ''}".strip(), "product_id": pid}
        if c.purl or c.cpe:
            node["product_identification_helper"] = {"purl": c.purl} if c.purl else {"cpe": c.cpe}
            full.append(node)
            continue
        # no identifier: vendor / product name / version branches keep the parts apart for readers
        leaf: dict[str, Any] = {"category": "product_name", "name": c.name}
        if c.version:
            leaf["branches"] = [{"category": "product_version", "name": c.version, "product": node}]
        else:
            leaf["product"] = node
        vendors.setdefault(c.vendor or "unknown vendor", []).append(leaf)
    tree: dict[str, Any] = {}
    if full:
        tree["full_product_names"] = full
    if vendors:
        tree["branches"] = [{"category": "vendor", "name": v, "branches": b} for v, b in sorted(vendors.items())]
    return pids, tree


def _csaf_vuln(m: Match) -> dict[str, Any]:
    v: dict[str, Any] = {"product_status": {}}
    if re.fullmatch(r"CVE-\d{4}-\d{4,}", m.vuln_id):
        v["cve"] = m.vuln_id
    else:
        v["ids"] = [{"system_name": m.source, "text": m.vuln_id}]
    if m.summary:
        v["notes"] = [{"category": "summary", "text": m.summary[:1000]}]
    return v
