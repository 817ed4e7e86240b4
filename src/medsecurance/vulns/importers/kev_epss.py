"""CISA Known Exploited Vulnerabilities (JSON or CSV) and FIRST EPSS scores (CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from medsecurance.errors import AdvisoryError
from medsecurance.vulns.records import EpssScore, KevEntry, Record

__all__ = ["detect_kev", "epss_records", "is_epss_csv", "is_kev_csv", "kev_csv_records", "kev_records"]


def detect_kev(doc: dict[str, Any]) -> bool:
    """The KEV JSON feed has ``catalogVersion`` and ``vulnerabilities`` with ``cveID``."""
    return "catalogVersion" in doc and isinstance(doc.get("vulnerabilities"), list)


def _entry(row: dict[str, Any], file: str, where: str) -> KevEntry:
    cve = str(row.get("cveID") or "").strip()
    if not cve.startswith("CVE-"):
        raise AdvisoryError(f"KEV entry has no valid cveID ({cve!r})", file=file, element=where)
    return KevEntry(
        cve,
        str(row.get("dateAdded") or ""),
        row.get("dueDate") or None,
        row.get("knownRansomwareCampaignUse") or None,
        row.get("vulnerabilityName") or None,
    )


def kev_records(doc: dict[str, Any], file: str) -> Iterator[Record]:
    """Entries of the KEV JSON feed."""
    for index, row in enumerate(doc["vulnerabilities"]):
        yield _entry(row if isinstance(row, dict) else {}, file, f"vulnerabilities[{index}]")


def is_kev_csv(text: str) -> bool:
    """The KEV CSV header starts with ``cveID,vendorProject``."""
    return text.lstrip().lower().startswith("cveid,")


def kev_csv_records(text: str, file: str) -> Iterator[Record]:
    """Entries of the KEV CSV feed (line numbers in errors)."""
    for lineno, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
        yield _entry(row, file, f"line {lineno}")


def is_epss_csv(text: str) -> bool:
    """EPSS CSV: an optional ``#model_version…`` comment, then ``cve,epss,percentile``."""
    lines = text.lstrip().splitlines()[:2]
    return any(line.lower().replace(" ", "").startswith("cve,epss") for line in lines)


def epss_records(text: str, file: str) -> Iterator[Record]:
    """Scores of an EPSS CSV file; the score date comes from the comment line when present."""
    lines = text.lstrip().splitlines()
    date = None
    start = 0
    if lines and lines[0].startswith("#"):
        for part in lines[0].lstrip("#").split(","):
            key, _, value = part.partition(":")
            if key.strip() == "score_date":
                date = value.strip()[:10]
        start = 1
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    for lineno, row in enumerate(reader, start + 2):
        try:
            score = float(row["epss"])
            pct = float(row["percentile"]) if row.get("percentile") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise AdvisoryError("EPSS row has no numeric 'epss' value", file=file, line=lineno) from exc
        yield EpssScore(str(row["cve"]).strip(), score, pct, date)
