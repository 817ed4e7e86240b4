"""Builders of small test advisories shared by the vulnerability tests."""

from __future__ import annotations

from typing import Any

CRITICAL_V31 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def nvd_response(cve_id: str, description: str, configurations: list[dict[str, Any]],
                 vector: str = CRITICAL_V31, score: float = 9.8) -> dict[str, Any]:
    """A one-record NVD CVE API 2.0 response in the real layout."""
    return {
        "format": "NVD_CVE",
        "version": "2.0",
        "resultsPerPage": 1,
        "startIndex": 0,
        "totalResults": 1,
        "vulnerabilities": [{"cve": {
            "id": cve_id,
            "published": "2099-01-01T00:00:00",
            "lastModified": "2099-01-02T00:00:00",
            "descriptions": [{"lang": "en", "value": description}],
            "metrics": {"cvssMetricV31": [{"type": "Primary",
                                           "cvssData": {"vectorString": vector, "baseScore": score}}]},
            "configurations": configurations,
        }}],
    }
