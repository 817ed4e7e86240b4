"""The JSON output: streamed writing equals the canonical text; the schema is published."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from medsecurance import api
from medsecurance._internal.io import canonical_json
from medsecurance.assessment import Assessment
from medsecurance.report.json_format import assessment_to_dict, write_json


@pytest.mark.parametrize("system", ["hospital", "clinic"])
def test_stream_equals_canonical(system: str) -> None:
    a = api.analyze(f"examples/{system}/model.yaml", api.AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    buf = io.StringIO()
    write_json(a, buf)
    assert buf.getvalue() == canonical_json(assessment_to_dict(a))


def test_stream_of_empty_assessment() -> None:
    a = Assessment(system={"id": "s", "name": "n", "version": "1", "setting": "home"}, model_digest="sha256:" + "0" * 64,
                   findings=())
    buf = io.StringIO()
    write_json(a, buf)
    assert buf.getvalue() == canonical_json(assessment_to_dict(a))


def test_threagile_import_then_analyze(tmp_path: Path) -> None:
    from medsecurance.cli import main

    src = next(Path("tests/data/importers").glob("*threagile*.yaml"))
    out = tmp_path / "model.yaml"
    assert main(["import", "threagile", str(src), "-o", str(out)]) == 0
    assessment = api.analyze(out, api.AnalysisOptions(as_of=dt.date(2026, 11, 29)))
    assert any(f.kind.value == "threat" for f in assessment.findings)
