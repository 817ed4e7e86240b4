"""MITRE importers: real counts, merge on load, hostile and broken inputs, atomicity."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from medsecurance.errors import KbError
from medsecurance.kb import load_kb
from medsecurance.kb.catalogue import read_catalogue
from medsecurance.kb.importers import import_catalogue

DATA = Path(__file__).resolve().parents[1] / "data" / "kb"
CWE_FILE = DATA / "cwec_v4.14.xml.gz"
CAPEC_FILE = DATA / "capec-stix2.1-objects.json.gz"
ATTACK_FILE = DATA / "ics-attack.json.gz"

SMALL_CWE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Weakness_Catalog Name="CWE" Version="9.9" xmlns="http://cwe.mitre.org/cwe-7"><Weaknesses>
<Weakness ID="1" Name="Small One" Abstraction="Base" Status="Draft"><Description>First.</Description></Weakness>
</Weaknesses></Weakness_Catalog>
"""


def test_real_counts(imported_kb_dir: Path) -> None:
    cwe = read_catalogue(imported_kb_dir / "cwe.json")
    capec = read_catalogue(imported_kb_dir / "capec.json")
    attack = read_catalogue(imported_kb_dir / "attack-ics.json")
    assert (cwe.version, len(cwe.entries)) == ("4.14", 963)
    assert len(capec.entries) == 615 and len(attack.entries) == 95
    assert sum(e.deprecated for e in attack.entries) == 12


def test_imports_are_merged_on_load_and_linked_to_threat_classes(imported_kb_dir: Path) -> None:
    kb = load_kb(kb_dir=imported_kb_dir)
    counts = kb.counts()
    assert (counts["cwe"], counts["capec"], counts["attack-ics"]) == (963, 615, 95)
    xss = kb.catalogue_entry("CWE-79")
    assert xss is not None and "Cross-site Scripting" in xss.label and "imported" in xss.source
    cleartext = kb.term("CWE-319", "cwe")
    assert cleartext is not None
    sources = {kb.term_by_iri(src).id for pred, src in kb.links_in(cleartext) if pred == "exploits"}  # type: ignore[union-attr]
    assert {"tc-dicom-cleartext", "tc-cleartext-hl7-injection"} <= sources
    capec = kb.term("CAPEC-94", "capec")
    assert capec is not None and any(p == "relatedWeakness" for p, _ in kb.links_out(capec))
    assert "mitigations" in dict(kb.term("T0878", "attack-ics").attributes)  # type: ignore[union-attr]


def test_plain_xml_import(tmp_path: Path) -> None:
    src = tmp_path / "cwe.xml"
    src.write_bytes(SMALL_CWE)
    result = import_catalogue("cwe", src, kb_dir=tmp_path / "kb")
    assert (result.entries, result.version) == (1, "9.9")
    assert load_kb(kb_dir=tmp_path / "kb").term("CWE-1", "cwe").label == "Small One"  # type: ignore[union-attr]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<Weakness_Catalog xmlns="http://cwe.mitre.org/cwe-7">&lol2;</Weakness_Catalog>
"""


@pytest.mark.parametrize(
    ("kind", "name", "content", "expected"),
    [
        ("cwe", "bomb.xml", BOMB, "refused unsafe XML"),
        ("cwe", "broken.xml", b"<Weakness_Catalog xmlns='http://cwe.mitre.org/cwe-7'>\n<Weaknesses>\n</Weak",
         "broken XML"),
        ("cwe", "other.xml", b"<html><body/></html>", "not a CWE catalogue"),
        ("cwe", "bundle.json", b'{"type": "bundle", "objects": []}', "broken XML"),
        ("cwe", "empty.xml", b"", "file is empty"),
        ("cwe", "trunc.xml.gz", gzip.compress(SMALL_CWE)[:40], "gzip file is truncated"),
        ("capec", "notjson.json", b"{\n  \"type\": bundle", "invalid JSON"),
        ("capec", "list.json", b"[1, 2]", "not a STIX bundle"),
        ("capec", "cwe.xml", SMALL_CWE, "invalid JSON"),
        ("attack-ics", "capec.json", json.dumps({"type": "bundle", "objects": [{"type": "attack-pattern",
         "id": "attack-pattern--1", "external_references": [{"source_name": "capec", "external_id": "CAPEC-1"}]}]}
         ).encode(), "no ATT&CK for ICS techniques"),
    ],
)
def test_bad_inputs_give_located_errors(tmp_path: Path, kind: str, name: str, content: bytes, expected: str) -> None:
    src = tmp_path / name
    src.write_bytes(content)
    with pytest.raises(KbError) as err:
        import_catalogue(kind, src, kb_dir=tmp_path / "kb")
    assert expected in str(err.value) and name in str(err.value)
    assert not (tmp_path / "kb").exists() or not list((tmp_path / "kb").iterdir())


def test_broken_xml_reports_line(tmp_path: Path) -> None:
    src = tmp_path / "broken.xml"
    src.write_bytes(b"<Weakness_Catalog>\n<Weaknesses>\n<Weakness ID='1'\n</Weaknesses>")
    with pytest.raises(KbError) as err:
        import_catalogue("cwe", src, kb_dir=tmp_path / "kb")
    assert err.value.first.line is not None and err.value.first.line >= 3


def test_wrong_bundle_kind_hints_at_right_command(tmp_path: Path) -> None:
    with pytest.raises(KbError) as err:
        import_catalogue("capec", ATTACK_FILE, kb_dir=tmp_path / "kb")
    assert "no CAPEC attack patterns" in str(err.value) and "attack-ics" in str(err.value)


def test_failed_import_leaves_user_kb_unchanged(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    src = tmp_path / "cwe.xml"
    src.write_bytes(SMALL_CWE)
    import_catalogue("cwe", src, kb_dir=kb_dir)
    before = (kb_dir / "cwe.json").read_bytes()
    bad = tmp_path / "cwec_v4.14.xml.gz"
    bad.write_bytes(CWE_FILE.read_bytes()[:50_000])
    with pytest.raises(KbError, match="truncated"):
        import_catalogue("cwe", bad, kb_dir=kb_dir)
    assert (kb_dir / "cwe.json").read_bytes() == before
    assert sorted(p.name for p in kb_dir.iterdir()) == ["cwe.json"]


def test_damaged_stored_catalogue_is_a_located_error(tmp_path: Path) -> None:
    kb_dir = tmp_path / "kb"
    kb_dir.mkdir()
    (kb_dir / "capec.json").write_text('{"format": "medsecurance-kb-catalogue/1",\n "kind": ', "utf-8")
    with pytest.raises(KbError) as err:
        load_kb(kb_dir=kb_dir)
    assert "capec.json" in str(err.value) and "import the MITRE file again" in str(err.value)


def test_capec_gzip_import_counts(tmp_path: Path) -> None:
    result = import_catalogue("capec", CAPEC_FILE, kb_dir=tmp_path / "kb")
    assert (result.entries, result.version) == (615, "3.9")
