"""SBOM completeness: NTIA minimum elements and FDA support information."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from medsecurance.vulns import check_sbom, read_sbom

DEVICE_SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
    "metadata": {
        "timestamp": "2026-01-01T00:00:00Z",
        "authors": [{"name": "Pump Co"}],
        "component": {
            "type": "device",
            "bom-ref": "pump",
            "name": "Infusion Pump",
            "version": "2.3",
            "manufacturer": {"name": "Pump Co"},
            "properties": [
                {"name": "Level of Support", "value": "Active"},
                {"name": "End-of-Support", "value": "2031-12-31"},
            ],
        },
    },
    "components": [
        {
            "type": "library",
            "bom-ref": "ssl",
            "name": "openssl",
            "version": "1.1.1k",
            "supplier": {"name": "OpenSSL"},
            "purl": "pkg:generic/openssl@1.1.1k",
            "properties": [
                {"name": "cdx:level-of-support", "value": "security fixes only"},
                {"name": "EOS date", "value": "2023-09-11"},
            ],
        },
        {
            "type": "firmware",
            "bom-ref": "fw",
            "name": "bt-fw",
            "publisher": "Radio Inc",
            "properties": [{"name": "level_of_support", "value": "none"}, {"name": "end of support", "value": "soon"}],
        },
    ],
    "dependencies": [{"ref": "pump", "dependsOn": ["ssl", "fw"]}],
}


def _write(tmp_path: Path, doc: dict[str, object]) -> Path:
    path = tmp_path / "device.cdx.json"
    path.write_text(json.dumps(doc))
    return path


def test_device_sbom_check(tmp_path: Path) -> None:
    result = check_sbom(read_sbom(_write(tmp_path, DEVICE_SBOM)), today=date(2026, 6, 1))
    data = result.to_dict()
    by_ref = {c["bom_ref"]: c for c in data["components"]}
    assert by_ref["pump"]["missing"] == ["unique_identifier"]
    assert by_ref["pump"]["fallbacks"] == {"supplier": "manufacturer"}
    assert by_ref["pump"]["level_of_support"] == "Active"
    assert by_ref["ssl"]["missing"] == [] and by_ref["ssl"]["past_end_of_support"] is True
    assert by_ref["fw"]["missing"] == ["version", "unique_identifier"]
    assert by_ref["fw"]["fallbacks"] == {"supplier": "publisher"}
    assert by_ref["fw"]["notes"] and "not a date" in by_ref["fw"]["notes"][0]
    assert data["document"] == {"missing": [], "fallbacks": {}}
    assert data["summary"]["missing"]["unique_identifier"] == 2
    assert data["summary"]["past_end_of_support"] == 1
    assert data["summary"]["complete"] is False


def test_reference_date_changes_past_eos(tmp_path: Path) -> None:
    result = check_sbom(read_sbom(_write(tmp_path, DEVICE_SBOM)), today=date(2020, 1, 1))
    assert result.summary()["past_end_of_support"] == 0


def test_document_level_missing_and_tool_fallback(vdata: Path) -> None:
    result = check_sbom(read_sbom(vdata / "sbom" / "bad-purls.cdx.xml"), today=date(2026, 1, 1))
    assert result.document_missing == ("dependencies",)
    assert dict(result.document_fallbacks) == {"author": "tools"}


def test_spdx_valid_until_is_end_of_support(vdata: Path) -> None:
    result = check_sbom(read_sbom(vdata / "sbom" / "SPDXJSONExample-v2.3.spdx.json"), today=date(2026, 1, 1))
    glibc = next(c for c in result.components if c.name == "glibc")
    assert glibc.end_of_support and glibc.past_end_of_support
