"""OSV schema records (https://ossf.github.io/osv-schema/) → Advisory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.keys import osv_package_key
from medsecurance.vulns.records import Advisory, Affected, Record

__all__ = ["detect", "records"]


def detect(doc: dict[str, Any]) -> bool:
    """An OSV record has an id, a modified time and affected/aliases or a schema_version."""
    return (
        isinstance(doc.get("id"), str)
        and "modified" in doc
        and ("affected" in doc or "schema_version" in doc or "aliases" in doc)
    )


def _severity(doc: dict[str, Any]) -> tuple[str | None, str | None]:
    vector = None
    for sev in doc.get("severity") or []:
        if (
            isinstance(sev, dict)
            and str(sev.get("type", "")).startswith("CVSS_V")
            and (vector is None or sev["type"] > "CVSS_V3")
        ):
            vector = str(sev.get("score"))
    label = None
    spec = doc.get("database_specific")
    if isinstance(spec, dict) and isinstance(spec.get("severity"), str):
        label = spec["severity"].lower()
    return vector, label


def _affected(entry: dict[str, Any]) -> Affected | None:
    pkg = entry.get("package") or {}
    ecosystem, name = str(pkg.get("ecosystem", "")), str(pkg.get("name", ""))
    key = osv_package_key(ecosystem, name) if ecosystem and name else None
    if key is None:
        return None
    ranges = [
        {"t": r.get("type"), "ev": r.get("events") or []}
        for r in entry.get("ranges") or []
        if isinstance(r, dict) and r.get("type") in ("ECOSYSTEM", "SEMVER")
    ]
    data: dict[str, Any] = {"e": ecosystem, "n": name, "r": ranges}
    if entry.get("versions") and not ranges:
        # with ECOSYSTEM/SEMVER ranges, "versions" is their enumeration (osv.dev computes it from
        # the ranges); keeping it only for GIT-only entries keeps the database and scans lean
        data["v"] = entry["versions"]
    return Affected("purl", key, data)


def records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Yield the one Advisory of an OSV record."""
    if not isinstance(doc.get("affected", []), list):
        raise AdvisoryError("'affected' must be a list", file=file, element=str(doc.get("id")))
    vector, label = _severity(doc)
    affected = tuple(a for a in (_affected(e) for e in doc.get("affected") or [] if isinstance(e, dict)) if a)
    yield Advisory(
        id=str(doc["id"]),
        source="osv",
        modified=str(doc["modified"]),
        published=doc.get("published"),
        summary=str(doc.get("summary") or doc.get("details") or "")[:2000],
        cvss_vector=vector,
        severity=label,
        aliases=tuple(str(a) for a in doc.get("aliases") or []),
        references=tuple(str(r.get("url")) for r in (doc.get("references") or [])[:20] if isinstance(r, dict)),
        withdrawn=doc.get("withdrawn"),
        affected=affected,
    )
