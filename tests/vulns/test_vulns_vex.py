"""VEX: read the three formats, apply (suppress and name the statement), write and validate, round-trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

from medsecurance.errors import VexError
from medsecurance.vulns import (
    Component,
    Sbom,
    ScanResult,
    VulnDatabase,
    read_vex,
    scan,
    write_csaf_vex,
    write_cyclonedx_vex,
    write_openvex,
)

STAMP = "2026-01-01T00:00:00Z"


def _schema(vdata: Path, name: str) -> Any:
    return json.loads((vdata / "schemas" / name).read_text())


def validate_csaf(vdata: Path, doc: dict[str, Any]) -> None:
    """Validate against the CSAF 2.0 schema with the FIRST CVSS schemas registered locally."""
    registry: Registry[Any] = Registry()
    for version, spec in (("2.0", DRAFT4), ("3.0", DRAFT4), ("3.1", DRAFT7)):
        resource = Resource.from_contents(_schema(vdata, f"cvss-v{version}.json"), default_specification=spec)
        registry = registry.with_resource(f"https://www.first.org/cvss/cvss-v{version}.json", resource)
    validator = Draft202012Validator(_schema(vdata, "csaf_json_schema.json"), registry=registry)
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, errors[0].message


def validate_openvex(vdata: Path, doc: dict[str, Any]) -> None:
    errors = list(Draft202012Validator(_schema(vdata, "openvex_json_schema.json")).iter_errors(doc))
    assert not errors, errors[0].message


def validate_cyclonedx(doc: dict[str, Any]) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    assert error is None, str(error)


@pytest.fixture()
def result(loaded_db: VulnDatabase) -> ScanResult:
    components = (
        Component("django-1", "django", "2.2.0", purl="pkg:pypi/django@2.2.0"),
        Component("pump", "Infinity Delta", "VG2", "device", supplier="Dräger"),
    )
    return scan(
        Sbom(
            "device.cdx.json",
            "cyclonedx-json",
            "1.6",
            serial="urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            components=components,
        ),
        loaded_db,
    )


def test_read_all_csaf_vex_examples(vdata: Path) -> None:
    files = sorted((vdata / "vex" / "csaf").glob("*.json"))
    assert len(files) == 13
    statuses = {s.status for f in files for s in read_vex(f)}
    assert statuses == {"affected", "not_affected", "fixed", "under_investigation"}


def test_read_cyclonedx_vex_cases(vdata: Path) -> None:
    statements = read_vex(vdata / "vex" / "cyclonedx" / "case-1.vex.json")
    assert statements[0].status == "not_affected"
    assert statements[0].justification == "vulnerable_code_not_in_execute_path"  # from code_not_reachable
    for f in sorted((vdata / "vex" / "cyclonedx").glob("*.json")):
        assert all(s.vuln_id for s in read_vex(f))


def test_apply_suppresses_and_names_statement(tmp_path: Path, result: ScanResult, loaded_db: VulnDatabase) -> None:
    target = next(m for m in result.matches if m.component.bom_ref == "django-1")
    doc = {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        "author": "QA",
        "timestamp": STAMP,
        "version": 1,
        "statements": [
            {
                "vulnerability": {"name": target.vuln_id},
                "products": [{"@id": "pkg:pypi/django"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            }
        ],
    }
    path = tmp_path / "x.openvex.json"
    path.write_text(json.dumps(doc))
    again = scan(result.sbom, loaded_db, vex=read_vex(path))
    hit = next(m for m in again.matches if m.vuln_id == target.vuln_id and m.component.bom_ref == "django-1")
    assert hit.suppressed and hit.vex_statement == f"{path}#statements[0]"
    assert hit not in again.active and len(again.active) == len(result.matches) - 1


def test_decisions_mapping(result: ScanResult, loaded_db: VulnDatabase) -> None:
    target = result.matches[0]
    decisions = {(target.component.bom_ref, target.vuln_id): {"status": "fixed"}}
    again = scan(result.sbom, loaded_db, decisions=decisions)
    hit = next(m for m in again.matches if m.vuln_id == target.vuln_id and m.component == target.component)
    assert hit.vex_status == "fixed" and hit.vex_statement and hit.vex_statement.startswith("decisions[")
    with pytest.raises(VexError, match="unknown VEX status"):
        scan(result.sbom, loaded_db, decisions={("x", "y"): "maybe"})


@pytest.mark.parametrize("fmt", ["cyclonedx", "openvex", "csaf"])
def test_written_vex_validates_and_round_trips(
    fmt: str, tmp_path: Path, vdata: Path, result: ScanResult, loaded_db: VulnDatabase
) -> None:
    decisions = {
        (m.component.bom_ref, m.vuln_id): ("not_affected" if i % 2 else "affected")
        for i, m in enumerate(result.matches)
    }
    decided = scan(result.sbom, loaded_db, decisions=decisions)
    if fmt == "cyclonedx":
        doc = write_cyclonedx_vex(decided)
        validate_cyclonedx(doc)
    elif fmt == "openvex":
        doc = write_openvex(decided, timestamp=STAMP)
        validate_openvex(vdata, doc)
    else:
        doc = write_csaf_vex(decided, timestamp=STAMP)
        validate_csaf(vdata, doc)
    path = tmp_path / f"out.{fmt}.json"
    path.write_text(json.dumps(doc))
    back = scan(result.sbom, loaded_db, vex=read_vex(path))
    assert [(m.vuln_id, m.component.bom_ref, m.vex_status) for m in back.matches] == [
        (m.vuln_id, m.component.bom_ref, m.vex_status) for m in decided.matches
    ]
    assert any(m.component.bom_ref == "pump" for m in back.matches)


def test_bad_vex(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "maybe"}],
            }
        )
    )
    with pytest.raises(VexError) as err:
        read_vex(path)
    assert "statements[0]" in str(err.value) and "bad.json" in str(err.value)
    path.write_text("{")
    with pytest.raises(VexError, match="broken JSON"):
        read_vex(path)
    path.write_text("{}")
    with pytest.raises(VexError, match="not a VEX document"):
        read_vex(path)
