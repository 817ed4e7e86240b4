"""NVD CVE API 2.0 responses → Advisory (only ``vulnerable: true`` CPE criteria are affected)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.cpe import ANY, CpeError, parse_cpe
from medsecurance.vulns.records import Advisory, Affected, Record

__all__ = ["cvss_of", "detect", "records"]

_BOUNDS = {
    "versionStartIncluding": "si",
    "versionStartExcluding": "se",
    "versionEndIncluding": "ei",
    "versionEndExcluding": "ee",
}


def detect(doc: dict[str, Any]) -> bool:
    """An NVD API 2.0 CVE response (``format: NVD_CVE``) or one of its ``{"cve": …}`` items."""
    if doc.get("format") == "NVD_CVE":
        return True
    cve = doc.get("cve")
    return isinstance(cve, dict) and "id" in cve and ("descriptions" in cve or "configurations" in cve)


#: other NVD API 2.0 responses: recognised, but they carry no vulnerabilities to import
OTHER_FORMATS = ("NVD_CPE", "NVD_CPEMatchString", "NVD_CVEHistory", "NVD_SOURCE")


def detect_other(doc: dict[str, Any]) -> bool:
    """A CPE dictionary, match-criteria, change-history or source response."""
    return doc.get("format") in OTHER_FORMATS


def no_records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Nothing to import from a non-CVE NVD response."""
    return iter(())


def cvss_of(metrics: dict[str, Any]) -> tuple[str | None, float | None]:
    """The preferred CVSS vector and base score (v4.0, v3.1, v3.0, then v2; primary source first)."""
    for key in ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"):
        items = [m for m in metrics.get(key) or [] if isinstance(m, dict)]
        items.sort(key=lambda m: m.get("type") != "Primary")
        for m in items:
            data = m.get("cvssData") or {}
            if data.get("vectorString"):
                return str(data["vectorString"]), data.get("baseScore")
    return None, None


def _affected(configurations: list[Any]) -> Iterator[Affected]:
    for config in configurations:
        for node in config.get("nodes") or []:
            if node.get("negate"):
                continue
            for match in node.get("cpeMatch") or []:
                if not match.get("vulnerable"):
                    continue  # "running on/with" platform criteria never match by themselves
                try:
                    cpe = parse_cpe(str(match.get("criteria", "")))
                except CpeError:
                    continue
                data = {"c": cpe.to_fs()}
                data.update({short: match[long] for long, short in _BOUNDS.items() if match.get(long)})
                key = f"cpe:{cpe.product}" if cpe.product != ANY else f"cpev:{cpe.vendor}"
                yield Affected("cpe", key, data)


def records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Yield one Advisory per CVE of the response."""
    items = [doc] if "cve" in doc and "vulnerabilities" not in doc else doc.get("vulnerabilities")
    if not isinstance(items, list):
        raise AdvisoryError("'vulnerabilities' must be a list", file=file)
    for index, item in enumerate(items):
        cve = item.get("cve") if isinstance(item, dict) else None
        if not isinstance(cve, dict) or not cve.get("id"):
            raise AdvisoryError("entry has no cve.id", file=file, element=f"vulnerabilities[{index}]")
        vector, score = cvss_of(cve.get("metrics") or {})
        summary = next((d.get("value", "") for d in cve.get("descriptions") or [] if d.get("lang") == "en"), "")
        cwes = sorted(
            {
                d.get("value")
                for w in cve.get("weaknesses") or []
                for d in w.get("description") or []
                if str(d.get("value", "")).startswith("CWE-")
            }
        )
        affected = tuple(_affected(cve.get("configurations") or []))
        yield Advisory(
            id=str(cve["id"]),
            source="nvd",
            modified=str(cve.get("lastModified") or cve.get("published") or ""),
            published=cve.get("published"),
            summary=str(summary),
            cvss_vector=vector,
            cvss_score=float(score) if score is not None else None,
            cwes=tuple(cwes),
            references=tuple(str(r.get("url")) for r in cve.get("references") or [] if isinstance(r, dict)),
            withdrawn=cve.get("published") if cve.get("vulnStatus") == "Rejected" else None,
            affected=affected,
        )
