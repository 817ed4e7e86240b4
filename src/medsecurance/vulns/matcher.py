"""Match SBOM components against the advisory database; every match records why it matched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packageurl import PackageURL

from medsecurance.findings import Severity
from medsecurance.vulns.cpe import ANY, NA, Cpe, cpe_match, parse_cpe
from medsecurance.vulns.keys import PURL_TO_ECOSYSTEM, purl_key
from medsecurance.vulns.model import Component
from medsecurance.vulns.names import normalize_vendor, product_keys, same_vendor
from medsecurance.vulns.versions import compare, osv_range_contains, parse_spec

__all__ = ["Candidate", "Lookup", "cvss_score", "evaluate", "lookups"]


@dataclass(frozen=True, slots=True)
class Lookup:
    """How one component is looked up: its keys and the identifiers used to test candidates."""

    component: Component
    keys: tuple[str, ...]
    purl: PackageURL | None
    cpe: Cpe | None
    version: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A confirmed or possible match of one component to one advisory, with its reason."""

    method: str
    confidence: str
    reason: str


def lookups(component: Component) -> Lookup:
    """Keys under which advisories for this component are stored, and the version to test."""
    keys: list[str] = []
    purl = cpe = None
    if component.purl:
        purl = PackageURL.from_string(component.purl)
        keys.append(purl_key(purl.type, purl.namespace, purl.name))
    if component.cpe:
        cpe = parse_cpe(component.cpe)
        keys += [f"cpe:{cpe.product}", f"cpev:{cpe.vendor}"]
    if component.vendor and component.name:
        keys += [f"dev:{k}" for k in product_keys(component.name, component.vendor)]
    version = (purl.version if purl and purl.version else None) or component.version
    if not version and cpe is not None and cpe.version not in (ANY, NA):
        version = cpe.version
    return Lookup(component, tuple(dict.fromkeys(keys)), purl, cpe, version)


def _purl(lk: Lookup, data: dict[str, Any], adv_id: str) -> Candidate | None:
    if lk.purl is None or not lk.version:
        return None
    ecosystem = str(data.get("e") or PURL_TO_ECOSYSTEM.get(lk.purl.type, lk.purl.type))
    where = f"purl {lk.purl.type}/{(lk.purl.namespace + '/') if lk.purl.namespace else ''}{lk.purl.name}"
    if lk.version in (data.get("v") or ()):
        return Candidate("purl", "high", f"{where} version {lk.version} is listed as affected by {adv_id}")
    for rng in data.get("r") or ():
        interval = osv_range_contains(ecosystem, rng.get("ev") or [], lk.version)
        if interval:
            return Candidate(
                "purl", "high", f"{where} version {lk.version} is in {ecosystem} range {interval} of {adv_id}"
            )
    if "spec" in data:
        return _spec(data["spec"], lk.version, f"{where}", adv_id, "purl")
    return None


def _spec(text: str, version: str | None, where: str, adv_id: str, method: str) -> Candidate | None:
    spec = parse_spec(text)
    inside = spec.contains(version)
    if inside is False:
        return None
    if inside is None:
        why = "the component has no version" if spec.parsed else f"the range {text!r} is not comparable"
        return Candidate(method, "low", f"{where} matches {adv_id}; {why}, so it may be affected")
    return Candidate(
        method,
        "medium" if method == "product" else "high",
        f"{where} version {version} is in {spec.describe()} of {adv_id}",
    )


def _nvd_bounds(data: dict[str, Any], version: str) -> str | None:
    checks = (("si", ">="), ("se", ">"), ("ei", "<="), ("ee", "<"))
    text = []
    for key, op in checks:
        if key in data:
            c = compare(version, str(data[key]))
            if not {">=": c >= 0, ">": c > 0, "<=": c <= 0, "<": c < 0}[op]:
                return None
            text.append(f"{op} {data[key]}")
    return ", ".join(text)


def _cpe(lk: Lookup, data: dict[str, Any], adv_id: str) -> Candidate | None:
    if lk.cpe is None:
        return None
    criteria = _parse(str(data["c"]))
    if not cpe_match(lk.cpe, criteria, ignore_version=True):
        return None
    version = lk.version
    where = f"CPE {lk.cpe.to_fs()}"
    note = " (component vendor is ANY: lower confidence)" if lk.cpe.vendor == ANY else ""
    if "spec" in data and criteria.version in (ANY, NA):
        return _spec(str(data["spec"]), version, where, adv_id, "cpe")
    if criteria.version not in (ANY, NA):
        if not version or compare(version, criteria.version) != 0:
            return None
        return Candidate("cpe", "medium", f"{where} equals vulnerable criteria {criteria.to_fs()} of {adv_id}{note}")
    if not version:
        return Candidate("cpe", "low", f"{where} matches {criteria.to_fs()} of {adv_id}, component version unknown")
    bounds = _nvd_bounds(data, version)
    if bounds is None:
        return None
    rng = f" within {bounds}" if bounds else " (all versions)"
    return Candidate(
        "cpe", "medium", f"{where} version {version} matches vulnerable {criteria.to_fs()}{rng} of {adv_id}{note}"
    )


def _product(lk: Lookup, data: dict[str, Any], adv_id: str) -> Candidate | None:
    vendor = lk.component.vendor
    if not vendor or not (data.get("vn") == normalize_vendor(vendor) or same_vendor(vendor, str(data["vendor"]))):
        return None
    where = f"vendor {vendor!r} product {lk.component.name!r} (advisory: {data['vendor']} {data['product']})"
    return _spec(str(data["spec"]), lk.version, where, adv_id, "product")


@lru_cache(maxsize=65536)
def _parse(text: str) -> Cpe:
    return parse_cpe(text)


def evaluate(lk: Lookup, kind: str, data_json: str, adv_id: str) -> Candidate | None:
    """Test one candidate row of the database against one component."""
    data = json.loads(data_json)
    if kind == "purl":
        return _purl(lk, data, adv_id)
    if kind == "cpe":
        return _cpe(lk, data, adv_id)
    if kind == "product":
        return _product(lk, data, adv_id)
    return None


@lru_cache(maxsize=65536)
def cvss_score(vector: str) -> float | None:
    """Base score of a CVSS v2/v3.x/v4.0 vector (FIRST specifications, via the ``cvss`` package)."""
    try:
        import cvss

        if vector.startswith("CVSS:4"):
            return float(cvss.CVSS4(vector).base_score)
        if vector.startswith("CVSS:3"):
            return float(cvss.CVSS3(vector).base_score)
        return float(cvss.CVSS2(vector).base_score)
    except Exception:
        return None


_LABELS = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "important": Severity.HIGH,
    "moderate": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}


def severity_of(score: float | None, label: str | None) -> tuple[Severity, bool]:
    """Severity from the CVSS score, else the advisory's label; (MEDIUM, False) when unknown."""
    if score is not None:
        return Severity.from_cvss(score), True
    if label and label.lower() in _LABELS:
        return _LABELS[label.lower()], True
    return Severity.MEDIUM, False


def iter_cves(ids: Iterator[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The CVE ids among ``ids``."""
    return tuple(i for i in ids if i.startswith("CVE-"))
