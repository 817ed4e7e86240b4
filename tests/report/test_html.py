"""The self-contained HTML report: sections, determinism, escaping, the no-`dot` path and large models."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import re
import shutil
import time
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import yaml

from medsecurance import api
from medsecurance.assessment import Assessment
from medsecurance.cli import main
from medsecurance.findings import Finding, FindingKind, Severity, stable_id
from medsecurance.kb import load_kb
from medsecurance.report import ReportContext, get_format
from medsecurance.report.html import SECTION_RENDERERS, HtmlFormat, render_html
from medsecurance.report.html.diagrams import svg_inline

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 11, 29)
HAS_DOT = shutil.which("dot") is not None
SECTIONS = ("overview", "dfd", "views", "view-global", "view-multi", "view-update", "view-usecases", "findings",
            "paths", "components", "evidence", "warnings")


def _analyse(model: Path) -> tuple[Assessment, ReportContext]:
    loaded = api.load(model)
    kb = load_kb()
    assessment = api.analyze_loaded(loaded, api.AnalysisOptions(as_of=AS_OF), kb)
    return assessment, ReportContext(loaded, kb)


@pytest.fixture(scope="module")
def hospital() -> tuple[Assessment, ReportContext]:
    return _analyse(ROOT / "examples" / "hospital" / "model.yaml")


def test_registered_as_a_format() -> None:
    fmt = get_format("html")
    assert isinstance(fmt, HtmlFormat)
    assert (fmt.name, fmt.filename) == ("html", "report.html")


@pytest.mark.parametrize("example", ["hospital", "clinic", "home"])
def test_examples_render_every_section(example: str) -> None:
    assessment, ctx = _analyse(ROOT / "examples" / example / "model.yaml")
    html = HtmlFormat().render(assessment, ctx)
    assert html.startswith("<!DOCTYPE html>")
    for section in SECTIONS:
        assert f'id="{section}"' in html, section
    model = ctx.load.model
    assert model.system.name in html
    for c in model.components:
        assert f'id="el-{c.id}"' in html
    for f in assessment.findings:
        assert f'id="f-{f.id}"' in html
    # self-contained: no external resources of any kind
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "@import" not in html and "url(http" not in html
    if HAS_DOT:
        assert html.count("<svg") >= 4
        assert "<?xml" not in html and "<!DOCTYPE svg" not in html


def test_hospital_shows_its_weak_flows_and_views(hospital: tuple[Assessment, ReportContext]) -> None:
    assessment, ctx = hospital
    html = render_html(assessment, ctx)
    weak = {e for f in assessment.findings if f.status == "open" and f.kind.value == "threat" for e in f.elements}
    if "F-orders-hl7" in weak:
        assert 'weak · ' in html.split('id="el-F-orders-hl7"')[1][:400]
    assert "Infusion Manager (pump server)" in html.split('id="view-multi"')[1][:20_000]
    assert "unsigned" in html.split('id="view-update"')[1][:60_000]  # the SP-100 takes unsigned updates
    assert "Security use case" in html or "Not drawn" in html


def test_deterministic(hospital: tuple[Assessment, ReportContext]) -> None:
    assessment, ctx = hospital
    first = render_html(assessment, ctx)
    again, ctx2 = _analyse(ROOT / "examples" / "hospital" / "model.yaml")
    assert render_html(again, ctx2) == first
    if HAS_DOT:
        ids = re.findall(r'\bid="([^"]+)"', first)
        assert len(ids) == len(set(ids)), "element ids must be unique once the SVGs are inlined"


def test_without_dot_embeds_the_dot_source(hospital: tuple[Assessment, ReportContext],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_a, **_k: None)
    html = render_html(*hospital)
    assert 'class="graph"' not in html  # no Graphviz drawing was inlined (the risk heat map is not Graphviz)
    assert "was not found" in html
    assert html.count("DOT source of") >= 4
    assert "digraph" in html and "cluster_" in html


@pytest.fixture()
def hostile_model(tmp_path: Path) -> Path:
    assert main(["init", str(tmp_path)]) == 0
    path = tmp_path / "model.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    data["system"]["name"] = "<script>alert(1)</script>"
    data["components"][0]["name"] = "<script>alert(1)</script>"
    data["components"][0]["description"] = '"><img src=x onerror=alert(2)> \\N \\G'
    if data.get("flows"):
        data["flows"][0]["name"] = "</title><script>alert(3)</script>"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_init_model_renders_and_hostile_names_are_escaped(hostile_model: Path) -> None:
    assessment, ctx = _analyse(hostile_model)
    html = render_html(assessment, ctx)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # only the report's own script
    if HAS_DOT:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.split('id="dfd"')[1].split("</section>")[0]


def test_extra_sections_generic_and_registered(hospital: tuple[Assessment, ReportContext],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    assessment, ctx = hospital
    sections = dict(assessment.sections) | {
        "custom_items": [{"id": "X-1", "level": "unacceptable", "elements": ["lvp"], "note": "<b>x</b>"},
                         {"id": "X-2", "level": "acceptable", "elements": [], "nested": {"a": 1}}],
    }
    extended = dataclasses.replace(assessment, sections=MappingProxyType(sections))
    html = render_html(extended, ctx)
    assert 'id="sec-custom_items"' in html and 'id="sec-readiness"' in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert "unacceptable" in html
    monkeypatch.setitem(SECTION_RENDERERS, "custom_items", lambda value, _ctx: f'<p class="mine">{len(value)} items</p>')
    html = render_html(extended, ctx)
    assert '<p class="mine">2 items</p>' in html


def test_svg_inline_strips_prolog_and_prefixes_ids() -> None:
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">\n<!-- Generated -->\n'
           '<svg width="10pt"><g id="graph0"><g id="node1"><a xlink:href="#el-lvp"><path fill="url(#g1)"/>'
           '</a></g><linearGradient id="g1"/></g></svg>')
    out = svg_inline(svg, "d-x", "A <title>")
    assert out.startswith("<svg ") and "<?xml" not in out and "<!--" not in out
    assert 'id="d-x-graph0"' in out and 'id="d-x-node1"' in out and "url(#d-x-g1)" in out
    assert 'xlink:href="#el-lvp"' in out  # links to report sections keep their target
    assert 'aria-label="A &lt;title&gt;"' in out


def _synth(folder: Path, components: int) -> Path:
    spec = importlib.util.spec_from_file_location("medsec_bench_synth", ROOT / "bench" / "synth.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.write_model(folder, components, components))


def test_large_model_is_summarised_fast_and_small(tmp_path: Path) -> None:
    loaded = api.load(_synth(tmp_path, 5000))
    kb = load_kb()
    model = loaded.model
    findings = []
    for i, c in enumerate(model.components):  # ~6 findings per component, as the threat rules give
        for k in range(6):
            findings.append(Finding(
                stable_id("T", str(k), c.id), FindingKind.THREAT, f"MS-X-{k:03d}", f"Synthetic threat {k}",
                list(Severity)[(i + k) % 5], (c.id, f"{c.id}.net"), ("CWE-287", "CAPEC-94"),
                "open" if k % 2 else "mitigated", f"component {c.id} matched rule {k}: protocol lacks integrity.",
                {"stride": "tampering", "why": ["stack lacks integrity"], "controls_missing": ["mutual-tls"],
                 "controls_present": ["secure-boot"], "sources": ["IEC 62443-4-2 CR 3.1"]}))
    for j, f in enumerate(model.flows[:2000]):
        findings.append(Finding(stable_id("T", "flow", f.id), FindingKind.THREAT, "MS-F-001", "Weak flow",
                                Severity.HIGH, (f.id,), status="open" if j % 3 else "accepted"))
    assessment = Assessment(system=MappingProxyType({"name": "Synthetic", "version": "1"}), model_digest="sha256:0",
                            findings=tuple(sorted(findings, key=lambda f: f.id)),
                            sections=MappingProxyType({"as_of": "2026-11-29"}))
    start = time.perf_counter()
    html = render_html(assessment, ReportContext(loaded, kb))
    elapsed = time.perf_counter() - start
    assert elapsed < 10.0, f"HTML report took {elapsed:.1f} s"
    assert len(html.encode()) <= 5 * 1024 * 1024
    assert "zones aggregated" in html
    assert "most severe of" in html  # the findings table says it lists a subset
    assert 'id="el-c4999"' in html
