"""The ``medsec sbom`` and ``medsec vulndb`` commands, through medsecurance.cli.main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vulns_helpers import nvd_response

from medsecurance.cli import main

NVD = nvd_response("CVE-2099-0002", "Critical flaw.", [
    {"nodes": [{"operator": "OR",
                "cpeMatch": [{"vulnerable": True, "criteria": "cpe:2.3:a:acme:pumpd:2.3:*:*:*:*:*:*:*"}]}]}
])
SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "metadata": {"timestamp": "2026-01-01T00:00:00Z"},
    "components": [
        {
            "type": "application",
            "bom-ref": "pumpd",
            "name": "pumpd",
            "version": "2.3",
            "cpe": "cpe:2.3:a:acme:pumpd:2.3:*:*:*:*:*:*:*",
        }
    ],
}


@pytest.fixture()
def setup(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "nvd.json").write_text(json.dumps(NVD))
    (tmp_path / "sbom.json").write_text(json.dumps(SBOM))
    db = tmp_path / "db.sqlite"
    assert main(["vulndb", "import", str(tmp_path / "nvd.json"), "--db", str(db)]) == 0
    return db, tmp_path / "sbom.json"


def test_vulndb_stats_json(setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = setup
    capsys.readouterr()
    assert main(["vulndb", "stats", "--db", str(db), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["sources"] == {"nvd": 1}


def test_scan_gate_and_vex(setup: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db, sbom = setup
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--fail-on", "critical"]) == 1
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--fail-on", "kev"]) == 0
    vex = tmp_path / "vex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "x",
                "author": "a",
                "timestamp": "2026-01-01T00:00:00Z",
                "version": 1,
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2099-0002"},
                        "products": [{"@id": "pumpd"}],
                        "status": "not_affected",
                        "justification": "component_not_present",
                    }
                ],
            }
        )
    )
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--vex", str(vex), "--fail-on", "low"]) == 0
    capsys.readouterr()
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--format", "json"]) == 0
    first = capsys.readouterr().out
    data = json.loads(first)
    assert data["matches"][0]["match"]["reason"] and data["matches"][0]["cvss"]["score"] == 9.8
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--format", "json"]) == 0
    assert capsys.readouterr().out == first  # byte-identical


@pytest.mark.parametrize("fmt", ["table", "sarif", "cyclonedx-vex", "openvex", "csaf-vex"])
def test_scan_formats(setup: tuple[Path, Path], fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    db, sbom = setup
    capsys.readouterr()
    assert main(["sbom", "scan", str(sbom), "--db", str(db), "--format", fmt, "--explain"]) == 0
    out = capsys.readouterr().out
    assert "CVE-2099-0002" in out
    if fmt == "sarif":
        log = json.loads(out)
        assert log["version"] == "2.1.0" and log["runs"][0]["results"][0]["ruleId"] == "CVE-2099-0002"


def test_sbom_check_json(setup: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, sbom = setup
    capsys.readouterr()
    assert main(["sbom", "check", str(sbom), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["components"][0]["missing"] == ["supplier", "level_of_support", "end_of_support"]
    assert data["document"]["missing"] == ["author", "dependencies"]
    assert main(["sbom", "check", str(sbom)]) == 0


def test_bad_input_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["sbom", "check", str(bad)]) == 2
    assert "bad.json:1:2" in capsys.readouterr().err
    assert main(["vulndb", "import", str(bad), "--db", str(tmp_path / "db.sqlite")]) == 2
