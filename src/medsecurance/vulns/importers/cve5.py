"""CVE JSON 5.x records → Advisory (package ranges become purl entries, the rest vendor/product)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.cpe import ANY, CpeError, parse_cpe
from medsecurance.vulns.keys import osv_package_key
from medsecurance.vulns.names import normalize_vendor, product_keys
from medsecurance.vulns.records import Advisory, Affected, Record

__all__ = ["detect", "records"]

#: collectionURL of a CVE 5 "affected" entry → OSV ecosystem name
_COLLECTIONS = {
    "https://pkg.go.dev": "Go",
    "https://pypi.org": "PyPI",
    "https://www.npmjs.com": "npm",
    "https://repo.maven.apache.org/maven2": "Maven",
    "https://crates.io": "crates.io",
}


def detect(doc: dict[str, Any]) -> bool:
    """A CVE 5 record has ``dataType: CVE_RECORD`` or a ``cveMetadata`` object."""
    return doc.get("dataType") == "CVE_RECORD" or isinstance(doc.get("cveMetadata"), dict)


def _cvss(cna: dict[str, Any]) -> tuple[str | None, float | None]:
    for key in ("cvssV4_0", "cvssV3_1", "cvssV3_0", "cvssV2_0"):
        for metric in cna.get("metrics") or []:
            data = metric.get(key) if isinstance(metric, dict) else None
            if isinstance(data, dict) and data.get("vectorString"):
                return str(data["vectorString"]), data.get("baseScore")
    return None, None


def _spec(versions: list[Any]) -> tuple[str, list[dict[str, str]]]:
    """Free-text spec and OSV-style events from CVE 5 ``versions`` (affected entries only)."""
    items, events = [], []
    for v in versions:
        if not isinstance(v, dict) or v.get("status") != "affected":
            continue
        start = str(v.get("version", "")).strip()
        low = start not in ("", "0", "*", "n/a", "unspecified")
        if v.get("lessThan") or v.get("lessThanOrEqual"):
            op, end = ("<", v["lessThan"]) if v.get("lessThan") else ("<=", v["lessThanOrEqual"])
            if str(end) in ("*", ""):
                items.append(f">= {start}" if low else "*")
            else:
                items.append(f">= {start} | {op} {end}" if low else f"{op} {end}")
            events.append({"introduced": start if low else "0"})
            events.append({"fixed" if op == "<" else "last_affected": str(end)} if str(end) != "*" else {})
        elif start:
            items.append(start)
    return " | ".join(items), [e for e in events if e]


def _affected(entry: dict[str, Any]) -> Iterator[Affected]:
    spec, events = _spec(entry.get("versions") or [])
    default = entry.get("defaultStatus")
    if not spec and default != "affected":
        return
    ecosystem = _COLLECTIONS.get(str(entry.get("collectionURL", "")).rstrip("/"))
    package = entry.get("packageName")
    if ecosystem and package:
        key = osv_package_key(ecosystem, str(package))
        if key:
            yield Affected(
                "purl",
                key,
                {"e": ecosystem, "n": package, "r": [{"t": "ECOSYSTEM", "ev": events}]}
                if events
                else {"e": ecosystem, "n": package, "r": [], "v": spec.split(" | ")},
            )
            return
    for raw in entry.get("cpes") or []:
        try:
            cpe = parse_cpe(str(raw))
        except CpeError:
            continue
        if cpe.product != ANY:
            yield Affected("cpe", f"cpe:{cpe.product}", {"c": cpe.to_fs(), "spec": spec or "*"})
    vendor, product = str(entry.get("vendor") or ""), str(entry.get("product") or "")
    if product and product.lower() not in ("n/a", "unknown"):
        for key in product_keys(product, vendor):
            yield Affected(
                "product",
                f"dev:{key}",
                {"vendor": vendor, "vn": normalize_vendor(vendor), "product": product, "spec": spec or "*"},
            )


def records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Yield the one Advisory of a CVE 5 record (rejected records are marked withdrawn)."""
    meta = doc.get("cveMetadata") or {}
    cve_id = meta.get("cveId")
    if not cve_id:
        raise AdvisoryError("record has no cveMetadata.cveId", file=file)
    cna = (doc.get("containers") or {}).get("cna") or {}
    vector, score = _cvss(cna)
    summary = next(
        (d.get("value", "") for d in cna.get("descriptions") or [] if str(d.get("lang", "")).startswith("en")), ""
    )
    cwes = sorted(
        {d.get("cweId") for p in cna.get("problemTypes") or [] for d in p.get("descriptions") or [] if d.get("cweId")}
    )
    yield Advisory(
        id=str(cve_id),
        source="cve5",
        modified=str(meta.get("dateUpdated") or meta.get("datePublished") or ""),
        published=meta.get("datePublished"),
        summary=str(summary or cna.get("title") or ""),
        cvss_vector=vector,
        cvss_score=float(score) if score is not None else None,
        cwes=tuple(cwes),
        references=tuple(str(r.get("url")) for r in cna.get("references") or [] if isinstance(r, dict)),
        withdrawn=meta.get("dateRejected") if meta.get("state") == "REJECTED" else None,
        affected=tuple(a for e in cna.get("affected") or [] if isinstance(e, dict) for a in _affected(e)),
    )
