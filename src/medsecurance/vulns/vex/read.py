"""Read CycloneDX VEX (JSON), OpenVEX 0.2 (and 0.0.x) and CSAF 2.0 VEX into VexStatements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medsecurance._internal.io import read_text_limited
from medsecurance.errors import VexError
from medsecurance.vulns.vex.model import STATUSES, VexStatement, canonical_justification, tables

__all__ = ["read_vex"]


def read_vex(path: str | Path) -> list[VexStatement]:
    """Read a VEX file, format detected; problems raise :class:`VexError` naming file and place."""
    file = str(path)
    text = read_text_limited(path, error=VexError)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise VexError(f"broken JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno) from exc
    if not isinstance(doc, dict):
        raise VexError("expected a JSON object", file=file, line=1)
    if "statements" in doc and "@context" in doc:
        return list(_openvex(doc, file))
    if isinstance(doc.get("document"), dict) and "csaf_version" in doc["document"]:
        return list(_csaf(doc, file))
    if doc.get("bomFormat") == "CycloneDX":
        return list(_cyclonedx(doc, file))
    raise VexError("not a VEX document", file=file, hint="supported: CycloneDX VEX (JSON), OpenVEX 0.2, CSAF 2.0 VEX")


def _status(value: object, file: str, where: str) -> str:
    if value not in STATUSES:
        raise VexError(
            f"unknown VEX status {value!r}", file=file, element=where, hint="use one of: " + ", ".join(STATUSES)
        )
    return str(value)


def _openvex(doc: dict[str, Any], file: str) -> Iterator[VexStatement]:
    for i, st in enumerate(doc.get("statements") or []):
        where = f"statements[{i}]"
        vuln = st.get("vulnerability")
        if isinstance(vuln, dict):
            vid, aliases = str(vuln.get("name") or vuln.get("@id") or ""), tuple(vuln.get("aliases") or ())
        else:
            vid, aliases = str(vuln or ""), ()
        if not vid:
            raise VexError("statement names no vulnerability", file=file, element=where)
        products: list[str] = []
        for p in st.get("products") or []:
            if isinstance(p, str):
                products.append(p)
            elif isinstance(p, dict):
                products += [x for x in (p.get("@id"), *(p.get("identifiers") or {}).values()) if x]
                products += [s.get("@id") for s in p.get("subcomponents") or [] if s.get("@id")]
        yield VexStatement(
            vid,
            tuple(products),
            _status(st.get("status"), file, where),
            canonical_justification(st.get("justification")),
            st.get("impact_statement"),
            st.get("action_statement"),
            tuple(str(a) for a in aliases),
            f"{file}#{where}",
        )


def _cyclonedx(doc: dict[str, Any], file: str) -> Iterator[VexStatement]:
    purls = {c.get("bom-ref"): c.get("purl") for c in doc.get("components") or [] if c.get("purl")}
    states = tables()["cyclonedx_state_to_status"]
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        where = f"vulnerabilities[{i}]"
        analysis = v.get("analysis") or {}
        if "state" not in analysis:
            continue  # a plain vulnerability listing (VDR) states nothing about exploitability
        state = analysis["state"]
        if state not in states:
            raise VexError(f"unknown analysis.state {state!r}", file=file, element=where)
        products: list[str] = []
        for a in v.get("affects") or []:
            ref = str(a.get("ref", ""))
            local = ref.rsplit("#", 1)[-1] if ref.startswith("urn:cdx:") else ref
            products += [x for x in (ref, local, purls.get(local)) if x]
        response = ", ".join(analysis.get("response") or [])
        yield VexStatement(
            str(v.get("id", "")),
            tuple(dict.fromkeys(products)),
            states[state],
            canonical_justification(analysis.get("justification")),
            analysis.get("detail"),
            response or None,
            tuple(r.get("id") for r in v.get("references") or [] if r.get("id")),
            f"{file}#{where}",
        )


_CSAF_STATUS = {
    "known_not_affected": "not_affected",
    "fixed": "fixed",
    "first_fixed": "fixed",
    "known_affected": "affected",
    "first_affected": "affected",
    "last_affected": "affected",
    "under_investigation": "under_investigation",
}


def _csaf(doc: dict[str, Any], file: str) -> Iterator[VexStatement]:
    from medsecurance.vulns.importers.csaf import product_index

    products = product_index(doc)

    def idents(pid: str) -> list[str]:
        p = products.get(pid)
        if p is None:
            return [pid]
        name = f"{p.product}@{p.version}" if p.version else p.product
        return [x for x in (p.purl, p.cpe, name, p.name) if x]

    for i, v in enumerate(doc.get("vulnerabilities") or []):
        vid = str(v.get("cve") or next((x.get("text") for x in v.get("ids") or []), "") or "")
        flags = {pid: f.get("label") for f in v.get("flags") or [] for pid in f.get("product_ids") or []}
        impacts = {
            pid: t.get("details")
            for t in v.get("threats") or []
            if t.get("category") == "impact"
            for pid in t.get("product_ids") or []
        }
        actions = {pid: r.get("details") for r in v.get("remediations") or [] for pid in r.get("product_ids") or []}
        for status_key, status in _CSAF_STATUS.items():
            for pid in (v.get("product_status") or {}).get(status_key) or []:
                yield VexStatement(
                    vid,
                    tuple(idents(pid)),
                    status,
                    canonical_justification(flags.get(pid)),
                    impacts.get(pid),
                    actions.get(pid),
                    (),
                    f"{file}#vulnerabilities[{i}].product_status.{status_key}",
                )
