"""Matching: purl ranges, NVD CPE configurations, CPE-only and purl-without-version components."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vulns_helpers import nvd_response

from medsecurance.vulns import Component, Sbom, VulnDatabase, read_sbom, scan

NVD = nvd_response("CVE-2099-0001", "Test flaw in acme pumpd.", [
    {
        "operator": "AND",
        "nodes": [
            {"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": True, "criteria": "cpe:2.3:a:acme:pumpd:*:*:*:*:*:*:*:*",
                 "versionStartIncluding": "2.0", "versionEndExcluding": "2.4.1"}]},
            {"operator": "OR", "negate": False, "cpeMatch": [
                {"vulnerable": False, "criteria": "cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*"}]},
        ],
    }
])


@pytest.fixture(scope="module")
def nvd_db(tmp_path_factory: pytest.TempPathFactory) -> VulnDatabase:
    folder = tmp_path_factory.mktemp("nvd")
    (folder / "nvd.json").write_text(json.dumps(NVD))
    db = VulnDatabase(folder / "db.sqlite")
    db.import_files([folder / "nvd.json"])
    return db


def _scan(db: VulnDatabase, *components: Component) -> dict[str, list[str]]:
    result = scan(Sbom("t.json", "test", "1", components=components), db)
    out: dict[str, list[str]] = {}
    for m in result.matches:
        out.setdefault(m.component.bom_ref, []).append(m.vuln_id)
    return out


def test_nvd_cpe_semantics(nvd_db: VulnDatabase) -> None:
    hits = _scan(
        nvd_db,
        Component("in", "pumpd", "2.3", cpe="cpe:2.3:a:acme:pumpd:2.3:*:*:*:*:*:*:*"),
        Component("start", "pumpd", "2.0", cpe="cpe:2.3:a:acme:pumpd:2.0:*:*:*:*:*:*:*"),
        Component("end", "pumpd", "2.4.1", cpe="cpe:2.3:a:acme:pumpd:2.4.1:*:*:*:*:*:*:*"),
        Component("below", "pumpd", "1.9", cpe="cpe:2.3:a:acme:pumpd:1.9:*:*:*:*:*:*:*"),
        Component("kernel", "linux", "5.10", cpe="cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*"),
        Component("vendor", "pumpd", "2.3", cpe="cpe:2.3:a:other:pumpd:2.3:*:*:*:*:*:*:*"),
        # CPE without version, version from the component: still matched
        Component("cpe-nover", "pumpd", "2.2", cpe="cpe:2.3:a:acme:pumpd:*:*:*:*:*:*:*:*"),
    )
    assert set(hits) == {"in", "start", "cpe-nover"}


def test_match_records_reason_and_cvss(nvd_db: VulnDatabase) -> None:
    result = scan(
        Sbom(
            "t.json",
            "test",
            "1",
            components=(Component("in", "pumpd", "2.3", cpe="cpe:2.3:a:acme:pumpd:2.3:*:*:*:*:*:*:*"),),
        ),
        nvd_db,
    )
    (m,) = result.matches
    assert m.cvss_score == 9.8 and m.severity.value == "critical"
    assert ">= 2.0, < 2.4.1" in m.reason and "cpe:2.3:a:acme:pumpd" in m.reason and m.method == "cpe"


def test_purl_matches_and_versions(loaded_db: VulnDatabase) -> None:
    hits = _scan(
        loaded_db,
        Component("old", "django", "2.2.0", purl="pkg:pypi/django@2.2.0"),
        Component(
            "nover", "django", None, purl="pkg:pypi/django", cpe="cpe:2.3:a:djangoproject:django:2.2.0:*:*:*:*:*:*:*"
        ),
        Component("new", "django", "99.0", purl="pkg:pypi/Django@99.0"),
    )
    assert hits["old"] and sorted(hits["old"]) == sorted(hits["nover"])
    assert "new" not in hits


def test_real_sbom_produces_reasoned_findings(loaded_db: VulnDatabase, proton_sbom: Path) -> None:
    result = scan(read_sbom(proton_sbom), loaded_db)
    gin = [m for m in result.matches if m.component.name.endswith("gin")]
    assert gin and all("github.com/gin-gonic/gin version v1.4.0" in m.reason for m in gin)
    assert all(m.reason for m in result.matches)
    assert result.to_dict() == scan(read_sbom(proton_sbom), loaded_db).to_dict()  # deterministic


def test_withdrawn_and_unknown_components_do_not_match(loaded_db: VulnDatabase) -> None:
    hits = _scan(
        loaded_db,
        Component("x", "nothing-here", "1.0", purl="pkg:pypi/nothing-here@1.0"),
        Component("y", "no-ids", "1.0"),
    )
    assert hits == {}


def test_device_sbom_subject_matches_icsma(tmp_path: Path, loaded_db: VulnDatabase) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "component": {
                "type": "device",
                "bom-ref": "pcu",
                "name": "Alaris PC Unit",
                "version": "9.19",
                "manufacturer": {"name": "Becton Dickinson"},
            }
        },
        "components": [],
    }
    path = tmp_path / "pump.cdx.json"
    path.write_text(json.dumps(doc))
    result = scan(read_sbom(path), loaded_db)
    icsma = [m for m in result.matches if m.document == "ICSMA-20-170-06"]
    assert icsma and icsma[0].method == "product" and icsma[0].confidence == "medium"
    assert "9.19" in icsma[0].reason and icsma[0].cvss_score is not None
