"""Scan an SBOM against the advisory database: matches with reasons, KEV/EPSS, VEX applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from medsecurance.errors import Diagnostic
from medsecurance.findings import Severity
from medsecurance.vulns.db import VulnDatabase
from medsecurance.vulns.matcher import Candidate, Lookup, cvss_score, evaluate, lookups, severity_of
from medsecurance.vulns.model import Component, Sbom
from medsecurance.vulns.vex.model import VexStatement, apply_vex, decisions_to_statements

__all__ = ["Match", "ScanResult", "scan"]


@dataclass(frozen=True, slots=True)
class Match:
    """One component affected (or possibly affected) by one advisory, and why."""

    component: Component
    vuln_id: str
    source: str
    document: str | None
    aliases: tuple[str, ...]
    summary: str
    cvss_vector: str | None
    cvss_score: float | None
    severity: Severity
    severity_known: bool
    method: str
    confidence: str
    reason: str
    kev: bool = False
    kev_date_added: str | None = None
    epss: float | None = None
    epss_percentile: float | None = None
    vex_status: str | None = None
    vex_justification: str | None = None
    vex_statement: str | None = None
    published: str | None = None

    @property
    def suppressed(self) -> bool:
        """True when VEX says not_affected or fixed."""
        return self.vex_status in ("not_affected", "fixed")

    @property
    def cves(self) -> tuple[str, ...]:
        """CVE ids of this match: its id and its CVE aliases."""
        ids = (self.vuln_id, *self.aliases)
        return tuple(dict.fromkeys(i for i in ids if i.startswith("CVE-")))

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        c = self.component
        return {
            "vulnerability": self.vuln_id,
            "source": self.source,
            "advisory": self.document,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "component": {"bom_ref": c.bom_ref, "name": c.name, "version": c.version, "purl": c.purl, "cpe": c.cpe},
            "cvss": {"vector": self.cvss_vector, "score": self.cvss_score},
            "severity": self.severity.value,
            "severity_known": self.severity_known,
            "match": {"method": self.method, "confidence": self.confidence, "reason": self.reason},
            "kev": self.kev,
            "kev_date_added": self.kev_date_added,
            "epss": self.epss,
            "epss_percentile": self.epss_percentile,
            "vex": {
                "status": self.vex_status,
                "justification": self.vex_justification,
                "statement": self.vex_statement,
            },
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True, slots=True)
class ScanResult:
    """All matches of one SBOM (suppressed ones included, marked) and the scan's diagnostics."""

    sbom: Sbom
    matches: tuple[Match, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def active(self) -> tuple[Match, ...]:
        """Matches not suppressed by VEX."""
        return tuple(m for m in self.matches if not m.suppressed)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``medsec sbom scan --format json``)."""
        return {
            "sbom": self.sbom.path,
            "components": len(self.sbom.all_components()),
            "matches": [m.to_dict() for m in self.matches],
            "summary": {
                "matches": len(self.matches),
                "suppressed": sum(m.suppressed for m in self.matches),
                "kev": sum(m.kev for m in self.active),
                "by_severity": {s.value: sum(m.severity is s for m in self.active) for s in Severity},
            },
            "diagnostics": [str(d) for d in self.diagnostics],
        }


def _lookups(sbom: Sbom, diags: list[Diagnostic]) -> list[Lookup]:
    out = []
    for component in sbom.all_components():
        try:
            out.append(lookups(component))
        except ValueError as exc:  # identifiers were checked on reading; keep going regardless
            diags.append(Diagnostic(f"component skipped: {exc}", file=sbom.path, element=component.bom_ref))
    return out


_Found = dict[tuple[int, int], tuple[Candidate, tuple[Any, ...]]]
_RANK = {"high": 3, "medium": 2, "low": 1}


def _find(items: list[Lookup], db: VulnDatabase) -> _Found:
    """Best candidate per (component index, advisory row) over the database rows for their keys."""
    by_key: dict[str, list[int]] = {}
    for index, lk in enumerate(items):
        for key in lk.keys:
            by_key.setdefault(key, []).append(index)
    found: _Found = {}
    for row in db.candidates(by_key):
        key, kind, data, adv, adv_id, *_ = row
        if row[11]:  # withdrawn advisories never match
            continue
        for index in by_key[key]:
            cand = evaluate(items[index], kind, data, adv_id)
            if cand is None:
                continue
            prev = found.get((index, adv))
            if prev is None or _RANK[cand.confidence] > _RANK[prev[0].confidence]:
                found[(index, adv)] = (cand, row)
    return found


def _matches(items: list[Lookup], found: _Found, db: VulnDatabase) -> list[Match]:
    """Matches with aliases, CVSS score (computed from the vector when absent), KEV and EPSS."""
    aliases = db.aliases(adv for _, adv in found)
    matches = []
    for (index, adv), (cand, row) in found.items():
        _, _, _, _, adv_id, source, summary, vector, score, label, document, _, published = row
        if score is None and vector:
            score = cvss_score(vector)
        severity, known = severity_of(score, label)
        matches.append(
            Match(
                items[index].component,
                adv_id,
                source,
                document,
                aliases.get(adv, ()),
                summary or "",
                vector,
                score,
                severity,
                known,
                cand.method,
                cand.confidence,
                cand.reason,
                published=published,
            )
        )
    kev, epss = db.kev_epss(c for m in matches for c in m.cves)
    enriched = []
    for m in matches:
        k = next((kev[c] for c in m.cves if c in kev), None)
        e = next((epss[c] for c in m.cves if c in epss), None)
        enriched.append(
            replace(
                m,
                kev=k is not None,
                kev_date_added=k.date_added if k else None,
                epss=e.score if e else None,
                epss_percentile=e.percentile if e else None,
            )
        )
    return enriched


def scan(
    sbom: Sbom,
    db: VulnDatabase,
    *,
    vex: Iterable[VexStatement] = (),
    decisions: Mapping[tuple[str, str], Mapping[str, str] | str] | None = None,
) -> ScanResult:
    """Match every component of ``sbom``; apply VEX statements, then (component, vuln) decisions.

    ``decisions`` maps (component ref, vulnerability id) to a status or to
    ``{status, justification, impact, action}``; the ref is a bom-ref, purl, CPE, ``name[@version]``
    or ``*``. Decisions are applied after the VEX files, so a human decision wins.
    """
    diags: list[Diagnostic] = []
    items = _lookups(sbom, diags)
    matches = _matches(items, _find(items, db), db)
    statements = list(vex) + decisions_to_statements(decisions or {})
    final = apply_vex(matches, statements)
    final.sort(key=lambda m: (m.component.bom_ref, m.vuln_id, m.source))
    return ScanResult(sbom, tuple(final), tuple(sbom.diagnostics) + tuple(diags))
