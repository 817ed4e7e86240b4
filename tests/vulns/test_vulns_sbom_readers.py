"""SBOM readers: CycloneDX JSON/XML, SPDX JSON/tag-value, diagnostics and broken files."""

from __future__ import annotations

from pathlib import Path

import pytest

from medsecurance.errors import SbomError
from medsecurance.vulns import read_sbom


def test_cyclonedx_json_components_and_metadata(vdata: Path) -> None:
    sbom = read_sbom(vdata / "sbom" / "laravel-7.12.0.cdx.json")
    assert sbom.format == "cyclonedx-json" and sbom.spec_version == "1.4"
    assert len(sbom.components) == 62
    first = sbom.components[0]
    assert first.purl and first.purl.startswith("pkg:composer/")
    assert first.licenses == ("MIT",) and first.properties
    assert sbom.dependencies


def test_cyclonedx_xml_and_bad_purls_are_located(vdata: Path) -> None:
    sbom = read_sbom(vdata / "sbom" / "bad-purls.cdx.xml")
    assert sbom.format == "cyclonedx-xml" and len(sbom.components) == 16
    bad = [d for d in sbom.diagnostics if "invalid purl" in d.message]
    assert len(bad) == 5
    assert all(d.element and d.element.startswith("components[") for d in bad)
    assert all(str(d).startswith(str(vdata / "sbom" / "bad-purls.cdx.xml")) for d in bad)
    assert sbom.tools == ("anchore syft 0.73.0",)


def test_duplicates_reported(vdata: Path) -> None:
    sbom = read_sbom(vdata / "sbom" / "with-duplicates.cdx.xml")
    assert any("is used by 2 components" in d.message for d in sbom.diagnostics)


def test_spdx_json_and_tag_value_agree(vdata: Path) -> None:
    a = read_sbom(vdata / "sbom" / "SPDXJSONExample-v2.3.spdx.json")
    b = read_sbom(vdata / "sbom" / "SPDXTagExample-v2.3.spdx")
    assert (a.format, b.format) == ("spdx-json", "spdx-tag-value")
    assert sorted(c.name for c in a.components) == sorted(c.name for c in b.components)
    glibc = next(c for c in b.components if c.name == "glibc")
    assert glibc.version == "2.11.1" and glibc.cpe and glibc.cpe.startswith("cpe:2.3:")
    missing = next(d for d in b.diagnostics if "no version" in d.message)
    assert missing.line is not None  # tag-value diagnostics carry the line


def test_schema_invalid_sbom_names_file_and_place(vdata: Path) -> None:
    with pytest.raises(SbomError) as err:
        read_sbom(vdata / "sbom" / "alpine-zlib-16.cdx.json")
    assert "alpine-zlib-16.cdx.json" in str(err.value)
    assert err.value.first.element == "metadata.component"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"bomFormat": "CycloneDX",\n "components": [', "broken JSON"),
        ("<bom xmlns='http://cyclonedx.org/schema/bom/1.5'><components>", "broken XML"),
        ('{"hello": 1}', "not an SBOM"),
        ("just text", "unrecognised SBOM format"),
        ('{"spdxVersion": "SPDX-3.0"}', "unsupported SPDX version"),
    ],
)
def test_broken_files(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "x.sbom"
    path.write_text(content)
    with pytest.raises(SbomError) as err:
        read_sbom(path)
    assert expected in str(err.value) and str(path) in str(err.value)


def test_broken_json_has_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"bomFormat": "CycloneDX",\n  "components": [}')
    with pytest.raises(SbomError) as err:
        read_sbom(path)
    assert err.value.first.line == 2 and err.value.first.column


def test_oversized_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"bomFormat": "CycloneDX"}' + " " * 100)
    with pytest.raises(SbomError, match="limit"):
        read_sbom(path, max_bytes=50)


def test_unsafe_xml_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaa">]><bom>&a;</bom>')
    with pytest.raises(SbomError, match="unsafe XML"):
        read_sbom(path)
