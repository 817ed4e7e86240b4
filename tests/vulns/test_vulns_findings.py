"""Vulnerability findings for the analysis pipeline."""

from __future__ import annotations

from pathlib import Path

from medsecurance.findings import FindingKind, stable_id
from medsecurance.vulns import Component, Sbom, VulnDatabase, scan, vulnerability_findings
from medsecurance.vulns.records import Advisory, Affected, EpssScore, KevEntry


def test_findings_carry_the_contract(tmp_path: Path) -> None:
    db = VulnDatabase(tmp_path / "f.sqlite")
    db.import_records(
        [
            Advisory(
                "CVE-2099-0003",
                "nvd",
                "2099-01-01",
                summary="flaw",
                cvss_vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N",
                affected=(
                    Affected(
                        "purl",
                        "pypi//demo",
                        {"e": "PyPI", "r": [{"t": "ECOSYSTEM", "ev": [{"introduced": "0"}, {"fixed": "2.0"}]}]},
                    ),
                ),
            ),
            KevEntry("CVE-2099-0003", "2099-01-02"),
            EpssScore("CVE-2099-0003", 0.5, 0.9, "2099-01-03"),
        ]
    )
    sbom = Sbom("s.json", "test", "1", components=(Component("demo-ref", "demo", "1.0", purl="pkg:pypi/demo@1.0"),))
    (finding,) = vulnerability_findings(scan(sbom, db), "pump")
    assert finding.kind is FindingKind.VULNERABILITY
    assert finding.id == stable_id("V", "pump", "CVE-2099-0003", "demo-ref")
    data = finding.to_dict()
    assert data["cve"] == ["CVE-2099-0003"] and data["kev"] is True and data["epss"] == 0.5
    assert data["cvss"] == {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", "score": 9.1}
    assert data["severity"] == "critical" and data["component"]["purl"] == "pkg:pypi/demo@1.0"
    assert "< 2.0" in data["match_reason"] and data["vex_status"] is None and data["elements"] == ["pump"]
