"""``medsec kb`` commands through the CLI entry point."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import rdflib

from medsecurance.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "kb"
CWE_FILE = DATA / "cwec_v4.14.xml.gz"

CONTROLS_FOR_TYPE = """
SELECT DISTINCT ?control WHERE {
  ?tc a iomt:ThreatClass ; iomt:appliesTo ?target ; iomt:mitigatedBy ?c .
  iomt:PCAPump rdfs:subClassOf* ?target .
  ?c iomt:id ?control .
} ORDER BY ?control
"""


def test_stats_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "stats", "--format", "json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["threat-class"] >= 40 and counts["protocol"] >= 61


def test_show_term_with_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "pump server"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("InfusionManagementServer  [device-type]") and "links out:" in out
    assert "tc-drug-library-tampering" in out


def test_show_unknown_term_suggests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "show", "InfusionPmp"]) == 2
    assert "did you mean: InfusionPump" in capsys.readouterr().err


def test_query_controls_for_component_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "query", CONTROLS_FOR_TYPE, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    controls = {r[0] for r in rows[1:]}
    assert rows[0] == ["control"]
    assert {"signed-configuration", "signed-firmware-update", "debug-port-disabled"} <= controls
    assert "smb-signing" not in controls  # only for SMB hosts, not pumps


def test_query_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    ask = "ASK { iomt:tc-smb-exposure iomt:mitigatedBy iomt:c-smb-signing }"
    assert main(["kb", "query", ask, "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"ask": "true"}]
    assert main(["kb", "query", "SELECT ?l WHERE { iomt:FR1 rdfs:label ?l }"]) == 0
    assert "FR1 Identification and authentication control" in capsys.readouterr().out


def test_bad_query_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "query", "SELECT WHERE {"]) == 2
    assert "SPARQL query failed" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_export_round_trips(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"kb.{fmt}"
    assert main(["kb", "export", "--format", fmt, "-o", str(out)]) == 0
    graph = rdflib.Graph().parse(out, format="turtle" if fmt == "ttl" else "json-ld")
    iomt = rdflib.Namespace("https://w3id.org/medsecurance/iomt#")
    assert (iomt["tc-default-credentials"], iomt.mitigatedBy, iomt["c-unique-credentials"]) in graph


def test_import_then_show_links_cwe_to_threat_classes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kb_dir = tmp_path / "kb"
    assert main(["kb", "import", "cwe", str(CWE_FILE), "--kb-dir", str(kb_dir)]) == 0
    assert "imported 963 cwe entries (version 4.14" in capsys.readouterr().out
    assert main(["kb", "show", "CWE-1392", "--kb-dir", str(kb_dir)]) == 0
    out = capsys.readouterr().out
    assert "Use of Default Credentials" in out and "tc-default-credentials [threat-class]" in out
    assert "imported from cwec_v4.14.xml.gz" in out


def test_import_bad_file_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]", "utf-8")
    assert main(["kb", "import", "attack-ics", str(bad), "--kb-dir", str(tmp_path / "kb")]) == 2
    assert "x.json" in capsys.readouterr().err
