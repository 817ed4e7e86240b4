"""`medsec analyze --capture … --hosts …`: observed traffic enters the assessment and the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medsecurance.cli import main

DATA = Path(__file__).resolve().parent.parent / "data" / "comms"


def test_capture_in_analyze(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = main(["analyze", str(DATA / "model.yaml"), "-o", str(out), "--format", "json,html", "--as-of", "2026-11-29",
                 "--capture", str(DATA / "loopback.pcapng"), "--hosts", str(DATA / "hosts.yaml")])
    assert code == 0
    data = json.loads((out / "assessment.json").read_text())
    capture = data["communications"]["capture"]
    assert capture["evidence"]["sha256"] and capture["evidence"]["packets"] > 0
    assert "F-hl7" in capture["observed"]
    rules = {f["rule"] for f in data["findings"] if f["kind"] == "communication"}
    assert {"comms.undeclared-flow", "comms.cleartext-observed"} <= rules
    html = (out / "report.html").read_text()
    assert "F-hl7" in html


def test_bad_capture_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["analyze", str(DATA / "model.yaml"), "-o", str(tmp_path), "--format", "json",
                 "--capture", str(DATA / "truncated.pcap")])
    assert code == 2
    err = capsys.readouterr().err
    assert "truncated.pcap" in err and "packet 95 at byte offset 12483" in err
    assert not (tmp_path / "assessment.json").exists()
