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


def _big_assessment() -> Assessment:
    """Many findings (several chunks) and large lists at several depths of the sections."""
    from types import MappingProxyType

    from medsecurance.findings import Finding, FindingKind, Severity

    findings = tuple(Finding(f"T-{i:06d}", FindingKind.THREAT, "r", f"t {i} é", Severity.LOW, (f"c{i}",),
                             details={"n": i, "x": [1.5, None, True]}) for i in range(4500))
    sections = {
        "risks": [{"id": f"R-{i}", "b": [i, {"z": 1, "a": "ü"}]} for i in range(700)],
        "assurance": {"root": "G", "nodes": [{"id": f"G-{i}", "r": []} for i in range(3000)],
                      "summary": {"gaps": [{"node": f"G-{i}"} for i in range(300)], "claims": 3}},
        "small": {"list": [1, 2, 3], "empty": [], "nested": {}},
        "empty_big": [],
    }
    return Assessment(system={"id": "s", "name": "n", "version": "1", "setting": "home"},
                      model_digest="sha256:" + "0" * 64, findings=findings, sections=MappingProxyType(sections))


@pytest.mark.parametrize("serialiser", ["orjson", "stdlib"])
def test_stream_of_large_nested_lists_equals_canonical(serialiser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from medsecurance._internal import io as mio
    from medsecurance.report import json_format

    if serialiser == "stdlib":
        monkeypatch.setattr(mio, "_orjson", None)
        monkeypatch.setitem(sys.modules, "orjson", None)  # `import orjson` now raises ImportError
        json_format._frame.cache_clear()
    a = _big_assessment()
    expected = canonical_json(assessment_to_dict(a))
    text, binary = io.StringIO(), io.BytesIO()
    write_json(a, text)
    with io.TextIOWrapper(binary, encoding="utf-8", newline="") as fh:  # the byte fast path
        write_json(a, fh)
        fh.flush()
        assert binary.getvalue().decode("utf-8") == expected
    assert text.getvalue() == expected
    json_format._frame.cache_clear()
